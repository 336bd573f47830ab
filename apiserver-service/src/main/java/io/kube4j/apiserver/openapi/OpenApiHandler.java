package io.kube4j.apiserver.openapi;

import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.rest.ApiException;
import io.kube4j.apiserver.rest.Responses;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The Kubernetes OpenAPI v3 discovery document ({@code /openapi/v3}) and one document per group-version.
 * Each describes the resources' paths and operations, with {@code x-kubernetes-group-version-kind} and the
 * {@code fieldValidation} parameter that kubectl looks for to leave validation to the server. Object schemas
 * are open ({@code type: object}) until generated schemas arrive (kubectl explain needs those).
 */
public final class OpenApiHandler {

    private final ResourceRegistry registry;
    private final Map<String, byte[]> documents = new LinkedHashMap<>();
    private final Map<String, String> hashes = new LinkedHashMap<>();

    public OpenApiHandler(ResourceRegistry registry) {
        this.registry = registry;
        for (Map.Entry<String, Set<String>> g : registry.groupVersions().entrySet()) {
            for (String v : g.getValue()) {
                String path = g.getKey().isEmpty() ? "api/" + v : "apis/" + g.getKey() + "/" + v;
                byte[] doc = Codecs.json().writeValueAsBytes(document(g.getKey(), v));
                documents.put(path, doc);
                hashes.put(path, sha512(doc));
            }
        }
    }

    public Mono<ServerResponse> index(ServerRequest r) {
        ObjectNode root = Codecs.json().createObjectNode();
        ObjectNode paths = root.putObject("paths");
        hashes.forEach((path, hash) -> paths.putObject(path).put("serverRelativeURL", "/openapi/v3/" + path + "?hash=" + hash));
        return Responses.object(r, 200, root);
    }

    public Mono<ServerResponse> document(ServerRequest r) {
        String path = r.path().substring("/openapi/v3/".length());
        byte[] doc = documents.get(path);
        if (doc == null) {
            return Responses.error(ApiException.notFound("the server could not find the requested resource"));
        }
        return ServerResponse.ok().contentType(org.springframework.http.MediaType.APPLICATION_JSON)
                .header("Cache-Control", r.queryParam("hash").isPresent() ? "public, immutable" : "no-cache")
                .header("Etag", "\"" + hashes.get(path) + "\"")
                .bodyValue(doc);
    }

    private ObjectNode document(String group, String version) {
        ObjectNode doc = Codecs.json().createObjectNode();
        doc.put("openapi", "3.0.0");
        doc.putObject("info").put("title", "Kubernetes").put("version", "v1.31.0-kube4j");
        ObjectNode paths = doc.putObject("paths");
        ObjectNode schemas = doc.putObject("components").putObject("schemas");
        String prefix = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
        for (ResourceType t : registry.inGroupVersion(group, version)) {
            String schemaName = schemaName(t);
            ObjectNode schema = schemas.putObject(schemaName);
            schema.put("type", "object");
            schema.put("description", t.kind() + " (" + t.apiVersion() + ")");
            schema.putArray("x-kubernetes-group-version-kind").addObject()
                    .put("group", t.group()).put("version", t.version()).put("kind", t.kind());
            String base = t.namespaced() ? prefix + "/namespaces/{namespace}/" + t.plural() : prefix + "/" + t.plural();
            ObjectNode collection = paths.putObject(base);
            operation(collection.putObject("get"), t, "list", schemaName);
            operation(collection.putObject("post"), t, "post", schemaName);
            operation(collection.putObject("delete"), t, "deletecollection", schemaName);
            ObjectNode item = paths.putObject(base + "/{name}");
            operation(item.putObject("get"), t, "get", schemaName);
            operation(item.putObject("put"), t, "put", schemaName);
            operation(item.putObject("patch"), t, "patch", schemaName);
            operation(item.putObject("delete"), t, "delete", schemaName);
        }
        return doc;
    }

    private static String schemaName(ResourceType t) {
        String g = t.group().isEmpty() ? "core" : t.group();
        return "io.k8s.api." + g + "." + t.version() + "." + t.kind();
    }

    private static void operation(ObjectNode op, ResourceType t, String action, String schema) {
        op.put("operationId", action + t.kind());
        op.put("x-kubernetes-action", action);
        op.putObject("x-kubernetes-group-version-kind").put("group", t.group()).put("version", t.version()).put("kind", t.kind());
        ArrayNode params = op.putArray("parameters");
        if (action.equals("post") || action.equals("put") || action.equals("patch")) {
            for (String p : new String[] {"dryRun", "fieldManager", "fieldValidation"}) {
                params.addObject().put("name", p).put("in", "query").put("uniqueItems", true)
                        .putObject("schema").put("type", "string");
            }
            if (action.equals("patch")) {
                params.addObject().put("name", "force").put("in", "query").put("uniqueItems", true)
                        .putObject("schema").put("type", "boolean");
            }
        }
        op.putObject("responses").putObject("200").put("description", "OK").putObject("content")
                .putObject("application/json").putObject("schema").put("$ref", "#/components/schemas/" + schema);
    }

    private static String sha512(byte[] doc) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(doc)).toUpperCase();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
