package io.kube4j.apiserver.registry;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.api.selector.FieldSets;
import io.kube4j.apiserver.watch.CachedObject;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Turns stored bytes into API objects and back. The store keeps objects without a resourceVersion
 * (it is the etcd mod revision, set on the way out), as Kubernetes does.
 */
public final class ObjectCodec {

    private static final JsonMapper JSON = Codecs.json();

    private ObjectCodec() {
    }

    public static HasMetadata decode(ResourceType type, byte[] stored, long resourceVersion) {
        HasMetadata obj = JSON.readValue(stored, type.type());
        if (obj.getMetadata() == null) {
            obj.setMetadata(new ObjectMeta());
        }
        obj.getMetadata().setResourceVersion(Long.toString(resourceVersion));
        if (obj.getApiVersion() == null) {
            obj.setApiVersion(type.apiVersion());
        }
        if (obj.getKind() == null) {
            ObjectFields.set(obj, "kind", type.kind());
        }
        return obj;
    }

    /** The bytes to store: the object without its resourceVersion. */
    public static byte[] encodeForStorage(HasMetadata obj) {
        String rv = obj.getMetadata().getResourceVersion();
        obj.getMetadata().setResourceVersion(null);
        try {
            return JSON.writeValueAsBytes(obj);
        } finally {
            obj.getMetadata().setResourceVersion(rv);
        }
    }

    public static byte[] encode(Object obj) {
        return JSON.writeValueAsBytes(obj);
    }

    public static CachedObject toCached(ResourceType type, String key, byte[] stored, long resourceVersion) {
        HasMetadata obj = decode(type, stored, resourceVersion);
        return toCached(type, key, obj, resourceVersion);
    }

    public static CachedObject toCached(ResourceType type, String key, HasMetadata obj, long resourceVersion) {
        ObjectMeta m = obj.getMetadata();
        Map<String, String> labels = m.getLabels() == null ? Map.of() : Map.copyOf(m.getLabels());
        return new CachedObject(key, m.getNamespace(), m.getName(), resourceVersion, labels,
                Map.copyOf(FieldSets.of(type, obj)), JSON.writeValueAsBytes(obj));
    }

    /** A BOOKMARK's object: the resource's kind with only a resourceVersion. */
    public static CachedObject bookmark(ResourceType type, long revision) {
        String json = "{\"kind\":\"" + type.kind() + "\",\"apiVersion\":\"" + type.apiVersion()
                + "\",\"metadata\":{\"resourceVersion\":\"" + revision + "\"}}";
        return new CachedObject("", null, null, revision, Map.of(), Map.of(), json.getBytes(StandardCharsets.UTF_8));
    }
}
