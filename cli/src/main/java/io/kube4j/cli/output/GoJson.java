package io.kube4j.cli.output;

import tools.jackson.databind.JsonNode;

import java.util.Map;

/**
 * JSON as kubectl's {@code -o json} prints it (Go's {@code json.MarshalIndent(obj, "", "    ")}): four-space indent,
 * {@code "key": value}, empty containers as {@code {}} and {@code []}, and Go's HTML-safe escapes ({@code <} as
 * {@code \u003c}).
 */
public final class GoJson {

    private GoJson() {
    }

    public static String indent(JsonNode n) {
        StringBuilder sb = new StringBuilder();
        write(n, sb, "");
        return sb.toString();
    }

    private static void write(JsonNode n, StringBuilder sb, String indent) {
        if (n.isObject()) {
            if (n.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append("{\n");
            String inner = indent + "    ";
            int i = 0;
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                sb.append(inner);
                string(e.getKey(), sb);
                sb.append(": ");
                write(e.getValue(), sb, inner);
                sb.append(++i < n.size() ? ",\n" : "\n");
            }
            sb.append(indent).append('}');
        } else if (n.isArray()) {
            if (n.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append("[\n");
            String inner = indent + "    ";
            for (int i = 0; i < n.size(); i++) {
                sb.append(inner);
                write(n.get(i), sb, inner);
                sb.append(i + 1 < n.size() ? ",\n" : "\n");
            }
            sb.append(indent).append(']');
        } else if (n.isString()) {
            string(n.asString(), sb);
        } else {
            sb.append(n.toString());
        }
    }

    private static void string(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> sb.append(String.format("\\u%04x", (int) c));
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
