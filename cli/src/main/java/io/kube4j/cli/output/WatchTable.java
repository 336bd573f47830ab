package io.kube4j.cli.output;

import java.util.Arrays;
import java.util.List;

/**
 * Table rows printed one batch at a time that stay aligned with what was printed before, as kubectl's watch output
 * does (its tabwriter remembers the widest cell of each column across flushes): each column is as wide as the
 * widest cell seen so far, plus three spaces; a wider cell later shifts only the rows from then on.
 */
public final class WatchTable {

    private int[] widths = new int[0];

    /** Renders {@code rows}, remembering their widths for the next batch. */
    public String render(List<List<String>> rows) {
        for (List<String> r : rows) {
            if (r.size() > widths.length) {
                widths = Arrays.copyOf(widths, r.size());
            }
            for (int c = 0; c < r.size(); c++) {
                widths[c] = Math.max(widths[c], visible(r.get(c)));
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> r : rows) {
            for (int c = 0; c < r.size(); c++) {
                String cell = r.get(c) == null ? "" : r.get(c);
                sb.append(cell);
                if (c < r.size() - 1) {
                    sb.append(" ".repeat(widths[c] - visible(cell) + 3));
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static int visible(String s) {
        return s == null ? 0 : Colors.strip(s).length();
    }
}
