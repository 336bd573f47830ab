package io.kube4j.api.printing;

import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * A kind's table: its column definitions and the function giving one object's cells (all of them, priority-1 ones
 * included, in column order, as the text kubectl prints).
 */
public record TablePrinter(List<TableColumn> columns, BiFunction<JsonNode, Instant, List<String>> row) {

    /** The headers shown with or without {@code -o wide}. */
    public List<String> headers(boolean wide) {
        List<String> h = new ArrayList<>();
        for (TableColumn c : columns) {
            if (wide || !c.wide()) {
                h.add(c.header());
            }
        }
        return h;
    }

    /** One object's cells with or without {@code -o wide}. */
    public List<String> cells(JsonNode obj, Instant now, boolean wide) {
        List<String> all = row.apply(obj, now);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            if (wide || !columns.get(i).wide()) {
                out.add(i < all.size() ? all.get(i) : "");
            }
        }
        return out;
    }

    /**
     * One object's cells as a Table row carries them: {@code integer} columns as numbers and {@code boolean} columns
     * as booleans (kubectl prints them with {@code %v}, so the text is the same), everything else as text.
     */
    public List<Object> typedCells(JsonNode obj, Instant now) {
        List<String> all = row.apply(obj, now);
        List<Object> out = new ArrayList<>(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            String text = i < all.size() ? all.get(i) : "";
            out.add(switch (columns.get(i).type()) {
                case "integer" -> asLong(text);
                case "boolean" -> text.equals("true") || text.equals("false") ? Boolean.valueOf(text) : text;
                default -> text;
            });
        }
        return out;
    }

    private static Object asLong(String text) {
        try {
            return Long.valueOf(text);
        } catch (NumberFormatException e) {
            return text;
        }
    }
}
