package io.kube4j.cli.api;

import io.kube4j.api.codec.Codecs;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.KubeClient;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The writes of {@code apply}, {@code create}, {@code delete}, {@code edit}, {@code patch}, ... on any resource, as
 * JSON trees, through the client's {@code RawClient}: the raw client lets every request carry kubectl's query
 * parameters ({@code dryRun=All}, {@code fieldManager}) and any patch media type (strategic merge, apply). Errors are
 * the client's {@link ApiStatusException}s.
 */
public final class ObjectRest {

    private final KubeClient client;

    public ObjectRest(KubeClient client) {
        this.client = client;
    }

    /** Query parameters, in order; null values are left out. */
    public static Map<String, String> query(String... keyValues) {
        Map<String, String> q = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            if (keyValues[i + 1] != null) {
                q.put(keyValues[i], keyValues[i + 1]);
            }
        }
        return q;
    }

    /** The object, or empty when it does not exist. */
    public Optional<ObjectNode> get(ApiResource r, String namespace, String name) {
        try {
            return Optional.of(send(HttpMethod.GET, r.objectPath(namespace, name), Map.of(), null, null));
        } catch (ApiStatusException.NotFound e) {
            return Optional.empty();
        }
    }

    /** The object; NotFound propagates. */
    public ObjectNode require(ApiResource r, String namespace, String name) {
        return send(HttpMethod.GET, r.objectPath(namespace, name), Map.of(), null, null);
    }

    /** LIST with optional selectors: the list object. */
    public ObjectNode list(ApiResource r, String namespace, String labelSelector, String fieldSelector) {
        return send(HttpMethod.GET, r.collectionPath(namespace),
                query("labelSelector", labelSelector, "fieldSelector", fieldSelector), null, null);
    }

    public ObjectNode create(ApiResource r, String namespace, ObjectNode body, Map<String, String> query) {
        return send(HttpMethod.POST, r.collectionPath(namespace), query, MediaType.APPLICATION_JSON,
                Codecs.toJson(body));
    }

    public ObjectNode replace(ApiResource r, String namespace, String name, ObjectNode body, Map<String, String> query) {
        return send(HttpMethod.PUT, r.objectPath(namespace, name), query, MediaType.APPLICATION_JSON,
                Codecs.toJson(body));
    }

    /** PATCH with {@code mediaType} ({@code application/merge-patch+json}, ...). */
    public ObjectNode patch(ApiResource r, String namespace, String name, String mediaType, String patch,
                            Map<String, String> query) {
        return send(HttpMethod.PATCH, r.objectPath(namespace, name), query, MediaType.parseMediaType(mediaType),
                patch.getBytes(StandardCharsets.UTF_8));
    }

    /** DELETE with a {@code DeleteOptions} body (null: none); the answer (the object, or a Status). */
    public ObjectNode delete(ApiResource r, String namespace, String name, ObjectNode deleteOptions,
                             Map<String, String> query) {
        return send(HttpMethod.DELETE, r.objectPath(namespace, name), query, MediaType.APPLICATION_JSON,
                deleteOptions == null ? null : Codecs.toJson(deleteOptions));
    }

    private ObjectNode send(HttpMethod method, String path, Map<String, String> query, MediaType type, byte[] body) {
        StringJoiner q = new StringJoiner("&", "?", "").setEmptyValue("");
        query.forEach((k, v) -> q.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8)));
        byte[] answer = client.raw().request(method, path + q, type, body).block();
        if (answer == null || answer.length == 0) {
            return Codecs.json().createObjectNode();
        }
        JsonNode n = Codecs.json().readTree(answer);
        return n instanceof ObjectNode o ? o : Codecs.json().createObjectNode();
    }
}
