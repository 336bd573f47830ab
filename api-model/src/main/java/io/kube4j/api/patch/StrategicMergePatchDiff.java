package io.kube4j.api.patch;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.kube4j.api.patch.StrategicMergePatch.DELETE;
import static io.kube4j.api.patch.StrategicMergePatch.DELETE_FROM_PRIMITIVE_LIST_PREFIX;
import static io.kube4j.api.patch.StrategicMergePatch.DIRECTIVE_MARKER;
import static io.kube4j.api.patch.StrategicMergePatch.MERGE;
import static io.kube4j.api.patch.StrategicMergePatch.REPLACE;
import static io.kube4j.api.patch.StrategicMergePatch.RETAIN_KEYS_DIRECTIVE;
import static io.kube4j.api.patch.StrategicMergePatch.RETAIN_KEYS_STRATEGY;
import static io.kube4j.api.patch.StrategicMergePatch.SET_ELEMENT_ORDER_PREFIX;
import static io.kube4j.api.patch.StrategicMergePatch.kind;

/**
 * Creates strategic merge patches as kubectl does: {@link #createTwoWay} is apimachinery's
 * {@code CreateTwoWayMergePatch} (what {@code kubectl edit}, {@code set image} and {@code rollout undo} send) and
 * {@link #createThreeWay} its {@code CreateThreeWayMergePatch} (what client-side {@code kubectl apply} sends, from
 * the last-applied configuration, the new manifest and the live object). A port of the diff half of
 * {@code k8s.io/apimachinery/pkg/util/strategicpatch/patch.go}, quirks included (scalar merge lists of the inputs
 * are sorted in place, as Go's diff does, which decides when a {@code $setElementOrder} list is sent), so that the
 * server receives the bytes kubectl would have sent. Applied with {@link StrategicMergePatch}, a two-way patch
 * turns {@code original} into {@code modified}.
 */
public final class StrategicMergePatchDiff {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** apimachinery's DiffOptions. */
    private record DiffOptions(boolean setElementOrder, boolean ignoreChangesAndAdditions, boolean ignoreDeletions,
                               boolean buildRetainKeysDirective) {
        DiffOptions withRetainKeys(boolean retainKeys) {
            return new DiffOptions(setElementOrder, ignoreChangesAndAdditions, ignoreDeletions, retainKeys);
        }
    }

    private StrategicMergePatchDiff() {
    }

    /** The patch that turns {@code original} into {@code modified}; neither argument is modified. */
    public static ObjectNode createTwoWay(JsonNode original, JsonNode modified, PatchSchema schema) {
        return diffMaps(object(original), object(modified), schema, new DiffOptions(true, false, false, false));
    }

    /**
     * The patch kubectl apply sends: the changes from {@code current} to {@code modified} without deletions, plus the
     * deletions from {@code original} (the last applied configuration) to {@code modified}. Unless {@code overwrite},
     * a field the patch changes that was also changed from original to current is a conflict.
     *
     * @throws StrategicMergePatchConflictException when {@code overwrite} is false and the patch conflicts
     * @throws StrategicMergePatchException when the documents do not fit the schema
     */
    public static ObjectNode createThreeWay(JsonNode original, JsonNode modified, JsonNode current, PatchSchema schema,
                                            boolean overwrite) {
        ObjectNode o = object(original);
        ObjectNode m = object(modified);
        ObjectNode c = object(current);
        ObjectNode delta = diffMaps(c, m, schema, new DiffOptions(true, false, true, false));
        ObjectNode deletions = diffMaps(o, m, schema, new DiffOptions(true, true, false, false));
        JsonNode merged = StrategicMergePatch.mergeForPatchCreation(deletions, delta, schema);
        ObjectNode patch = merged.isObject() ? (ObjectNode) merged : NODES.objectNode();
        if (!overwrite) {
            ObjectNode changed = diffMaps(o, c, schema, new DiffOptions(false, false, false, false));
            if (haveConflicts(patch, changed, schema, "", "")) {
                throw new StrategicMergePatchConflictException(patch, changed);
            }
        }
        return patch;
    }

    /** A deep copy: Go's diff sorts lists of the inputs in place, the caller's documents must not change. */
    private static ObjectNode object(JsonNode n) {
        return n != null && n.isObject() ? (ObjectNode) n.deepCopy() : NODES.objectNode();
    }

    // ------------------------------------------------------------------------------------------ maps

    private static ObjectNode diffMaps(ObjectNode original, ObjectNode modified, PatchSchema schema, DiffOptions options) {
        ObjectNode patch = NODES.objectNode();
        List<JsonNode> retainKeys = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : modified.properties()) {
            String key = e.getKey();
            JsonNode modifiedValue = e.getValue();
            if (options.buildRetainKeysDirective() && kind(modifiedValue) != StrategicMergePatch.GoKind.NIL) {
                retainKeys.add(NODES.stringNode(key));
            }
            JsonNode originalValue = original.get(key);
            if (originalValue == null) {
                if (!options.ignoreChangesAndAdditions()) {
                    patch.set(key, modifiedValue);
                }
                continue;
            }
            if (key.equals(DIRECTIVE_MARKER)) {
                if (!originalValue.isString() || !modifiedValue.isString()) {
                    throw StrategicMergePatchException.badRequest("invalid value for special key: " + DIRECTIVE_MARKER);
                }
                if (!originalValue.stringValue().equals(modifiedValue.stringValue())) {
                    patch.set(DIRECTIVE_MARKER, modifiedValue);
                }
                continue;
            }
            if (kind(originalValue) != kind(modifiedValue)) {
                if (!options.ignoreChangesAndAdditions()) {
                    patch.set(key, modifiedValue);
                }
                continue;
            }
            switch (kind(originalValue)) {
                case MAP -> mapDiff(key, (ObjectNode) originalValue, (ObjectNode) modifiedValue, patch, schema, options);
                case SLICE -> sliceDiff(key, (ArrayNode) originalValue, (ArrayNode) modifiedValue, patch, schema, options);
                default -> replaceIfNotEqual(key, originalValue, modifiedValue, patch, options);
            }
        }
        if (!options.ignoreDeletions()) {
            for (String key : original.propertyNames()) {
                if (!modified.has(key)) {
                    patch.putNull(key);
                }
            }
        }
        if (!retainKeys.isEmpty() && (!patch.isEmpty() || hasAdditionalNewField(original, modified))) {
            patch.set(RETAIN_KEYS_DIRECTIVE, StrategicMergePatch.toArray(sortScalars(retainKeys)));
        }
        return patch;
    }

    private static void mapDiff(String key, ObjectNode original, ObjectNode modified, ObjectNode patch, PatchSchema schema,
                                DiffOptions options) {
        PatchSchema.Field field = schema.field(key);
        String strategy = StrategicMergePatch.extractRetainKeysPatchStrategy(field.strategies());
        DiffOptions nested = options.withRetainKeys(field.strategies().contains(RETAIN_KEYS_STRATEGY));
        if (REPLACE.equals(strategy)) {
            if (!options.ignoreChangesAndAdditions()) {
                patch.set(key, modified);
            }
            return;
        }
        ObjectNode value = diffMaps(original, modified, field.schema(), nested);
        if (!value.isEmpty()) {
            patch.set(key, value);
        }
    }

    private static void sliceDiff(String key, ArrayNode original, ArrayNode modified, ObjectNode patch, PatchSchema schema,
                                  DiffOptions options) {
        PatchSchema.Field field = schema.field(key);
        String strategy = StrategicMergePatch.extractRetainKeysPatchStrategy(field.strategies());
        if (!MERGE.equals(strategy)) {
            replaceIfNotEqual(key, original, modified, patch, options);
            return;
        }
        ListDiff d = diffLists(original, modified, field.schema(), field.mergeKey(),
                options.withRetainKeys(field.strategies().contains(RETAIN_KEYS_STRATEGY)));
        if (!d.patch().isEmpty()) {
            patch.set(key, StrategicMergePatch.toArray(d.patch()));
        }
        if (!d.deletions().isEmpty()) {
            patch.set(DELETE_FROM_PRIMITIVE_LIST_PREFIX + "/" + key, StrategicMergePatch.toArray(d.deletions()));
        }
        if (!d.setOrder().isEmpty()) {
            patch.set(SET_ELEMENT_ORDER_PREFIX + "/" + key, StrategicMergePatch.toArray(d.setOrder()));
        }
    }

    private static void replaceIfNotEqual(String key, JsonNode original, JsonNode modified, ObjectNode patch, DiffOptions options) {
        if (!options.ignoreChangesAndAdditions() && !deepEqual(original, modified)) {
            patch.set(key, modified);
        }
    }

    private static boolean hasAdditionalNewField(ObjectNode original, ObjectNode modified) {
        for (Map.Entry<String, JsonNode> e : original.properties()) {
            if (kind(e.getValue()) != StrategicMergePatch.GoKind.NIL && !modified.has(e.getKey())) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------------------------------ lists

    private record ListDiff(List<JsonNode> patch, List<JsonNode> deletions, List<JsonNode> setOrder) {
    }

    private static ListDiff diffLists(ArrayNode originalArray, ArrayNode modifiedArray, PatchSchema schema, String mergeKey,
                                      DiffOptions options) {
        List<JsonNode> original = StrategicMergePatch.toList(originalArray);
        List<JsonNode> modified = StrategicMergePatch.toList(modifiedArray);
        if (original.isEmpty()) {
            if (modified.isEmpty() || options.ignoreChangesAndAdditions()) {
                return new ListDiff(List.of(), List.of(), List.of());
            }
            return new ListDiff(modified, List.of(), List.of());
        }
        StrategicMergePatch.GoKind kind = StrategicMergePatch.sliceElementType(original, modified);
        List<JsonNode> setOrder = new ArrayList<>();
        switch (kind) {
            case MAP -> {
                List<JsonNode> deletions = new ArrayList<>();
                List<JsonNode> patch = diffListsOfMaps(original, modified, schema, mergeKey, options, deletions);
                patch = StrategicMergePatch.normalizeSliceOrder(patch, modified, mergeKey, kind);
                boolean orderSame = isOrderSame(original, modified, mergeKey);
                patch.addAll(deletions);
                if (options.setElementOrder()
                        && ((!options.ignoreChangesAndAdditions() && (!patch.isEmpty() || !orderSame))
                        || (!options.ignoreDeletions() && !patch.isEmpty()))) {
                    for (JsonNode v : modified) {
                        ObjectNode item = NODES.objectNode();
                        item.set(mergeKey, v.get(mergeKey));
                        setOrder.add(item);
                    }
                }
                return new ListDiff(patch, List.of(), setOrder);
            }
            case SLICE -> throw StrategicMergePatchException.invalid(StrategicMergePatch.ERR_NO_LIST_OF_LISTS);
            default -> {
                // Go sorts the original list in place; the comparison below sees it sorted
                List<JsonNode> sortedOriginal = sortScalars(original);
                originalArray.removeAll();
                sortedOriginal.forEach(originalArray::add);
                List<JsonNode> deletions = new ArrayList<>();
                List<JsonNode> patch = diffListsOfScalars(sortedOriginal, modified, options, deletions);
                patch = StrategicMergePatch.normalizeSliceOrder(patch, modified, mergeKey, kind);
                deletions = StrategicMergePatch.deduplicateScalars(deletions);
                if (options.setElementOrder() && ((!options.ignoreDeletions() && !deletions.isEmpty())
                        || (!options.ignoreChangesAndAdditions() && !deepEqual(originalArray, modifiedArray)))) {
                    setOrder = modified;
                }
                return new ListDiff(patch, deletions, setOrder);
            }
        }
    }

    private static boolean isOrderSame(List<JsonNode> original, List<JsonNode> modified, String mergeKey) {
        if (original.size() != modified.size()) {
            return false;
        }
        for (int i = 0; i < modified.size(); i++) {
            if (!StrategicMergePatch.mergeKeyValueEqual(original.get(i), modified.get(i), mergeKey)) {
                return false;
            }
        }
        return true;
    }

    /** Both lists sorted by Go's {@code %v} text, then walked side by side. */
    private static List<JsonNode> diffListsOfScalars(List<JsonNode> sortedOriginal, List<JsonNode> modified, DiffOptions options,
                                                     List<JsonNode> deletions) {
        List<JsonNode> m = sortScalars(modified);
        List<JsonNode> additions = new ArrayList<>();
        int oi = 0;
        int mi = 0;
        while (oi < sortedOriginal.size() || mi < m.size()) {
            boolean oIn = oi < sortedOriginal.size();
            boolean mIn = mi < m.size();
            int cmp = !oIn ? 1 : !mIn ? -1 : goString(sortedOriginal.get(oi)).compareTo(goString(m.get(mi)));
            if (cmp == 0) {
                oi++;
                mi++;
            } else if (cmp < 0) {
                if (!options.ignoreDeletions()) {
                    deletions.add(sortedOriginal.get(oi));
                }
                oi++;
            } else {
                if (!options.ignoreChangesAndAdditions()) {
                    additions.add(m.get(mi));
                }
                mi++;
            }
        }
        return additions;
    }

    private static List<JsonNode> diffListsOfMaps(List<JsonNode> original, List<JsonNode> modified, PatchSchema schema,
                                                  String mergeKey, DiffOptions options, List<JsonNode> deletions) {
        List<JsonNode> patch = new ArrayList<>();
        List<JsonNode> o = sortMapsByMergeKey(original, mergeKey);
        List<JsonNode> m = sortMapsByMergeKey(modified, mergeKey);
        int oi = 0;
        int mi = 0;
        while (oi < o.size() || mi < m.size()) {
            boolean oIn = oi < o.size();
            boolean mIn = mi < m.size();
            JsonNode oe = oIn ? mapWithMergeKey(o.get(oi), mergeKey) : null;
            JsonNode me = mIn ? mapWithMergeKey(m.get(mi), mergeKey) : null;
            int cmp = !oIn ? 1 : !mIn ? -1 : goString(oe.get(mergeKey)).compareTo(goString(me.get(mergeKey)));
            if (cmp == 0) {
                ObjectNode value = diffMaps((ObjectNode) oe, (ObjectNode) me, schema, options);
                if (!value.isEmpty()) {
                    value.set(mergeKey, me.get(mergeKey));
                    patch.add(value);
                }
                oi++;
                mi++;
            } else if (cmp > 0) {
                if (!options.ignoreChangesAndAdditions()) {
                    patch.add(me);
                }
                mi++;
            } else {
                if (!options.ignoreDeletions()) {
                    ObjectNode directive = NODES.objectNode();
                    directive.set(mergeKey, oe.get(mergeKey));
                    directive.put(DIRECTIVE_MARKER, DELETE);
                    deletions.add(directive);
                }
                oi++;
            }
        }
        return patch;
    }

    private static JsonNode mapWithMergeKey(JsonNode item, String mergeKey) {
        if (!item.isObject()) {
            throw StrategicMergePatchException.invalid(StrategicMergePatch.errBadArgType("map[string]interface {}", item));
        }
        if (!item.has(mergeKey)) {
            throw StrategicMergePatchException.invalid(StrategicMergePatch.errNoMergeKey(item, mergeKey));
        }
        return item;
    }

    private static List<JsonNode> sortMapsByMergeKey(List<JsonNode> items, String mergeKey) {
        List<JsonNode> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparing(i -> goString(i.isObject() ? i.get(mergeKey) : null)));
        return sorted;
    }

    private static List<JsonNode> sortScalars(List<JsonNode> items) {
        List<JsonNode> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparing(StrategicMergePatchDiff::goString));
        return sorted;
    }

    // ------------------------------------------------------------------------------------------ conflicts

    /** apimachinery's mergingMapFieldsHaveConflicts: do two patches change one field in different ways? */
    private static boolean haveConflicts(JsonNode left, JsonNode right, PatchSchema schema, String strategy, String mergeKey) {
        switch (kind(left)) {
            case MAP -> {
                if (!right.isObject()) {
                    return true;
                }
                JsonNode leftMarker = left.get(DIRECTIVE_MARKER);
                JsonNode rightMarker = right.get(DIRECTIVE_MARKER);
                if (leftMarker != null || rightMarker != null) {
                    if ((leftMarker == null) != (rightMarker == null) || !deepEqual(leftMarker, rightMarker)) {
                        return true;
                    }
                }
                if (REPLACE.equals(strategy)) {
                    return false;
                }
                for (Map.Entry<String, JsonNode> e : left.properties()) {
                    String key = e.getKey();
                    if (key.equals(DIRECTIVE_MARKER) || key.equals(RETAIN_KEYS_DIRECTIVE) || !right.has(key)) {
                        continue;
                    }
                    PatchSchema.Field field = schema.field(key);
                    String s = StrategicMergePatch.extractRetainKeysPatchStrategy(field.strategies());
                    if (haveConflicts(e.getValue(), right.get(key), field.schema(), s, field.mergeKey())) {
                        return true;
                    }
                }
                return false;
            }
            case SLICE -> {
                if (!right.isArray()) {
                    return true;
                }
                return slicesHaveConflicts(StrategicMergePatch.toList((ArrayNode) left),
                        StrategicMergePatch.toList((ArrayNode) right), schema, strategy, mergeKey);
            }
            default -> {
                return !deepEqual(left, right);
            }
        }
    }

    private static boolean slicesHaveConflicts(List<JsonNode> left, List<JsonNode> right, PatchSchema schema, String strategy,
                                               String mergeKey) {
        StrategicMergePatch.GoKind kind = StrategicMergePatch.sliceElementType(left, right);
        if (MERGE.equals(strategy)) {
            if (kind != StrategicMergePatch.GoKind.MAP) {
                return false; // merging lists of scalars never conflict
            }
            Map<String, JsonNode> l = byMergeKey(left, mergeKey);
            Map<String, JsonNode> r = byMergeKey(right, mergeKey);
            for (Map.Entry<String, JsonNode> e : l.entrySet()) {
                JsonNode rv = r.get(e.getKey());
                if (rv != null && haveConflicts(e.getValue(), rv, schema, "", "")) {
                    return true;
                }
            }
            return false;
        }
        if (left.size() != right.size()) {
            return true;
        }
        if (kind != StrategicMergePatch.GoKind.MAP) {
            left = sortScalars(StrategicMergePatch.deduplicateScalars(left));
            right = sortScalars(StrategicMergePatch.deduplicateScalars(right));
        }
        for (int i = 0; i < left.size(); i++) {
            if (haveConflicts(left.get(i), right.get(i), schema, "", "")) {
                return true;
            }
        }
        return false;
    }

    private static Map<String, JsonNode> byMergeKey(List<JsonNode> items, String mergeKey) {
        Map<String, JsonNode> out = new HashMap<>();
        for (JsonNode v : items) {
            if (!v.isObject()) {
                throw StrategicMergePatchException.invalid("invalid element type in merging list:" + items);
            }
            if (!v.has(mergeKey)) {
                throw StrategicMergePatchException.invalid("cannot find merge key `" + mergeKey + "` in merging list element:" + v);
            }
            out.put(goString(v.get(mergeKey)), v);
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------ Go semantics

    /** Go's {@code reflect.DeepEqual} on decoded JSON: integers and floats differ, maps ignore order. */
    static boolean deepEqual(JsonNode a, JsonNode b) {
        StrategicMergePatch.GoKind ka = kind(a);
        if (ka != kind(b)) {
            return false;
        }
        switch (ka) {
            case MAP -> {
                if (a.size() != b.size()) {
                    return false;
                }
                for (Map.Entry<String, JsonNode> e : a.properties()) {
                    if (!b.has(e.getKey()) || !deepEqual(e.getValue(), b.get(e.getKey()))) {
                        return false;
                    }
                }
                return true;
            }
            case SLICE -> {
                if (a.size() != b.size()) {
                    return false;
                }
                for (int i = 0; i < a.size(); i++) {
                    if (!deepEqual(a.get(i), b.get(i))) {
                        return false;
                    }
                }
                return true;
            }
            default -> {
                return StrategicMergePatch.goEquals(a, b);
            }
        }
    }

    /** Go's {@code fmt.Sprintf("%v", v)} of a decoded JSON scalar, by which Kubernetes sorts and matches list items. */
    static String goString(JsonNode n) {
        return switch (kind(n)) {
            case NIL -> "<nil>";
            case STRING -> n.stringValue();
            case BOOL -> Boolean.toString(n.booleanValue());
            case INT64 -> Long.toString(n.longValue());
            case FLOAT64 -> goFloat(n.doubleValue());
            case MAP, SLICE -> n.toString();
        };
    }

    /** {@code strconv.FormatFloat(f, 'g', -1, 64)}: shortest digits, exponent form below 1e-4 or from 1e6, as fmt prints floats with %v. */
    private static String goFloat(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "+Inf" : "-Inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0" : "0";
        }
        BigDecimal b = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        int exp = b.precision() - b.scale() - 1;
        if (exp < -4 || exp >= 6) {
            String digits = b.unscaledValue().abs().toString();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            String e = String.format("%02d", Math.abs(exp));
            return (d < 0 ? "-" : "") + mantissa + "e" + (exp < 0 ? "-" : "+") + e;
        }
        return b.toPlainString();
    }
}
