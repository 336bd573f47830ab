package io.kube4j.cli.commands.edit;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** RFC 7386 JSON merge patch applied locally: what {@code edit} re-applies onto a fresh object after a conflict. */
final class MergePatch {

    private MergePatch() {
    }

    /** A copy of {@code target} with {@code patch} merged in (null deletes, objects merge, anything else replaces). */
    static ObjectNode apply(ObjectNode target, ObjectNode patch) {
        ObjectNode out = target.deepCopy();
        merge(out, patch);
        return out;
    }

    private static void merge(ObjectNode target, JsonNode patch) {
        for (String k : patch.propertyNames()) {
            JsonNode v = patch.get(k);
            if (v.isNull()) {
                target.remove(k);
            } else if (v.isObject() && target.get(k) instanceof ObjectNode t) {
                merge(t, v);
            } else if (v.isObject()) {
                ObjectNode fresh = target.putObject(k);
                merge(fresh, v);
            } else {
                target.set(k, v.deepCopy());
            }
        }
    }
}
