package io.kube4j.cli.commands.explain;

import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * kubectl explain's plaintext template ({@code pkg/explain/v2/templates/plaintext.tmpl}) over an OpenAPI v3
 * group-version document: finds the schema whose {@code x-kubernetes-group-version-kind} is the kind, follows the
 * field path through {@code properties}, {@code $ref}, {@code allOf}, {@code items} and {@code additionalProperties},
 * and prints GROUP/KIND/VERSION, FIELD, DESCRIPTION and FIELDS (one level, or all with {@code --recursive}).
 */
public final class OpenApiExplainer {

    /** No such field: kubectl's {@code field "x" does not exist}. */
    public static final class FieldNotFound extends RuntimeException {
        public FieldNotFound(String field) {
            super("field \"" + field + "\" does not exist");
        }
    }

    private final JsonNode document;

    public OpenApiExplainer(JsonNode document) {
        this.document = document;
    }

    /** The kind's schema in the document, or null. */
    public JsonNode schemaFor(String group, String version, String kind) {
        for (JsonNode s : document.path("components").path("schemas")) {
            for (JsonNode gvk : s.path("x-kubernetes-group-version-kind")) {
                if (gvk.path("group").asString("").equals(group) && gvk.path("version").asString("").equals(version)
                        && gvk.path("kind").asString("").equals(kind)) {
                    return s;
                }
            }
        }
        return null;
    }

    /** Whether the schema (after refs) describes any field: kube4j's open schemas do not. */
    public boolean hasFields(JsonNode schema) {
        JsonNode r = resolve(schema);
        return r.path("properties").size() > 0 || r.path("allOf").size() > 0;
    }

    /** The explanation of {@code fieldPath} (empty: the kind itself) as kubectl prints it. */
    public String explain(String group, String version, String kind, JsonNode schema, List<String> fieldPath,
                          boolean recursive) {
        StringBuilder sb = new StringBuilder();
        if (!group.isEmpty()) {
            sb.append("GROUP:      ").append(group).append('\n');
        }
        sb.append("KIND:       ").append(kind).append('\n');
        sb.append("VERSION:    ").append(version).append('\n');
        sb.append('\n');
        String out = output(schema, fieldPath, recursive, new HashSet<>());
        if (out == null || out.isEmpty()) {
            throw new FieldNotFound(fieldPath.get(fieldPath.size() - 1));
        }
        sb.append(out);
        sb.append('\n');
        return sb.toString();
    }

    private String output(JsonNode schema, List<String> path, boolean recursive, Set<String> history) {
        String ref = schema.path("$ref").asString("");
        JsonNode resolved = resolve(schema);
        if (path.isEmpty()) {
            StringBuilder sb = new StringBuilder("DESCRIPTION:\n");
            String d = description(schema);
            sb.append(indent(wrap(d.isEmpty() ? "<empty>" : d, 76), 4)).append('\n');
            String fields = fieldList(schema, 1, recursive, new HashSet<>());
            if (!fields.isEmpty()) {
                sb.append("FIELDS:\n").append(fields);
            }
            return sb.toString();
        }
        if (!ref.isEmpty() && history.contains(ref)) {
            return "";
        }
        Set<String> next = new HashSet<>(history);
        next.add(ref);
        JsonNode sub = resolved.path("properties").get(path.get(0));
        if (sub != null) {
            StringBuilder sb = new StringBuilder();
            if (path.size() == 1) {
                sb.append("FIELD: ").append(path.get(0)).append(" <").append(typeGuess(sub)).append(">\n");
                // the template writes the enum, a newline and another one: kubectl shows two blank lines here
                sb.append(enumLong(resolve(sub))).append('\n').append('\n');
            }
            String rest = output(sub, path.subList(1, path.size()), recursive, new HashSet<>());
            return rest.isEmpty() ? "" : sb + rest;
        }
        if (resolved.has("items")) {
            return output(resolved.get("items"), path, recursive, next);
        }
        if (resolved.path("additionalProperties").isObject()) {
            return output(resolved.get("additionalProperties"), path, recursive, next);
        }
        for (JsonNode alt : resolved.path("allOf")) {
            String o = output(alt, path, recursive, next);
            if (!o.isEmpty()) {
                return o;
            }
        }
        return "";
    }

    private String fieldList(JsonNode schema, int level, boolean recursive, Set<String> history) {
        String ref = schema.path("$ref").asString("");
        if (!ref.isEmpty() && history.contains(ref)) {
            return "";
        }
        Set<String> next = new HashSet<>(history);
        next.add(ref);
        JsonNode resolved = resolve(schema);
        StringBuilder sb = new StringBuilder();
        List<String> names = new ArrayList<>(resolved.path("properties").propertyNames());
        names.sort(null);
        for (String name : names) {
            JsonNode field = resolved.path("properties").get(name);
            int indent = level * 2;
            sb.append(" ".repeat(indent)).append(name).append('\t').append('<').append(typeGuess(field)).append('>');
            for (JsonNode req : resolved.path("required")) {
                if (req.asString("").equals(name)) {
                    sb.append(" -required-");
                }
            }
            sb.append(enumShort(resolve(field), indent)).append('\n');
            if (!recursive) {
                String d = field.path("description").asString("");
                sb.append(indent(wrap(d.isEmpty() ? "<no description>" : d, 78 - indent), indent + 2)).append('\n');
                sb.append('\n');
            } else {
                sb.append(fieldList(field, level + 1, true, next));
            }
        }
        for (JsonNode alt : resolved.path("allOf")) {
            sb.append(fieldList(alt, level, recursive, next));
        }
        if (resolved.has("items")) {
            sb.append(fieldList(resolved.get("items"), level, recursive, next));
        }
        if (resolved.path("additionalProperties").isObject()) {
            sb.append(fieldList(resolved.get("additionalProperties"), level, recursive, next));
        }
        return sb.toString();
    }

    private String description(JsonNode schema) {
        JsonNode r = resolve(schema);
        StringBuilder sb = new StringBuilder();
        if (!r.path("description").asString("").isEmpty()) {
            sb.append(r.path("description").asString()).append('\n');
        }
        for (JsonNode alt : r.path("allOf")) {
            sb.append(description(alt));
        }
        if (r.has("items")) {
            sb.append(description(r.get("items")));
        }
        if (r.path("additionalProperties").isObject()) {
            sb.append(description(r.get("additionalProperties")));
        }
        return sb.toString();
    }

    /** The template's typeGuess: {@code string}, {@code Object}, {@code []Container}, {@code map[string]string}. */
    String typeGuess(JsonNode s) {
        if (s.has("items")) {
            return "[]" + typeGuess(s.get("items"));
        }
        if (s.path("additionalProperties").isObject()) {
            return "map[string]" + typeGuess(s.get("additionalProperties"));
        }
        if (s.path("allOf").size() == 1 && !s.has("properties")) {
            return typeGuess(s.path("allOf").get(0));
        }
        String ref = s.path("$ref").asString("");
        if (!ref.isEmpty()) {
            JsonNode target = refTarget(ref);
            String type = target == null ? "" : target.path("type").asString("");
            if (target == null || type.isEmpty() || type.equals("object")) {
                String name = ref.substring(ref.lastIndexOf('/') + 1);
                String last = name.substring(name.lastIndexOf('.') + 1);
                return last.isEmpty() ? "Object" : last;
            }
            return type;
        }
        String type = s.path("type").asString("");
        return type.isEmpty() || type.equals("object") ? "Object" : type;
    }

    private static String enumShort(JsonNode s, int indent) {
        if (s.path("enum").isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("\n").append(" ".repeat(indent)).append("enum: ");
        int i = 0;
        for (JsonNode e : s.path("enum")) {
            if (i >= 4) {
                sb.append(", ....");
                break;
            }
            sb.append(i > 0 ? ", " : "").append(enumValue(e));
            i++;
        }
        return sb.toString();
    }

    private static String enumLong(JsonNode s) {
        if (s.path("enum").isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("ENUM:");
        for (JsonNode e : s.path("enum")) {
            sb.append("\n    ").append(enumValue(e));
        }
        return sb.toString();
    }

    private static String enumValue(JsonNode e) {
        String v = e.isString() ? e.asString() : e.toString();
        return e.isString() && v.isEmpty() ? "\"\"" : v;
    }

    private JsonNode resolve(JsonNode schema) {
        String ref = schema.path("$ref").asString("");
        if (!ref.isEmpty()) {
            JsonNode t = refTarget(ref);
            if (t != null) {
                return t;
            }
        }
        return schema;
    }

    private JsonNode refTarget(String ref) {
        if (!ref.startsWith("#/")) {
            return null;
        }
        JsonNode n = document;
        for (String p : ref.substring(2).split("/")) {
            n = n.path(p.replace("~1", "/").replace("~0", "~"));
        }
        return n.isMissingNode() ? null : n;
    }

    /**
     * Word wrap at {@code width} columns as kubectl's template does (go-wordwrap's {@code WrapString} behind
     * {@code term.NewWordWrapWriter}): runs of spaces inside a line are kept, a line breaks before the word that would
     * pass the limit (dropping the spaces before it), a word longer than the limit stays whole, and the text's own line
     * breaks stay.
     */
    static String wrap(String text, int width) {
        StringBuilder out = new StringBuilder();
        StringBuilder word = new StringBuilder();
        StringBuilder space = new StringBuilder();
        int current = 0;
        int wordLen = 0;
        int spaceLen = 0;
        for (int cp : text.codePoints().toArray()) {
            if (cp == '\n') {
                if (word.isEmpty()) {
                    if (current + spaceLen <= width) {
                        out.append(space);
                    }
                } else {
                    out.append(space).append(word);
                }
                space.setLength(0);
                word.setLength(0);
                spaceLen = 0;
                wordLen = 0;
                out.append('\n');
                current = 0;
            } else if (Character.isWhitespace(cp) && cp != '\u00a0') {
                if (space.isEmpty() || !word.isEmpty()) {
                    current += spaceLen + wordLen;
                    out.append(space).append(word);
                    space.setLength(0);
                    word.setLength(0);
                    spaceLen = 0;
                    wordLen = 0;
                }
                space.appendCodePoint(cp);
                spaceLen++;
            } else {
                word.appendCodePoint(cp);
                wordLen++;
                if (current + spaceLen + wordLen > width && wordLen < width) {
                    out.append('\n');
                    current = 0;
                    space.setLength(0);
                    spaceLen = 0;
                }
            }
        }
        if (word.isEmpty()) {
            if (current + spaceLen <= width) {
                out.append(space);
            }
        } else {
            out.append(space).append(word);
        }
        return out.toString();
    }

    /** Sprig's {@code indent}: every line, blank ones too. */
    static String indent(String text, int n) {
        String pad = " ".repeat(n);
        return pad + text.replace("\n", "\n" + pad);
    }
}
