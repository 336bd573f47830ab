package io.kube4j.apiserver.testsupport;

import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Writes ConfigMaps through an apiserver and returns each write as the watch event it must cause (type, name,
 * the resourceVersion the write answered with), so watch tests can compare what watchers got with what was done.
 */
public final class ConfigMapWriter {

    /** One change as a watch must deliver it. */
    public record Change(String type, String name, long resourceVersion) {
        public static Change of(WatchStream.Event e) {
            return new Change(e.type(), e.name(), e.resourceVersion());
        }
    }

    private final ApiClient client;
    private final String namespace;

    public ConfigMapWriter(ApiClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    public ConfigMapWriter through(ApiClient other) {
        return new ConfigMapWriter(other, namespace);
    }

    public String path() {
        return "/api/v1/namespaces/" + namespace + "/configmaps";
    }

    /** Creates the namespace (201, or 409 when it exists already). */
    public static void createNamespace(ApiClient client, String name) {
        ApiClient.Response r = client.post("/api/v1/namespaces",
                "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + name + "\"}}");
        assertThat(r.code()).as(r.body()).isIn(201, 409);
    }

    /** The resourceVersion of a list of the namespace's ConfigMaps: where a watch of "everything after now" starts. */
    public long listRevision() {
        ApiClient.Response r = client.get(path());
        assertThat(r.code()).as(r.body()).isEqualTo(200);
        return Long.parseLong(r.json().path("metadata").path("resourceVersion").asString());
    }

    public Change create(String name, Map<String, String> labels) {
        ApiClient.Response r = client.post(path(), "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\""
                + name + "\",\"labels\":" + json(labels) + "},\"data\":{\"n\":\"0\"}}");
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        return change("ADDED", r);
    }

    public Change create(String name) {
        return create(name, Map.of());
    }

    /** Sets data.n (a merge patch, no precondition). */
    public Change update(String name, int n) {
        ApiClient.Response r = client.mergePatch(path() + "/" + name, "{\"data\":{\"n\":\"" + n + "\"}}");
        assertThat(r.code()).as(r.body()).isEqualTo(200);
        return change("MODIFIED", r);
    }

    /** Sets one label (a merge patch). */
    public Change label(String name, String key, String value) {
        ApiClient.Response r = client.mergePatch(path() + "/" + name,
                "{\"metadata\":{\"labels\":{\"" + key + "\":\"" + value + "\"}}}");
        assertThat(r.code()).as(r.body()).isEqualTo(200);
        return change("MODIFIED", r);
    }

    public Change delete(String name) {
        ApiClient.Response r = client.delete(path() + "/" + name);
        assertThat(r.code()).as(r.body()).isEqualTo(200);
        return change("DELETED", r);
    }

    private static Change change(String type, ApiClient.Response r) {
        return new Change(type, r.json().path("metadata").path("name").asString(),
                Long.parseLong(r.json().path("metadata").path("resourceVersion").asString()));
    }

    private static String json(Map<String, String> m) {
        return m.entrySet().stream().map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"")
                .collect(Collectors.joining(",", "{", "}"));
    }
}
