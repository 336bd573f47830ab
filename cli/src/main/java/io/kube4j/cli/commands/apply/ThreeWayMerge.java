package io.kube4j.cli.commands.apply;

import io.kube4j.api.codec.Codecs;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The three-way JSON merge patch of {@code kubectl apply}: from the configuration applied last time ({@code original},
 * the {@code last-applied-configuration} annotation), the configuration applied now ({@code modified}, the file) and
 * the object on the server ({@code current}), a patch that
 * <ul>
 *   <li>deletes (sets to null) the fields that were in {@code original} and are gone from {@code modified} — so a field
 *       removed from the file is removed on the server — and only those: fields other writers set are kept;</li>
 *   <li>sets the fields of {@code modified} whose value differs from {@code current}.</li>
 * </ul>
 * A JSON merge patch replaces lists whole, and the server fills defaults into list elements ({@code imagePullPolicy},
 * {@code protocol}, ...), so a list is left out of the patch when the user did not change it (it equals the
 * {@code original} one, or there is none) and every element of it is a recursive subset of the live element at the
 * same index; otherwise the file's list is sent whole. kubectl computes a strategic three-way patch for built-in
 * types (merging lists by key); this is the merge-patch approach kubectl itself uses for types without a schema,
 * plus the subset rule so that server defaults do not make every apply "configured".
 */
public final class ThreeWayMerge {

    private ThreeWayMerge() {
    }

    /** The patch; an empty object means nothing to change. {@code original} may be null (no annotation). */
    public static ObjectNode patch(JsonNode original, JsonNode modified, JsonNode current) {
        return diff(original != null && original.isObject() ? original : null, modified,
                current != null && current.isObject() ? current : Codecs.json().createObjectNode());
    }

    private static ObjectNode diff(JsonNode original, JsonNode modified, JsonNode current) {
        ObjectNode p = Codecs.json().createObjectNode();
        if (original != null) {
            for (String k : original.propertyNames()) {
                if (!modified.has(k) && current.has(k) && !current.get(k).isNull()) {
                    p.putNull(k);
                }
            }
        }
        for (String k : modified.propertyNames()) {
            JsonNode mv = modified.get(k);
            JsonNode cv = current.get(k);
            JsonNode ov = original == null ? null : original.get(k);
            if (mv.isNull()) {
                if (cv != null && !cv.isNull()) {
                    p.putNull(k);
                }
            } else if (mv.isObject() && cv != null && cv.isObject()) {
                ObjectNode sub = diff(ov != null && ov.isObject() ? ov : null, mv, cv);
                if (!sub.isEmpty()) {
                    p.set(k, sub);
                }
            } else if (mv.isArray() && cv != null && cv.isArray()) {
                if (!listUnchanged(ov, mv, cv)) {
                    p.set(k, mv.deepCopy());
                }
            } else if (!sameValue(mv, cv)) {
                p.set(k, mv.deepCopy());
            }
        }
        return p;
    }

    private static boolean listUnchanged(JsonNode original, JsonNode modified, JsonNode current) {
        if (original != null && !equal(original, modified)) {
            return false;
        }
        return subset(modified, current);
    }

    /** Whether every field of {@code a} is in {@code b} with the same value (lists: same length, element-wise). */
    static boolean subset(JsonNode a, JsonNode b) {
        if (b == null) {
            return false;
        }
        if (a.isObject()) {
            if (!b.isObject()) {
                return false;
            }
            for (String k : a.propertyNames()) {
                JsonNode av = a.get(k);
                if (av.isNull() ? b.has(k) && !b.get(k).isNull() : !subset(av, b.get(k))) {
                    return false;
                }
            }
            return true;
        }
        if (a.isArray()) {
            if (!b.isArray() || a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!subset(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return sameValue(a, b);
    }

    private static boolean equal(JsonNode a, JsonNode b) {
        return subset(a, b) && subset(b, a);
    }

    /** Scalars: equal, numbers by value (YAML's 80 and the server's 80 may be different node types). */
    private static boolean sameValue(JsonNode a, JsonNode b) {
        if (b == null) {
            return false;
        }
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        if (a.isContainer() || b.isContainer()) {
            return a.isContainer() && b.isContainer() && equal(a, b);
        }
        return a.equals(b);
    }
}
