package io.kube4j.apiserver.registry;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * An object as a write left it, with its JSON encoding (resourceVersion included) made from the bytes that were
 * stored, so answering the write costs no second serialization.
 */
public record Written(HasMetadata object, byte[] json) {

    static Written of(HasMetadata object, byte[] stored, long resourceVersion) {
        byte[] json = ObjectCodec.withResourceVersion(stored, resourceVersion);
        return new Written(object, json != null ? json : ObjectCodec.encode(object));
    }
}
