package io.kube4j.cli.api;

import io.kube4j.api.codec.Codecs;
import io.kube4j.client.KubeClient;
import tools.jackson.databind.JsonNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads objects as Jackson trees through the raw client: one object, or a collection's items (following
 * {@code continue} tokens) with label and field selectors. Errors propagate as the client's ApiStatusException.
 */
public final class Fetch {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Fetch() {
    }

    /** The JSON document at {@code path}. */
    public static JsonNode json(KubeClient client, String path) {
        byte[] b = client.raw().get(path).block(TIMEOUT);
        return Codecs.json().readTree(b == null ? new byte[0] : b);
    }

    /** One object. */
    public static JsonNode object(KubeClient client, ApiResource r, String namespace, String name) {
        return json(client, r.objectPath(namespace, name));
    }

    /**
     * The items of a collection; {@code namespace} null: across all namespaces (or cluster-scoped). Items carry
     * {@code kind}/{@code apiVersion} (filled from the resource when the list omits them).
     */
    public static List<JsonNode> list(KubeClient client, ApiResource r, String namespace, String labelSelector,
                                      String fieldSelector) {
        List<JsonNode> items = new ArrayList<>();
        String cont = null;
        do {
            StringBuilder q = new StringBuilder("?limit=500");
            if (labelSelector != null && !labelSelector.isBlank()) {
                q.append("&labelSelector=").append(enc(labelSelector));
            }
            if (fieldSelector != null && !fieldSelector.isBlank()) {
                q.append("&fieldSelector=").append(enc(fieldSelector));
            }
            if (cont != null) {
                q.append("&continue=").append(enc(cont));
            }
            JsonNode page = json(client, r.collectionPath(namespace) + q);
            for (JsonNode item : page.path("items")) {
                if (item.isObject()) {
                    tools.jackson.databind.node.ObjectNode o = (tools.jackson.databind.node.ObjectNode) item;
                    if (!o.has("kind")) {
                        o.put("kind", r.kind());
                    }
                    if (!o.has("apiVersion")) {
                        o.put("apiVersion", r.apiVersion());
                    }
                }
                items.add(item);
            }
            cont = page.path("metadata").path("continue").asString("");
        } while (cont != null && !cont.isEmpty());
        return items;
    }

    public static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
