package io.kube4j.controller.deployment;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.kube4j.api.codec.Codecs;
import tools.jackson.databind.JsonNode;

/**
 * The {@code pod-template-hash} of a Deployment's pod template, as Kubernetes' {@code controller.ComputeHash}: FNV-1a
 * (32 bit) over the template, then the collision count as 8 little-endian bytes, printed in decimal and mapped through
 * {@code rand.SafeEncodeString}'s alphabet (no vowels, no look-alike digits). Kubernetes hashes a spew dump of the Go
 * struct; we hash a canonical JSON form instead (keys sorted, nulls and empty lists/maps dropped), which is stable
 * across processes and restarts and insensitive to how the template was decoded. The values differ from Kubernetes'
 * own, which matters to nobody: the hash is only compared with hashes this controller computed.
 */
public final class PodTemplateHash {

    private static final String ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

    private PodTemplateHash() {
    }

    /** The hash label value for {@code template} and {@code collisionCount} (null: never collided). */
    public static String compute(PodTemplateSpec template, Integer collisionCount) {
        return computeOf(template, collisionCount);
    }

    /**
     * The same hash over any value's canonical JSON (a ControllerRevision's data: Kubernetes'
     * {@code history.HashControllerRevision}).
     */
    public static String computeOf(Object value, Integer collisionCount) {
        int h = 0x811c9dc5;
        for (byte b : canonicalJson(value).getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x01000193;
        }
        if (collisionCount != null) {
            int c = collisionCount;
            byte[] bytes = {(byte) c, (byte) (c >>> 8), (byte) (c >>> 16), (byte) (c >>> 24), 0, 0, 0, 0};
            for (byte b : bytes) {
                h ^= b & 0xff;
                h *= 0x01000193;
            }
        }
        return safeEncode(Long.toString(Integer.toUnsignedLong(h)));
    }

    /** Kubernetes' {@code rand.SafeEncodeString}. */
    static String safeEncode(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (byte b : s.getBytes(StandardCharsets.US_ASCII)) {
            out.append(ALPHANUMS.charAt((b & 0xff) % ALPHANUMS.length()));
        }
        return out.toString();
    }

    /** {@code value} as JSON with sorted keys and without nulls or empty lists/maps (Go's omitempty view). */
    public static String canonicalJson(Object value) {
        JsonNode node = Codecs.json().valueToTree(value);
        StringBuilder sb = new StringBuilder();
        write(node, sb);
        return sb.toString();
    }

    /** Whether a node carries nothing (null, empty object or array after normalization). */
    private static boolean isEmpty(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return true;
        }
        if (n.isObject()) {
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                if (!isEmpty(e.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (n.isArray()) {
            return n.isEmpty();
        }
        return false;
    }

    private static void write(JsonNode n, StringBuilder sb) {
        if (n.isObject()) {
            List<String> keys = new ArrayList<>();
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                if (!isEmpty(e.getValue())) {
                    keys.add(e.getKey());
                }
            }
            keys.sort(null);
            sb.append('{');
            for (int i = 0; i < keys.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(Codecs.json().writeValueAsString(keys.get(i))).append(':');
                write(n.get(keys.get(i)), sb);
            }
            sb.append('}');
        } else if (n.isArray()) {
            sb.append('[');
            Iterator<JsonNode> it = n.values().iterator();
            boolean first = true;
            while (it.hasNext()) {
                JsonNode v = it.next();
                if (!first) {
                    sb.append(',');
                }
                first = false;
                if (isEmpty(v) && !v.isObject()) {
                    sb.append("null");
                } else {
                    write(v, sb);
                }
            }
            sb.append(']');
        } else {
            sb.append(n.toString());
        }
    }
}
