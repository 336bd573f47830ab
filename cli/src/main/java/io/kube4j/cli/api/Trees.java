package io.kube4j.cli.api;

import tools.jackson.databind.JsonNode;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Small null-safe readers of Kubernetes objects held as Jackson trees (what the dynamic and raw clients return), so
 * printers read {@code status.podIP} without a chain of checks.
 */
public final class Trees {

    /** Go's {@code time.RFC1123Z} ({@code Mon, 02 Jan 2006 15:04:05 -0700}), what describe prints times as. */
    private static final DateTimeFormatter RFC1123Z =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.US);

    private Trees() {
    }

    /** The node at a dotted path ({@code status.podIP}); a missing node if absent. */
    public static JsonNode at(JsonNode node, String dotted) {
        JsonNode n = node;
        for (String p : dotted.split("\\.")) {
            n = n == null ? null : n.path(p);
        }
        return n;
    }

    /** The text at a dotted path, {@code ""} if absent or null (numbers and booleans as text). */
    public static String text(JsonNode node, String dotted) {
        return text(at(node, dotted));
    }

    public static String text(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull()) {
            return "";
        }
        return n.isValueNode() ? n.asString() : n.toString();
    }

    /** The text, or {@code fallback} when empty. */
    public static String or(String s, String fallback) {
        return s == null || s.isEmpty() ? fallback : s;
    }

    /** An object's string map ({@code metadata.labels}) sorted by key; empty if absent. */
    public static Map<String, String> map(JsonNode node, String dotted) {
        Map<String, String> m = new TreeMap<>();
        JsonNode n = at(node, dotted);
        if (n != null && n.isObject()) {
            n.properties().forEach(e -> m.put(e.getKey(), text(e.getValue())));
        }
        return m;
    }

    /** The elements of an array at a path (empty if absent). */
    public static List<JsonNode> list(JsonNode node, String dotted) {
        List<JsonNode> l = new ArrayList<>();
        JsonNode n = at(node, dotted);
        if (n != null && n.isArray()) {
            n.forEach(l::add);
        }
        return l;
    }

    public static List<String> strings(JsonNode node, String dotted) {
        return list(node, dotted).stream().map(Trees::text).toList();
    }

    /** {@code k=v,k2=v2} sorted (apimachinery's {@code labels.FormatLabels}; {@code <none>} when empty). */
    public static String formatLabels(Map<String, String> labels) {
        if (labels.isEmpty()) {
            return "<none>";
        }
        StringBuilder sb = new StringBuilder();
        labels.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ",").append(k).append('=').append(v));
        return sb.toString();
    }

    /** A label selector ({@code matchLabels} + {@code matchExpressions}) as kubectl prints it. */
    public static String formatSelector(JsonNode selector) {
        if (selector == null || selector.isMissingNode() || selector.isNull()) {
            return "<none>";
        }
        List<String> parts = new ArrayList<>();
        map(selector, "matchLabels").forEach((k, v) -> parts.add(k + "=" + v));
        for (JsonNode e : list(selector, "matchExpressions")) {
            String key = text(e, "key");
            List<String> values = strings(e, "values").stream().sorted().toList();
            switch (text(e, "operator")) {
                case "In" -> parts.add(key + " in (" + String.join(",", values) + ")");
                case "NotIn" -> parts.add(key + " notin (" + String.join(",", values) + ")");
                case "Exists" -> parts.add(key);
                case "DoesNotExist" -> parts.add("!" + key);
                default -> parts.add(key + " " + text(e, "operator") + " " + values);
            }
        }
        java.util.Collections.sort(parts);
        return parts.isEmpty() ? "<none>" : String.join(",", parts);
    }

    /** An RFC 3339 timestamp in Go's RFC1123Z, in the local zone as kubectl prints it; {@code ""} if absent. */
    public static String rfc1123(String timestamp) {
        if (timestamp == null || timestamp.isEmpty()) {
            return "";
        }
        try {
            return OffsetDateTime.parse(timestamp).atZoneSameInstant(ZoneId.systemDefault()).format(RFC1123Z);
        } catch (RuntimeException e) {
            return timestamp;
        }
    }

    /** The controller owner reference's {@code Kind/name}, or {@code ""}. */
    public static String controlledBy(JsonNode obj) {
        for (JsonNode ref : list(obj, "metadata.ownerReferences")) {
            if (ref.path("controller").asBoolean(false)) {
                return text(ref, "kind") + "/" + text(ref, "name");
            }
        }
        return "";
    }

    /** The controller owner reference's uid, or {@code ""}. */
    public static String controllerUid(JsonNode obj) {
        for (JsonNode ref : list(obj, "metadata.ownerReferences")) {
            if (ref.path("controller").asBoolean(false)) {
                return text(ref, "uid");
            }
        }
        return "";
    }
}
