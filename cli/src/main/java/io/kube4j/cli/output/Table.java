package io.kube4j.cli.output;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Column output as kubectl prints it (Go's tabwriter with padding 3): every column as wide as its widest cell plus
 * three spaces, the last column unpadded. Cells may carry ANSI colour; widths ignore it. Add the header first.
 */
public final class Table {

    private final List<List<String>> rows = new ArrayList<>();

    public Table row(String... cells) {
        rows.add(List.of(cells));
        return this;
    }

    public Table row(List<String> cells) {
        rows.add(List.copyOf(cells));
        return this;
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The rows added so far (header included). */
    public List<List<String>> rows() {
        return rows;
    }

    public String render() {
        int cols = rows.stream().mapToInt(List::size).max().orElse(0);
        int[] w = new int[cols];
        for (List<String> r : rows) {
            for (int c = 0; c < r.size(); c++) {
                w[c] = Math.max(w[c], visible(r.get(c)));
            }
        }
        StringBuilder sb = new StringBuilder();
        for (List<String> r : rows) {
            for (int c = 0; c < r.size(); c++) {
                String cell = r.get(c) == null ? "" : r.get(c);
                sb.append(cell);
                if (c < r.size() - 1) {
                    sb.append(" ".repeat(w[c] - visible(cell) + 3));
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    public void print(PrintStream out) {
        out.print(render());
    }

    private static int visible(String s) {
        return s == null ? 0 : Colors.strip(s).length();
    }
}
