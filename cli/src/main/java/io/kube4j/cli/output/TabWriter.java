package io.kube4j.cli.output;

import java.util.ArrayList;
import java.util.List;

/**
 * Go's {@code text/tabwriter} as {@code kubectl describe} configures it (minwidth 0, padding 2, spaces): text is
 * collected, cells end at tabs, and each column block (consecutive lines that have a cell in that column) is padded
 * to its widest cell plus two. A line without a tab ends every column block, which is what makes describe's
 * sections align independently. {@link #level} writes with kubectl's two-spaces-per-level indentation.
 */
public final class TabWriter {

    private final StringBuilder text = new StringBuilder();
    private final StringBuilder done = new StringBuilder();
    private final int padding;

    public TabWriter() {
        this(2);
    }

    public TabWriter(int padding) {
        this.padding = padding;
    }

    /** Appends {@code s} (may contain tabs and newlines, and need not end a line). */
    public TabWriter write(String s) {
        text.append(s);
        return this;
    }

    /** Appends {@code s} indented by {@code level} steps of two spaces (kubectl's PrefixWriter). */
    public TabWriter level(int level, String s) {
        text.append("  ".repeat(level)).append(s);
        return this;
    }

    /** Formats what was written so far on its own (kubectl's {@code w.Flush()} in the middle of a describe). */
    public TabWriter flush() {
        done.append(format(text.toString(), padding));
        text.setLength(0);
        return this;
    }

    /** The aligned text. */
    public String render() {
        flush();
        return done.toString();
    }

    /** Aligns {@code s} as Go's tabwriter would with the given padding. */
    public static String format(String s, int padding) {
        List<List<String>> lines = new ArrayList<>();
        boolean trailingNewline = s.endsWith("\n");
        String body = trailingNewline ? s.substring(0, s.length() - 1) : s;
        if (body.isEmpty() && !trailingNewline) {
            return "";
        }
        for (String line : body.split("\n", -1)) {
            lines.add(List.of(line.split("\t", -1)));
        }
        StringBuilder out = new StringBuilder();
        format(lines, 0, lines.size(), new ArrayList<>(), padding, out);
        String r = out.toString();
        // every line was written with a newline; drop the last one if the input did not end with one
        return trailingNewline ? r : r.substring(0, r.length() - 1);
    }

    private static void format(List<List<String>> lines, int line0, int line1, List<Integer> widths, int padding,
                               StringBuilder out) {
        int column = widths.size();
        int start = line0;
        for (int i = line0; i < line1; i++) {
            if (column >= lines.get(i).size() - 1) {
                continue;
            }
            writeLines(lines, start, i, widths, out);
            start = i;
            int width = 0;
            for (; i < line1; i++) {
                List<String> line = lines.get(i);
                if (column >= line.size() - 1) {
                    break;
                }
                width = Math.max(width, width(line.get(column)) + padding);
            }
            widths.add(width);
            format(lines, start, i, widths, padding, out);
            widths.remove(widths.size() - 1);
            start = i;
            i--;
        }
        writeLines(lines, start, line1, widths, out);
    }

    private static void writeLines(List<List<String>> lines, int from, int to, List<Integer> widths,
                                   StringBuilder out) {
        for (int i = from; i < to; i++) {
            List<String> line = lines.get(i);
            for (int j = 0; j < line.size(); j++) {
                String cell = line.get(j);
                out.append(cell);
                if (j < widths.size() && j < line.size() - 1) {
                    out.append(" ".repeat(Math.max(0, widths.get(j) - width(cell))));
                }
            }
            out.append('\n');
        }
    }

    private static int width(String cell) {
        String plain = Colors.strip(cell);
        return plain.codePointCount(0, plain.length());
    }
}
