package io.kube4j.apiserver.rest;

import io.kube4j.api.codec.Codecs;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import java.util.List;

/** Reads request bodies: size-limited, JSON or YAML, always an object, with errors a user can act on. */
public final class Bodies {

    private Bodies() {
    }

    public static Mono<byte[]> read(ServerRequest request, long maxSize) {
        return DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), (int) Math.min(maxSize, Integer.MAX_VALUE))
                .map(buf -> {
                    byte[] bytes = new byte[buf.readableByteCount()];
                    buf.read(bytes);
                    DataBufferUtils.release(buf);
                    return bytes;
                })
                .defaultIfEmpty(new byte[0])
                .onErrorMap(DataBufferLimitException.class,
                        e -> ApiException.tooLarge("the request body is larger than the limit of " + maxSize + " bytes"));
    }

    public static String mediaType(ServerRequest request) {
        MediaType ct = request.headers().contentType().orElse(MediaType.APPLICATION_JSON);
        return ct.getType() + "/" + ct.getSubtype();
    }

    /** The body as a JSON tree: JSON, or YAML for {@code application/yaml}. */
    public static JsonNode parseObject(byte[] body, String mediaType) {
        if (body.length == 0) {
            throw ApiException.badRequest("the request body is empty: an object is required");
        }
        JsonNode tree;
        try {
            if (isYaml(mediaType)) {
                List<JsonNode> docs = Codecs.readYamlDocuments(new String(body, java.nio.charset.StandardCharsets.UTF_8));
                if (docs.size() != 1) {
                    throw ApiException.badRequest("the request body must hold exactly one YAML document, found " + docs.size());
                }
                tree = docs.get(0);
            } else if (isJson(mediaType)) {
                tree = Codecs.json().readTree(body);
            } else {
                throw ApiException.unsupportedMediaType(mediaType);
            }
        } catch (JacksonException e) {
            throw ApiException.badRequest("the request body is not valid " + (isYaml(mediaType) ? "YAML" : "JSON")
                    + ": " + e.getOriginalMessage());
        }
        if (tree == null || !tree.isObject()) {
            throw ApiException.badRequest("the request body must be a JSON or YAML object");
        }
        return tree;
    }

    static boolean isYaml(String mediaType) {
        return mediaType.equals("application/yaml") || mediaType.equals("application/x-yaml")
                || mediaType.equals("text/yaml") || mediaType.equals("application/apply-patch+yaml");
    }

    static boolean isJson(String mediaType) {
        return mediaType.equals("application/json") || mediaType.endsWith("+json") || mediaType.equals("*/*");
    }

    static DataBuffer wrap(org.springframework.core.io.buffer.DataBufferFactory f, byte[] bytes) {
        return f.wrap(bytes);
    }
}
