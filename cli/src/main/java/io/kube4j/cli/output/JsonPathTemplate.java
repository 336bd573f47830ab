package io.kube4j.cli.output;

import com.jayway.jsonpath.Configuration;
import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.Option;
import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.command.UsageException;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * kubectl's JSONPath templates ({@code -o jsonpath=...}, {@code custom-columns}, {@code --sort-by}): text with
 * {@code {expression}} blocks, {@code {range EXPR}...{end}} loops, and quoted literals ({@code {"\n"}}). Expressions
 * ({@code .items[*].metadata.name}, {@code .status.conditions[?(@.type=="Ready")].status}) are evaluated by jayway
 * json-path; a missing field prints nothing (kubectl's {@code --allow-missing-template-keys=true}). Several results of
 * one expression are printed space-separated, strings raw, maps and lists as JSON.
 */
public final class JsonPathTemplate {

    private static final Configuration CONFIG = Configuration.defaultConfiguration()
            .addOptions(Option.ALWAYS_RETURN_LIST, Option.SUPPRESS_EXCEPTIONS);

    private final String source;
    private final List<Node> nodes;

    private JsonPathTemplate(String source, List<Node> nodes) {
        this.source = source;
        this.nodes = nodes;
    }

    private interface Node {
    }

    private record Text(String text) implements Node {
    }

    private record Expr(String path) implements Node {
    }

    private record Range(String path, List<Node> body) implements Node {
    }

    /** Parses a template; a syntax error is a {@link UsageException} in kubectl's words. */
    public static JsonPathTemplate parse(String template) {
        Parser p = new Parser(template);
        List<Node> nodes = p.nodes(false);
        return new JsonPathTemplate(template, nodes);
    }

    /**
     * kubectl's relaxed form for {@code --sort-by} and custom columns: {@code .a.b}, {@code a.b} and {@code {.a.b}}
     * all mean {@code {.a.b}}.
     */
    public static JsonPathTemplate relaxed(String expression) {
        String e = expression.trim();
        if (e.startsWith("{") && e.endsWith("}")) {
            e = e.substring(1, e.length() - 1);
        }
        if (!e.startsWith(".") && !e.startsWith("[") && !e.startsWith("@")) {
            e = "." + e;
        }
        return parse("{" + e + "}");
    }

    public String source() {
        return source;
    }

    /** Renders the template against {@code data} (a JSON tree). */
    public String execute(JsonNode data) {
        StringBuilder out = new StringBuilder();
        run(nodes, toPlain(data), out);
        return out.toString();
    }

    /** The values the template's expressions yield for {@code data} (custom columns, sort keys). */
    public List<Object> values(JsonNode data) {
        List<Object> out = new ArrayList<>();
        Object plain = toPlain(data);
        for (Node n : nodes) {
            if (n instanceof Expr e) {
                out.addAll(evaluate(e.path(), plain));
            }
        }
        return out;
    }

    /** A JSON tree as the plain maps and lists json-path reads. */
    static Object toPlain(JsonNode data) {
        return data == null ? null : Codecs.json().convertValue(data, Object.class);
    }

    private static void run(List<Node> nodes, Object current, StringBuilder out) {
        for (Node n : nodes) {
            if (n instanceof Text t) {
                out.append(t.text());
            } else if (n instanceof Expr e) {
                List<Object> vs = evaluate(e.path(), current);
                for (int i = 0; i < vs.size(); i++) {
                    if (i > 0) {
                        out.append(' ');
                    }
                    out.append(text(vs.get(i)));
                }
            } else if (n instanceof Range r) {
                for (Object item : evaluate(r.path(), current)) {
                    run(r.body(), item, out);
                }
            }
        }
    }

    /** Evaluates one kubectl expression ({@code .a.b[*]}, {@code @}, {@code $.x}) against {@code current}. */
    static List<Object> evaluate(String expr, Object current) {
        String e = expr.trim();
        if (e.isEmpty() || e.equals("@") || e.equals("$") || e.equals(".")) {
            return current == null ? List.of() : List.of(current);
        }
        if (current == null) {
            return List.of();
        }
        String path;
        if (e.startsWith("$")) {
            path = e;
        } else if (e.startsWith("@")) {
            path = "$" + e.substring(1);
        } else if (e.startsWith("[")) {
            path = "$" + e;
        } else if (e.startsWith(".")) {
            path = "$" + e;
        } else {
            path = "$." + e;
        }
        path = escapeDots(path);
        Object result;
        try {
            result = JsonPath.using(CONFIG).parse(current).read(path);
        } catch (RuntimeException ex) {
            throw new UsageException("error parsing jsonpath " + expr + ", " + ex.getMessage());
        }
        if (result instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object o : l) {
                if (o != null) {
                    out.add(o);
                }
            }
            return out;
        }
        return result == null ? List.of() : List.of(result);
    }

    /** kubectl escapes dots inside keys ({@code .metadata.labels.app\.kubernetes\.io/name}); json-path wants brackets. */
    private static String escapeDots(String path) {
        if (!path.contains("\\.")) {
            return path;
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < path.length()) {
            char c = path.charAt(i);
            if (c == '.' && i + 1 < path.length() && path.charAt(i + 1) != '.') {
                int j = i + 1;
                StringBuilder key = new StringBuilder();
                boolean escaped = false;
                while (j < path.length() && path.charAt(j) != '[' && !(path.charAt(j) == '.' && path.charAt(j - 1) != '\\')) {
                    if (path.charAt(j) == '\\' && j + 1 < path.length() && path.charAt(j + 1) == '.') {
                        key.append('.');
                        escaped = true;
                        j += 2;
                        continue;
                    }
                    key.append(path.charAt(j));
                    j++;
                }
                if (escaped) {
                    out.append("['").append(key.toString().replace("'", "\\'")).append("']");
                } else {
                    out.append('.').append(key);
                }
                i = j;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    /** A value as kubectl's JSONPath prints it: strings raw, maps and lists as compact JSON, others as text. */
    public static String text(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Map<?, ?> || v instanceof List<?>) {
            return Codecs.json().writeValueAsString(v);
        }
        if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
            return String.valueOf(d.longValue());
        }
        return String.valueOf(v);
    }

    /** A value as Go's {@code %v} prints it (custom columns): {@code map[a:b c:d]}, {@code [x y]}. */
    public static String goText(Object v) {
        if (v == null) {
            return "<nil>";
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("map[");
            Iterator<? extends Map.Entry<?, ?>> it = new TreeMap<>(m).entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> en = it.next();
                sb.append(en.getKey()).append(':').append(goText(en.getValue()));
                if (it.hasNext()) {
                    sb.append(' ');
                }
            }
            return sb.append(']').toString();
        }
        if (v instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    sb.append(' ');
                }
                sb.append(goText(l.get(i)));
            }
            return sb.append(']').toString();
        }
        return text(v);
    }

    /** The template's grammar: text, {@code {expr}}, {@code {"literal"}}, {@code {range expr}}, {@code {end}}. */
    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        List<Node> nodes(boolean inRange) {
            List<Node> out = new ArrayList<>();
            StringBuilder text = new StringBuilder();
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c != '{') {
                    text.append(c);
                    pos++;
                    continue;
                }
                if (!text.isEmpty()) {
                    out.add(new Text(text.toString()));
                    text.setLength(0);
                }
                String inner = block();
                String t = inner.trim();
                if (t.startsWith("\"") || t.startsWith("'")) {
                    out.add(new Text(literal(t)));
                } else if (t.equals("end")) {
                    if (!inRange) {
                        throw error("not in range, nothing to end");
                    }
                    return out;
                } else if (t.startsWith("range ") || t.equals("range")) {
                    String path = t.substring(5).trim();
                    if (path.isEmpty()) {
                        throw error("missing expression after range");
                    }
                    out.add(new Range(path, nodes(true)));
                } else {
                    out.add(new Expr(t));
                }
            }
            if (!text.isEmpty()) {
                out.add(new Text(text.toString()));
            }
            if (inRange) {
                throw error("unclosed range, missing {end}");
            }
            return out;
        }

        /** The text between the braces at {@code pos} (quotes and nested brackets respected). */
        private String block() {
            int start = ++pos;
            char quote = 0;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (quote != 0) {
                    if (c == '\\') {
                        pos += 2;
                        continue;
                    }
                    if (c == quote) {
                        quote = 0;
                    }
                } else if (c == '"' || c == '\'') {
                    quote = c;
                } else if (c == '}') {
                    String inner = s.substring(start, pos);
                    pos++;
                    return inner;
                }
                pos++;
            }
            throw error("unclosed action");
        }

        private String literal(String t) {
            char q = t.charAt(0);
            if (t.length() < 2 || t.charAt(t.length() - 1) != q) {
                throw error("unterminated quoted string");
            }
            String body = t.substring(1, t.length() - 1);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < body.length(); i++) {
                char c = body.charAt(i);
                if (c == '\\' && i + 1 < body.length()) {
                    char n = body.charAt(++i);
                    sb.append(switch (n) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        case 'r' -> '\r';
                        default -> n;
                    });
                } else {
                    sb.append(c);
                }
            }
            return sb.toString();
        }

        private UsageException error(String what) {
            return new UsageException("error parsing jsonpath " + s + ", " + what);
        }
    }
}
