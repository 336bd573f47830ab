package io.kube4j.cli.commands.config;

import io.kube4j.api.codec.Codecs;
import tools.jackson.core.util.DefaultIndenter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The kubeconfig as {@code kubectl config view} prints it: entries sorted by name, secrets shortened
 * ({@code DATA+OMITTED}, {@code REDACTED}) unless raw, YAML with sorted keys, JSON in client-go's field order with
 * four-space indentation.
 */
final class ConfigView {

    private static final List<String> TOP = List.of("kind", "apiVersion", "preferences", "clusters", "users",
            "contexts", "current-context", "extensions");
    private static final List<String> CLUSTER = List.of("server", "tls-server-name", "insecure-skip-tls-verify",
            "certificate-authority", "certificate-authority-data", "proxy-url", "disable-compression", "extensions");
    private static final List<String> USER = List.of("client-certificate", "client-certificate-data", "client-key",
            "client-key-data", "token", "tokenFile", "as", "as-uid", "as-groups", "as-user-extra", "username",
            "password", "auth-provider", "exec", "extensions");
    private static final List<String> CONTEXT = List.of("cluster", "user", "namespace", "extensions");

    private ConfigView() {
    }

    /** The document to print: {@code merged} normalised, shortened unless {@code raw}, minified to {@code context}. */
    static ObjectNode of(ObjectNode merged, boolean raw, String minifyTo) {
        ObjectNode c = merged.deepCopy();
        if (!c.has("preferences")) {
            c.putObject("preferences");
        }
        if (!c.has("current-context")) {
            c.put("current-context", "");
        }
        if (minifyTo != null) {
            JsonNode ctx = null;
            for (JsonNode e : c.path("contexts")) {
                if (minifyTo.equals(e.path("name").asString())) {
                    ctx = e;
                }
            }
            keepOnly(c, "contexts", minifyTo);
            keepOnly(c, "clusters", ctx == null ? null : ctx.path("context").path("cluster").asString(""));
            keepOnly(c, "users", ctx == null ? null : ctx.path("context").path("user").asString(""));
            c.put("current-context", minifyTo);
        }
        for (String list : List.of("clusters", "users", "contexts")) {
            if (c.get(list) instanceof ArrayNode a) {
                List<JsonNode> sorted = new ArrayList<>();
                a.forEach(sorted::add);
                sorted.sort(Comparator.comparing(e -> e.path("name").asString("")));
                a.removeAll();
                sorted.forEach(a::add);
            }
        }
        if (!raw) {
            for (JsonNode u : c.path("users")) {
                if (u.get("user") instanceof ObjectNode user) {
                    omit(user, "client-certificate-data", "DATA+OMITTED");
                    omit(user, "client-key-data", "DATA+OMITTED");
                    omit(user, "token", "REDACTED");
                }
            }
            for (JsonNode cl : c.path("clusters")) {
                if (cl.get("cluster") instanceof ObjectNode cluster) {
                    omit(cluster, "certificate-authority-data", "DATA+OMITTED");
                }
            }
        }
        return c;
    }

    private static void keepOnly(ObjectNode c, String list, String name) {
        if (c.get(list) instanceof ArrayNode a) {
            for (int i = a.size() - 1; i >= 0; i--) {
                if (!a.get(i).path("name").asString("").equals(name)) {
                    a.remove(i);
                }
            }
        }
    }

    private static void omit(ObjectNode o, String field, String replacement) {
        if (!o.path(field).asString("").isEmpty()) {
            o.put(field, replacement);
        }
    }

    /** YAML with keys sorted at every level, as sigs.k8s.io/yaml prints. */
    static String yaml(ObjectNode doc) {
        return Codecs.yaml().writeValueAsString(sorted(doc));
    }

    /** JSON in client-go's field order, indented by four spaces. */
    static String json(ObjectNode doc) {
        ObjectNode o = ordered(doc, TOP);
        for (String list : List.of("clusters", "users", "contexts")) {
            String body = list.substring(0, list.length() - 1);
            List<String> order = switch (list) {
                case "clusters" -> CLUSTER;
                case "users" -> USER;
                default -> CONTEXT;
            };
            if (o.get(list) instanceof ArrayNode a) {
                for (int i = 0; i < a.size(); i++) {
                    ObjectNode e = (ObjectNode) a.get(i);
                    ObjectNode ne = Codecs.json().createObjectNode();
                    ne.set("name", e.get("name"));
                    if (e.get(body) instanceof ObjectNode b) {
                        ne.set(body, ordered(b, order));
                    }
                    a.set(i, ne);
                }
            }
        }
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectNameValueSpacing(Separators.Spacing.AFTER).withObjectEmptySeparator("")
                .withArrayEmptySeparator(""))
                .withObjectIndenter(new DefaultIndenter("    ", "\n"))
                .withArrayIndenter(new DefaultIndenter("    ", "\n"));
        return Codecs.json().writerWithDefaultPrettyPrinter().with(pp).writeValueAsString(o) + "\n";
    }

    private static ObjectNode ordered(ObjectNode src, List<String> order) {
        ObjectNode o = Codecs.json().createObjectNode();
        for (String k : order) {
            if (src.has(k)) {
                o.set(k, src.get(k));
            }
        }
        for (Map.Entry<String, JsonNode> e : src.properties()) {
            if (!o.has(e.getKey())) {
                o.set(e.getKey(), e.getValue());
            }
        }
        return o;
    }

    private static JsonNode sorted(JsonNode n) {
        if (n instanceof ObjectNode o) {
            TreeMap<String, JsonNode> m = new TreeMap<>();
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                m.put(e.getKey(), sorted(e.getValue()));
            }
            ObjectNode r = Codecs.json().createObjectNode();
            m.forEach(r::set);
            return r;
        }
        if (n instanceof ArrayNode a) {
            ArrayNode r = Codecs.json().createArrayNode();
            a.forEach(e -> r.add(sorted(e)));
            return r;
        }
        return n;
    }
}
