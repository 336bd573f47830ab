package io.kube4j.apiserver.rest;

import io.kube4j.api.codec.Codecs;
import io.kube4j.api.printing.TableGenerator;
import io.kube4j.api.printing.TableGenerator.IncludeObject;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.registry.ListResult;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * What a get, list or watch answer is turned into, negotiated from {@code Accept} as Kubernetes' apiserver does it
 * ({@code negotiation.NegotiateOutputMediaTypeStream} and {@code transformResponseObject}): the object itself, a
 * {@code meta.k8s.io} {@code Table} ({@code as=Table}, what kubectl asks for), or its {@code PartialObjectMetadata}
 * ({@code as=PartialObjectMetadata}/{@code PartialObjectMetadataList}, what metadata informers ask for). Clauses are
 * tried in order of quality; one converting to something this server does not serve is skipped, and when no clause
 * is left the answer is 406 NotAcceptable.
 *
 * @param as      {@code Table}, {@code PartialObjectMetadata}, {@code PartialObjectMetadataList}, or null for none
 * @param version {@code v1} or {@code v1beta1} (of {@code meta.k8s.io})
 * @param include what Table rows carry in {@code object}
 */
record OutputTransform(String as, String version, IncludeObject include) {

    static final OutputTransform NONE = new OutputTransform(null, null, IncludeObject.METADATA);

    private static final Set<String> SERVED = Set.of("Table", "PartialObjectMetadata", "PartialObjectMetadataList");
    private static final Set<String> VERSIONS = Set.of("v1", "v1beta1");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** The transform the request's {@code Accept} asks for; 406 when it only names conversions not served here. */
    static OutputTransform negotiate(ServerRequest request) {
        List<String> raw = request.headers().header("Accept");
        if (raw.isEmpty() || raw.stream().noneMatch(h -> h.contains("as="))) {
            return NONE; // the common case: no conversion asked for, the plain JSON/YAML answer as before
        }
        List<MediaType> accept;
        try {
            accept = new ArrayList<>(MediaType.parseMediaTypes(raw));
        } catch (org.springframework.http.InvalidMediaTypeException e) {
            throw ApiException.notAcceptable("the Accept header could not be parsed: " + e.getMessage());
        }
        accept.sort(Comparator.comparingDouble(MediaType::getQualityValue).reversed()); // stable: header order kept
        for (MediaType m : accept) {
            String type = m.getType() + "/" + m.getSubtype();
            boolean json = type.equals("application/json") || type.equals("application/*") || type.equals("*/*");
            String as = m.getParameter("as");
            if (as == null) {
                if (json || type.equals("application/yaml")) {
                    return NONE;
                }
                continue; // protobuf and anything else this server does not write
            }
            if (json && SERVED.contains(as) && "meta.k8s.io".equals(m.getParameter("g"))
                    && VERSIONS.contains(m.getParameter("v"))) {
                return new OutputTransform(as, m.getParameter("v"), includeObject(request));
            }
        }
        throw ApiException.notAcceptable("only the following media types are accepted: application/json, "
                + "application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io, "
                + "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io, "
                + "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io (and v=v1beta1 of each)");
    }

    private static IncludeObject includeObject(ServerRequest request) {
        String v = request.queryParam("includeObject").orElse(null);
        IncludeObject include = IncludeObject.parse(v);
        if (include == null) {
            throw ApiException.badRequest("unrecognized includeObject value: \"" + v + "\"");
        }
        return include;
    }

    boolean none() {
        return as == null;
    }

    boolean table() {
        return "Table".equals(as);
    }

    /** The Content-Type Kubernetes answers a converted get or list with. */
    String contentType() {
        return "application/json;as=" + as + ";v=" + version + ";g=meta.k8s.io";
    }

    /** The answer to a get of {@code object} (a single object: a one-row Table, or its PartialObjectMetadata). */
    Mono<ServerResponse> object(ResourceType t, JsonNode object, Clock clock) {
        ObjectNode out = switch (as) {
            case "Table" -> TableGenerator.table(t.group(), t.kind(), List.of(object), version, include, true,
                    clock.instant());
            case "PartialObjectMetadata" -> TableGenerator.partialObjectMetadata(object, version);
            default -> throw ApiException.notAcceptable("you requested PartialObjectMetadataList, but the requested "
                    + "object is not a list (" + t.kind() + ")");
        };
        return write(out);
    }

    /** The answer to a list: a Table or a PartialObjectMetadataList carrying the list's resourceVersion/continue. */
    Mono<ServerResponse> list(ResourceType t, ListResult r, Clock clock) {
        List<JsonNode> items = new ArrayList<>(r.items().size());
        for (byte[] item : r.items()) {
            items.add(Codecs.json().readTree(item));
        }
        ObjectNode out;
        switch (as) {
            case "Table" -> out = TableGenerator.table(t.group(), t.kind(), items, version, include, true,
                    clock.instant());
            case "PartialObjectMetadataList" -> {
                out = NODES.objectNode();
                out.put("kind", "PartialObjectMetadataList");
                out.put("apiVersion", "meta.k8s.io/" + version);
                out.putObject("metadata");
                ArrayNode list = out.putArray("items");
                items.forEach(i -> list.add(TableGenerator.partialObjectMetadata(i, version)));
            }
            default -> throw ApiException.notAcceptable("you requested PartialObjectMetadata, but the requested "
                    + "object is a list (" + t.listKind() + ")");
        }
        ObjectNode meta = (ObjectNode) out.get("metadata");
        meta.put("resourceVersion", String.valueOf(r.resourceVersion()));
        if (r.continueToken() != null) {
            meta.put("continue", r.continueToken());
            if (r.remainingItemCount() != null) {
                meta.put("remainingItemCount", r.remainingItemCount());
            }
        }
        return write(out);
    }

    private Mono<ServerResponse> write(ObjectNode out) {
        return ServerResponse.ok().contentType(MediaType.parseMediaType(contentType()))
                .body(BodyInserters.fromValue(Codecs.json().writeValueAsBytes(out)));
    }
}
