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

    /** The rows aligned: a {@link WatchTable} with no earlier batch computes exactly that. */
    public String render() {
        return new WatchTable().render(rows);
    }

    public void print(PrintStream out) {
        out.print(render());
    }
}
