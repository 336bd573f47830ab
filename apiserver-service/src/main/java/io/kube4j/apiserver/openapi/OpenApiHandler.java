package io.kube4j.apiserver.openapi;

import io.kube4j.api.codec.Codecs;
import io.kube4j.api.patch.PatchMetaTable;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.rest.ApiException;
import io.kube4j.apiserver.rest.Responses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Kubernetes OpenAPI documents: v3 discovery ({@code /openapi/v3}) with one document per group-version, and the
 * single Swagger 2.0 document ({@code /openapi/v2}, JSON only). Paths carry {@code x-kubernetes-action},
 * {@code x-kubernetes-group-version-kind} and the {@code fieldValidation} parameter (kubectl leaves validation to
 * the server when it sees them); schemas are the real ones from {@link ModelSchemas}, which {@code kubectl explain}
 * and client-side validation read. Every document is generated once, on a worker thread, when the first OpenAPI
 * request comes (concurrent requests wait for the same generation), and served from cached bytes with its SHA-512 as
 * hash and ETag. Not at start: generating takes 1.5-3 s of CPU, which on a small machine slowed the start of the
 * apiserver and of every role started beside it, for documents that only kubectl's validation and explain read.
 */
public final class OpenApiHandler {

    private static final Logger log = LoggerFactory.getLogger(OpenApiHandler.class);
    private static final String TITLE = "Kubernetes";
    private static final String VERSION = "v1.31.0-kube4j";
    private static final String PROTOBUF = "application/com.github.proto-openapi.spec.v2";

    private final ResourceRegistry registry;
    private final KubernetesDescriptions docs;
    private ModelSchemas models;
    /** The documents, generated once on a worker thread at the first subscription (the first OpenAPI request). */
    private final Mono<Documents> documents;

    /** Every served document, as bytes, with its hash. */
    private record Documents(Map<String, byte[]> v3, Map<String, String> hashes, byte[] v2, String v2Hash) {
    }

    public OpenApiHandler(ResourceRegistry registry) {
        this(registry, KubernetesDescriptions.builtin());
    }

    public OpenApiHandler(ResourceRegistry registry, KubernetesDescriptions docs) {
        this.registry = registry;
        this.docs = docs;
        this.documents = Mono.fromCallable(this::generate).subscribeOn(Schedulers.boundedElastic())
                .doOnError(e -> log.error("OpenAPI documents could not be generated", e))
                .cache();
    }

    private synchronized Documents generate() {
        long start = System.nanoTime();
        this.models = new ModelSchemas(registry, PatchMetaTable.builtin(), docs);
        Map<String, byte[]> v3 = new LinkedHashMap<>();
        Map<String, String> hashes = new LinkedHashMap<>();
        long v3Bytes = 0;
        for (Map.Entry<String, Set<String>> g : registry.groupVersions().entrySet()) {
            for (String v : g.getValue()) {
                String path = g.getKey().isEmpty() ? "api/" + v : "apis/" + g.getKey() + "/" + v;
                byte[] doc = Codecs.json().writeValueAsBytes(v3Document(g.getKey(), v));
                v3.put(path, doc);
                hashes.put(path, sha512(doc));
                v3Bytes += doc.length;
            }
        }
        byte[] v2 = Codecs.json().writeValueAsBytes(v2Document());
        log.info("OpenAPI: {} schemas (Kubernetes descriptions: {}), {} v3 documents ({} bytes), v2 {} bytes, "
                        + "generated in {} ms", models.schemas().size(), docs.available(), v3.size(), v3Bytes,
                v2.length, (System.nanoTime() - start) / 1_000_000);
        return new Documents(v3, hashes, v2, sha512(v2));
    }

    public Mono<ServerResponse> index(ServerRequest r) {
        return documents.flatMap(d -> {
            ObjectNode root = Codecs.json().createObjectNode();
            ObjectNode paths = root.putObject("paths");
            d.hashes().forEach((path, hash) -> paths.putObject(path)
                    .put("serverRelativeURL", "/openapi/v3/" + path + "?hash=" + hash));
            return Responses.object(r, 200, root);
        });
    }

    public Mono<ServerResponse> document(ServerRequest r) {
        String path = r.path().substring("/openapi/v3/".length());
        return documents.flatMap(d -> {
            byte[] doc = d.v3().get(path);
            if (doc == null) {
                return Responses.error(ApiException.notFound("the server could not find the requested resource"));
            }
            return cached(r, doc, d.hashes().get(path));
        });
    }

    /**
     * {@code /openapi/v2} in JSON. Kubernetes also serves it as protobuf, which client-go asks for alone; that form is
     * not implemented, so such a request gets 406 (client-go then tries the pre-1.10 path and reports the failure).
     */
    public Mono<ServerResponse> v2(ServerRequest r) {
        // read the header as text: Spring's media type parser rejects the '@' in the protobuf type
        String accept = String.join(",", r.headers().header("Accept"));
        boolean protobufOnly = accept.contains(PROTOBUF) && !accept.contains("json") && !accept.contains("*/*");
        if (protobufOnly) {
            return Responses.error(ApiException.notAcceptable("only application/json is supported for /openapi/v2"));
        }
        return documents.flatMap(d -> cached(r, d.v2(), d.v2Hash()));
    }

    /** The generated documents (blocking until they exist): the v3 ones by path, and "v2". */
    Map<String, byte[]> documentsForTest() {
        Documents d = documents.block();
        Map<String, byte[]> all = new LinkedHashMap<>(d.v3());
        all.put("v2", d.v2());
        return all;
    }

    private static Mono<ServerResponse> cached(ServerRequest r, byte[] doc, String hash) {
        String etag = "\"" + hash + "\"";
        if (r.headers().header("If-None-Match").contains(etag)) {
            return ServerResponse.status(304).header("Etag", etag).build();
        }
        return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                .header("Cache-Control", r.queryParam("hash").isPresent() ? "public, immutable" : "no-cache")
                .header("Etag", etag)
                .bodyValue(doc);
    }

    private ObjectNode v3Document(String group, String version) {
        ObjectNode doc = Codecs.json().createObjectNode();
        doc.put("openapi", "3.0.0");
        doc.putObject("info").put("title", TITLE).put("version", VERSION);
        ObjectNode paths = doc.putObject("paths");
        List<String> roots = new ArrayList<>(List.of(ModelSchemas.STATUS));
        for (ResourceType t : registry.inGroupVersion(group, version)) {
            roots.add(models.definition(t));
            roots.add(models.listDefinition(t));
            operations(paths, t, false);
        }
        ObjectNode schemas = doc.putObject("components").putObject("schemas");
        for (String name : models.closure(roots)) {
            schemas.set(name, models.schemas().get(name));
        }
        return doc;
    }

    private ObjectNode v2Document() {
        ObjectNode doc = Codecs.json().createObjectNode();
        doc.put("swagger", "2.0");
        doc.putObject("info").put("title", TITLE).put("version", VERSION);
        ObjectNode paths = doc.putObject("paths");
        for (ResourceType t : registry.all()) {
            operations(paths, t, true);
        }
        registry.alsoServed().forEach(v -> operations(paths, v.served(), true));
        ObjectNode definitions = doc.putObject("definitions");
        models.schemas().forEach((name, s) -> definitions.set(name, ModelSchemas.toV2(s)));
        doc.putArray("security").addObject().putArray("BearerToken");
        doc.putObject("securityDefinitions").putObject("BearerToken")
                .put("description", "Bearer Token authentication").put("in", "header")
                .put("name", "authorization").put("type", "apiKey");
        return doc;
    }

    private void operations(ObjectNode paths, ResourceType t, boolean v2) {
        String prefix = t.group().isEmpty() ? "/api/" + t.version() : "/apis/" + t.group() + "/" + t.version();
        String base = t.namespaced() ? prefix + "/namespaces/{namespace}/" + t.plural() : prefix + "/" + t.plural();
        String item = models.definition(t);
        String list = models.listDefinition(t);
        ObjectNode collection = paths.putObject(base);
        if (t.verbs().contains("list") && list != null) {
            operation(collection, "get", t, "list", list, false, v2);
        }
        if (t.verbs().contains("create")) {
            operation(collection, "post", t, "post", item, true, v2);
        }
        if (t.verbs().contains("deletecollection")) {
            operation(collection, "delete", t, "deletecollection", ModelSchemas.STATUS, false, v2);
        }
        pathParameters(collection, t, false, v2);
        if (t.stored()) {
            ObjectNode one = paths.putObject(base + "/{name}");
            operation(one, "get", t, "get", item, false, v2);
            if (t.verbs().contains("update")) {
                operation(one, "put", t, "put", item, true, v2);
            }
            if (t.verbs().contains("patch")) {
                operation(one, "patch", t, "patch", item, true, v2);
            }
            if (t.verbs().contains("delete")) {
                operation(one, "delete", t, "delete", item, false, v2);
            }
            pathParameters(one, t, true, v2);
        }
    }

    private static void pathParameters(ObjectNode path, ResourceType t, boolean named, boolean v2) {
        ArrayNode params = path.putArray("parameters");
        if (named) {
            parameter(params, "name", "path", "string", v2).put("required", true)
                    .put("description", "name of the " + t.kind());
        }
        if (t.namespaced()) {
            parameter(params, "namespace", "path", "string", v2).put("required", true)
                    .put("description", "object name and auth scope, such as for teams and projects");
        }
        parameter(params, "pretty", "query", "string", v2)
                .put("description", "If 'true', then the output is pretty printed.");
    }

    private static ObjectNode parameter(ArrayNode params, String name, String in, String type, boolean v2) {
        ObjectNode p = params.addObject().put("name", name).put("in", in).put("uniqueItems", true);
        if (v2) {
            p.put("type", type);
        } else {
            p.putObject("schema").put("type", type);
        }
        return p;
    }

    private static void operation(ObjectNode path, String method, ResourceType t, String action, String schema,
                                  boolean body, boolean v2) {
        ObjectNode op = path.putObject(method);
        String gv = (t.group().isEmpty() ? "core" : t.group().split("\\.")[0]) + t.version();
        op.put("operationId", action.replace("post", "create").replace("put", "replace")
                + Character.toUpperCase(gv.charAt(0)) + gv.substring(1)
                + (t.namespaced() ? "Namespaced" : "") + t.kind());
        op.put("x-kubernetes-action", action);
        op.putObject("x-kubernetes-group-version-kind").put("group", t.group()).put("version", t.version())
                .put("kind", t.kind());
        ArrayNode params = op.putArray("parameters");
        if (body) {
            for (String p : new String[] {"dryRun", "fieldManager", "fieldValidation"}) {
                parameter(params, p, "query", "string", v2);
            }
            if (action.equals("patch")) {
                parameter(params, "force", "query", "boolean", v2);
            }
            String bodyRef = action.equals("patch") ? null : ref(schema, v2);
            if (v2) {
                ObjectNode b = params.addObject().put("name", "body").put("in", "body").put("required", true);
                if (bodyRef == null) {
                    b.putObject("schema").put("type", "object");
                } else {
                    b.putObject("schema").put("$ref", bodyRef);
                }
            } else {
                ObjectNode content = op.putObject("requestBody").put("required", true).putObject("content");
                List<String> types = action.equals("patch")
                        ? List.of("application/apply-patch+yaml", "application/json-patch+json",
                        "application/merge-patch+json", "application/strategic-merge-patch+json")
                        : List.of("*/*");
                for (String type : types) {
                    ObjectNode s = content.putObject(type).putObject("schema");
                    if (bodyRef == null) {
                        s.put("type", "object");
                    } else {
                        s.put("$ref", bodyRef);
                    }
                }
            }
        }
        if (v2) {
            op.putArray("consumes").add(action.equals("patch") ? "application/strategic-merge-patch+json" : "*/*");
            op.putArray("produces").add("application/json").add("application/yaml");
        }
        ObjectNode responses = op.putObject("responses");
        for (String code : body && !action.equals("patch") ? List.of("200", "201") : List.of("200")) {
            ObjectNode r = responses.putObject(code).put("description", code.equals("200") ? "OK" : "Created");
            if (v2) {
                r.putObject("schema").put("$ref", ref(schema, true));
            } else {
                ObjectNode content = r.putObject("content");
                for (String type : List.of("application/json", "application/yaml")) {
                    content.putObject(type).putObject("schema").put("$ref", ref(schema, false));
                }
            }
        }
    }

    private static String ref(String name, boolean v2) {
        return (v2 ? ModelSchemas.V2_REF : ModelSchemas.V3_REF) + name;
    }

    private static String sha512(byte[] doc) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(doc)).toUpperCase();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
