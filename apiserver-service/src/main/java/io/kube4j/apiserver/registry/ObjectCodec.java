package io.kube4j.apiserver.registry;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.api.selector.FieldSets;
import io.kube4j.apiserver.watch.CachedObject;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
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

    public static void setKind(HasMetadata obj, String kind) {
        if (!kind.equals(obj.getKind())) {
            ObjectFields.set(obj, "kind", kind);
        }
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
        byte[] json = withResourceVersion(stored, resourceVersion);
        return toCached(type, key, obj, resourceVersion, json != null ? json : JSON.writeValueAsBytes(obj));
    }

    public static CachedObject toCached(ResourceType type, String key, HasMetadata obj, long resourceVersion) {
        return toCached(type, key, obj, resourceVersion, JSON.writeValueAsBytes(obj));
    }

    private static CachedObject toCached(ResourceType type, String key, HasMetadata obj, long resourceVersion, byte[] json) {
        ObjectMeta m = obj.getMetadata();
        Map<String, String> labels = m.getLabels() == null ? Map.of() : Map.copyOf(m.getLabels());
        return new CachedObject(key, m.getNamespace(), m.getName(), resourceVersion, labels,
                Map.copyOf(FieldSets.of(type, obj)), json);
    }

    /**
     * The stored bytes with {@code metadata.resourceVersion} written in, without decoding and re-encoding the
     * object: the store keeps objects without it, and serving them means adding only that one field. Returns null
     * when the bytes are not a JSON object with a top-level {@code metadata} object (the caller then re-encodes).
     */
    public static byte[] withResourceVersion(byte[] stored, long resourceVersion) {
        int insertAt = -1;
        boolean emptyMetadata = false;
        try (JsonParser p = JSON.createParser(stored)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("metadata")) {
                    if (value != JsonToken.START_OBJECT) {
                        return null;
                    }
                    insertAt = (int) p.currentTokenLocation().getByteOffset() + 1;
                    JsonToken next = p.nextToken();
                    if (next == JsonToken.PROPERTY_NAME && p.currentName().equals("resourceVersion")) {
                        return null;
                    }
                    emptyMetadata = next == JsonToken.END_OBJECT;
                    break;
                }
                p.skipChildren();
            }
        } catch (RuntimeException e) {
            return null;
        }
        if (insertAt <= 0 || insertAt > stored.length) {
            return null;
        }
        byte[] field = ("\"resourceVersion\":\"" + resourceVersion + "\"" + (emptyMetadata ? "" : ","))
                .getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[stored.length + field.length];
        System.arraycopy(stored, 0, out, 0, insertAt);
        System.arraycopy(field, 0, out, insertAt, field.length);
        System.arraycopy(stored, insertAt, out, insertAt + field.length, stored.length - insertAt);
        return out;
    }

    /** A BOOKMARK's object: the resource's kind with only a resourceVersion. */
    public static CachedObject bookmark(ResourceType type, long revision) {
        String json = "{\"kind\":\"" + type.kind() + "\",\"apiVersion\":\"" + type.apiVersion()
                + "\",\"metadata\":{\"resourceVersion\":\"" + revision + "\"}}";
        return new CachedObject("", null, null, revision, Map.of(), Map.of(), json.getBytes(StandardCharsets.UTF_8));
    }
}
