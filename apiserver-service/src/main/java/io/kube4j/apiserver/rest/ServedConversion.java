package io.kube4j.apiserver.rest;

import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ServedVersion;
import org.springframework.web.reactive.function.server.ServerRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The REST side of a resource served in a version other than its storage version
 * ({@link io.kube4j.api.registry.ServedVersion}): the request is handled on the storage version's store, with what
 * comes in converted to the storage version before defaulting, validation, admission and storage, and what goes out
 * (objects, lists, deleted objects, watch events) converted to the served version. Statuses and other kinds pass
 * through untouched. The request carries its conversion in {@link #ATTRIBUTE}.
 */
final class ServedConversion {

    /** Request attribute holding the {@link ServedVersion} the request was made in. */
    static final String ATTRIBUTE = "kube4j.servedVersion";

    private ServedConversion() {
    }

    static ServedVersion of(ServerRequest request) {
        return (ServedVersion) request.attributes().get(ATTRIBUTE);
    }

    /**
     * An object of the served version (a create or update body) as the storage version holds it; 400 when it names
     * another apiVersion or kind.
     */
    static ObjectNode toStorage(ServedVersion v, JsonNode served) {
        if (!(served instanceof ObjectNode o)) {
            throw ApiException.badRequest("the request body must be a JSON or YAML object");
        }
        String apiVersion = o.path("apiVersion").asString("");
        String kind = o.path("kind").asString("");
        if (!apiVersion.isEmpty() && !apiVersion.equals(v.served().apiVersion())
                || !kind.isEmpty() && !kind.equals(v.served().kind())) {
            throw ApiException.badRequest("the object's apiVersion/kind (" + apiVersion + "/" + kind
                    + ") does not match the resource " + v.served().qualifiedName() + " ("
                    + v.served().apiVersion() + "/" + v.served().kind() + ")");
        }
        ObjectNode out = v.converter().toStorage(o);
        out.put("kind", v.storage().kind());
        return out;
    }

    /** A stored object as the served version shows it. */
    static ObjectNode toServed(ServedVersion v, ObjectNode storage) {
        ObjectNode out = v.converter().toServed(storage);
        out.put("apiVersion", v.served().apiVersion());
        return out;
    }

    /**
     * A response body in the served version: the storage kind's objects and lists are converted, anything else (a
     * Status) is returned as it is.
     */
    static byte[] toServed(ServedVersion v, byte[] json) {
        JsonNode tree = Codecs.json().readTree(json);
        if (!(tree instanceof ObjectNode o) || !v.storage().apiVersion().equals(o.path("apiVersion").asString(""))) {
            return json;
        }
        String kind = o.path("kind").asString("");
        if (kind.equals(v.storage().kind())) {
            return Codecs.json().writeValueAsBytes(toServed(v, o));
        }
        if (kind.equals(v.storage().listKind())) {
            o.put("apiVersion", v.served().apiVersion());
            ArrayNode items = o.withArray("items");
            for (int i = 0; i < items.size(); i++) {
                if (items.get(i) instanceof ObjectNode item) {
                    items.set(i, toServed(v, item));
                }
            }
            return Codecs.json().writeValueAsBytes(o);
        }
        return json;
    }
}
