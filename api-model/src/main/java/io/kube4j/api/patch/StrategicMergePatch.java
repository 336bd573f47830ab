package io.kube4j.api.patch;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies a Kubernetes strategic merge patch ({@code application/strategic-merge-patch+json}) to an object, as the
 * apiserver does with apimachinery's {@code strategicpatch.StrategicMergeMapPatch}: maps merge, {@code null}
 * deletes, lists with the {@code merge} strategy merge by their merge key (lists of scalars as sets), other lists
 * are replaced, and the directives {@code $patch: replace|delete}, {@code $retainKeys},
 * {@code $setElementOrder/<list>} and {@code $deleteFromPrimitiveList/<list>} do what kubectl expects of them.
 * This is a port of {@code k8s.io/apimachinery/pkg/util/strategicpatch/patch.go} (mergeMap and the functions it
 * calls), including its ordering rules, so that the stored object is the one Kubernetes would store.
 * Go's dynamic types are mirrored by {@link GoKind}: two JSON numbers are equal only when both are integers
 * or both are not, as {@code int64} and {@code float64} are in Go.
 */
public final class StrategicMergePatch {

    static final String DIRECTIVE_MARKER = "$patch";
    static final String DELETE = "delete";
    static final String REPLACE = "replace";
    static final String MERGE = "merge";
    static final String RETAIN_KEYS_STRATEGY = "retainKeys";
    static final String DELETE_FROM_PRIMITIVE_LIST_PREFIX = "$deleteFromPrimitiveList";
    static final String RETAIN_KEYS_DIRECTIVE = "$retainKeys";
    static final String SET_ELEMENT_ORDER_PREFIX = "$setElementOrder";

    // apimachinery/pkg/util/mergepatch/errors.go
    static final String ERR_NO_LIST_OF_LISTS = "lists of lists are not supported";
    static final String ERR_BAD_PATCH_FORMAT_FOR_PRIMITIVE_LIST = "invalid patch format of primitive list";
    static final String ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS = "invalid patch format of retainKeys";
    static final String ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST = "invalid patch format of setElementOrder list";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** The options of the server-side merge ({@code StrategicMergeMapPatchUsingLookupPatchMeta}). */
    private record MergeOptions(boolean mergeParallelList, boolean ignoreUnmatchedNulls) {
    }

    private static final MergeOptions SERVER = new MergeOptions(true, true);

    private StrategicMergePatch() {
    }

    /**
     * Returns {@code original} with {@code patch} applied; neither argument is modified.
     *
     * @throws StrategicMergePatchException when the patch is malformed or does not fit the object
     */
    public static ObjectNode apply(JsonNode original, JsonNode patch, PatchSchema schema) {
        if (patch == null || !patch.isObject()) {
            throw StrategicMergePatchException.badRequest("a strategic merge patch must be a JSON object");
        }
        checkDirectiveNames(patch, "");
        ObjectNode o = original != null && original.isObject() ? (ObjectNode) original.deepCopy() : NODES.objectNode();
        JsonNode merged = mergeMap(o, (ObjectNode) patch.deepCopy(), schema, SERVER);
        if (!merged.isObject()) {
            throw StrategicMergePatchException.invalid("the patch did not produce an object");
        }
        return (ObjectNode) merged;
    }

    /**
     * The merge kubectl runs on its own side when it creates a three-way patch ({@code mergeMap} with empty
     * {@code MergeOptions}): parallel lists ($setElementOrder, $deleteFromPrimitiveList) are carried over, not
     * applied, and nulls are kept. Both arguments are modified.
     */
    static JsonNode mergeForPatchCreation(ObjectNode deletions, ObjectNode delta, PatchSchema schema) {
        return mergeMap(deletions, delta, schema, new MergeOptions(false, false));
    }

    /** Keys starting with '$' that are no directive of strategic merge patch: a clear 400 rather than a stored field. */
    private static void checkDirectiveNames(JsonNode node, String path) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                String k = e.getKey();
                if (k.startsWith("$") && !k.equals(DIRECTIVE_MARKER) && !k.equals(RETAIN_KEYS_DIRECTIVE)
                        && !k.startsWith(SET_ELEMENT_ORDER_PREFIX + "/") && !k.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX + "/")) {
                    throw StrategicMergePatchException.badRequest("unknown strategic merge patch directive \"" + k + "\""
                            + (path.isEmpty() ? "" : " at " + path) + ": the directives are $patch, $retainKeys, "
                            + "$setElementOrder/<list> and $deleteFromPrimitiveList/<list>");
                }
                checkDirectiveNames(e.getValue(), path.isEmpty() ? k : path + "." + k);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkDirectiveNames(node.get(i), path + "[" + i + "]");
            }
        }
    }

    // ------------------------------------------------------------------------------------------ Go's dynamic types

    /** The Go type a JSON value decodes to ({@code json.Unmarshal} with preserved integers). */
    enum GoKind { MAP, SLICE, STRING, BOOL, INT64, FLOAT64, NIL }

    static GoKind kind(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return GoKind.NIL;
        }
        if (n.isObject()) {
            return GoKind.MAP;
        }
        if (n.isArray()) {
            return GoKind.SLICE;
        }
        if (n.isString()) {
            return GoKind.STRING;
        }
        if (n.isBoolean()) {
            return GoKind.BOOL;
        }
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            return GoKind.INT64;
        }
        return GoKind.FLOAT64;
    }

    /** Go's {@code ==} on two decoded JSON scalars (maps and slices are never equal, where Go would panic). */
    static boolean goEquals(JsonNode a, JsonNode b) {
        GoKind ka = kind(a);
        GoKind kb = kind(b);
        if (ka != kb) {
            return false;
        }
        return switch (ka) {
            case NIL -> true;
            case MAP, SLICE -> false;
            case STRING -> a.stringValue().equals(b.stringValue());
            case BOOL -> a.booleanValue() == b.booleanValue();
            case INT64 -> a.longValue() == b.longValue();
            case FLOAT64 -> a.doubleValue() == b.doubleValue();
        };
    }

    private static String show(Object o) {
        return String.valueOf(o);
    }

    static String errNoMergeKey(JsonNode m, String key) {
        return "map: " + show(m) + " does not contain declared merge key: " + key;
    }

    static String errBadArgType(String expected, JsonNode actual) {
        return "expected a " + expected + ", but received a " + goTypeName(actual);
    }

    private static String goTypeName(JsonNode n) {
        return switch (kind(n)) {
            case MAP -> "map[string]interface {}";
            case SLICE -> "[]interface {}";
            case STRING -> "string";
            case BOOL -> "bool";
            case INT64 -> "int64";
            case FLOAT64 -> "float64";
            case NIL -> "<nil>";
        };
    }

    static String errBadPatchType(JsonNode t, JsonNode m) {
        return "unknown patch type: " + (t != null && t.isString() ? t.stringValue() : show(t)) + " in map: " + show(m);
    }

    // ------------------------------------------------------------------------------------------ mergeMap

    /**
     * Merges {@code patch} into {@code original} (both are modified), as Kubernetes' mergeMap; returns the result,
     * which is a new node when the patch replaces or deletes the whole map.
     */
    static JsonNode mergeMap(ObjectNode original, ObjectNode patch, PatchSchema schema, MergeOptions options) {
        if (patch.has(DIRECTIVE_MARKER)) {
            return handleDirectiveInMergeMap(patch.get(DIRECTIVE_MARKER), patch);
        }
        if (original == null) {
            original = NODES.objectNode();
        }
        applyRetainKeysDirective(original, patch, options);
        mergePatchIntoOriginal(original, patch, schema, options);

        for (String key : new ArrayList<>(patch.propertyNames())) {
            if (!patch.has(key)) {
                continue;
            }
            JsonNode patchV = patch.get(key);
            String k = key;
            boolean isDeleteList = false;
            if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX)) {
                if (!options.mergeParallelList()) {
                    original.set(key, patchV);
                    continue;
                }
                k = extractKey(key, DELETE_FROM_PRIMITIVE_LIST_PREFIX);
                isDeleteList = true;
            }
            // null deletes the key; unmatched nulls are dropped on the server
            if (kind(patchV) == GoKind.NIL) {
                original.remove(k);
                if (options.ignoreUnmatchedNulls()) {
                    continue;
                }
            }
            if (!original.has(k)) {
                if (!isDeleteList) {
                    if (options.ignoreUnmatchedNulls()) {
                        discardNullValuesFromPatch(patchV);
                    }
                    setOrRemove(original, k, removeDirectives(patchV));
                }
                continue;
            }
            JsonNode originalV = original.get(k);
            if (kind(originalV) != kind(patchV)) {
                if (!isDeleteList) {
                    if (options.ignoreUnmatchedNulls()) {
                        discardNullValuesFromPatch(patchV);
                    }
                    setOrRemove(original, k, removeDirectives(patchV));
                }
                continue;
            }
            switch (kind(originalV)) {
                case MAP -> {
                    PatchSchema.Field f = schema.field(k);
                    String strategy = extractRetainKeysPatchStrategy(f.strategies());
                    original.set(k, mergeMapHandler((ObjectNode) originalV, (ObjectNode) patchV, f.schema(), strategy, options));
                }
                case SLICE -> {
                    PatchSchema.Field f = schema.field(k);
                    String strategy = extractRetainKeysPatchStrategy(f.strategies());
                    original.set(k, mergeSliceHandler(toList((ArrayNode) originalV), (ArrayNode) patchV, f.schema(), strategy,
                            f.mergeKey(), isDeleteList, options));
                }
                default -> setOrRemove(original, k, removeDirectives(patchV));
            }
        }
        return original;
    }

    private static void setOrRemove(ObjectNode o, String k, JsonNode v) {
        if (v == null) {
            o.remove(k);
        } else {
            o.set(k, v);
        }
    }

    private static JsonNode handleDirectiveInMergeMap(JsonNode directive, ObjectNode patch) {
        if (directive != null && directive.isString() && directive.stringValue().equals(REPLACE)) {
            // "$patch: replace": the patch, without its marker, is the new map
            patch.remove(DIRECTIVE_MARKER);
            return patch;
        }
        if (directive != null && directive.isString() && directive.stringValue().equals(DELETE)) {
            return NODES.objectNode();
        }
        throw StrategicMergePatchException.badRequest(errBadPatchType(directive, patch));
    }

    private static void discardNullValuesFromPatch(JsonNode v) {
        if (v.isObject()) {
            ObjectNode o = (ObjectNode) v;
            for (String k : new ArrayList<>(o.propertyNames())) {
                if (kind(o.get(k)) == GoKind.NIL) {
                    o.remove(k);
                } else {
                    discardNullValuesFromPatch(o.get(k));
                }
            }
        } else if (v.isArray()) {
            for (JsonNode e : v) {
                discardNullValuesFromPatch(e);
            }
        }
    }

    /** The value to store for a patch value, or null (Java's) when it is a directive and must not be kept. */
    static JsonNode removeDirectives(JsonNode obj) {
        if (obj == null || obj.isNull()) {
            return obj;
        }
        if (obj.isObject()) {
            ObjectNode o = (ObjectNode) obj;
            if (o.has(DIRECTIVE_MARKER)) {
                return null;
            }
            for (String k : new ArrayList<>(o.propertyNames())) {
                setOrRemove(o, k, removeDirectives(o.get(k)));
            }
            return o;
        }
        if (obj.isArray()) {
            ArrayNode res = NODES.arrayNode();
            for (JsonNode v : obj) {
                JsonNode kept = removeDirectives(v);
                if (kept != null) {
                    res.add(kept);
                }
            }
            return res;
        }
        return obj;
    }

    private static JsonNode mergeMapHandler(ObjectNode original, ObjectNode patch, PatchSchema schema, String strategy,
                                            MergeOptions options) {
        if (!REPLACE.equals(strategy)) {
            return mergeMap(original, patch, schema, options);
        }
        return patch;
    }

    /**
     * Merges a list field. {@code original} may be written in place, as Go writes the backing array of the
     * original slice (see {@link SharedSlice}).
     */
    private static ArrayNode mergeSliceHandler(List<JsonNode> original, ArrayNode patch, PatchSchema schema, String strategy,
                                               String mergeKey, boolean isDeleteList, MergeOptions options) {
        // deletion lists are handled the same way whatever the field's strategy
        if (MERGE.equals(strategy) || isDeleteList) {
            return toArray(mergeSlice(original, toList(patch), schema, mergeKey, options, isDeleteList));
        }
        return patch;
    }

    /**
     * A Go slice over the backing array of the original list. Kubernetes deletes list items with
     * {@code append(s[:i], s[i+1:]...)} and adds them with {@code append(s, v)}, which write into the array that the
     * caller's slice of the original list still sees; mergePatchIntoOriginal then orders the merged list by that
     * caller's slice. Writes within the original length are mirrored into {@code shared} for the same result.
     */
    private static final class SharedSlice {
        private final List<JsonNode> shared;
        private final int capacity;
        private final List<JsonNode> work;

        SharedSlice(List<JsonNode> shared) {
            this.shared = shared;
            this.capacity = shared.size();
            this.work = new ArrayList<>(shared);
        }

        void delete(int i) {
            work.remove(i);
            for (int k = i; k < work.size(); k++) {
                mirror(k);
            }
        }

        void set(int i, JsonNode v) {
            work.set(i, v);
            mirror(i);
        }

        void append(JsonNode v) {
            work.add(v);
            mirror(work.size() - 1);
        }

        private void mirror(int k) {
            if (k < capacity) {
                shared.set(k, work.get(k));
            }
        }
    }

    static List<JsonNode> toList(ArrayNode a) {
        List<JsonNode> l = new ArrayList<>(a.size());
        a.forEach(l::add);
        return l;
    }

    static ArrayNode toArray(List<JsonNode> l) {
        ArrayNode a = NODES.arrayNode();
        l.forEach(a::add);
        return a;
    }

    /** Go's {@code extractRetainKeysPatchStrategy}: the strategy other than retainKeys ("" if none). */
    static String extractRetainKeysPatchStrategy(List<String> strategies) {
        switch (strategies.size()) {
            case 0:
                return "";
            case 1:
                return strategies.get(0).equals(RETAIN_KEYS_STRATEGY) ? "" : strategies.get(0);
            case 2:
                if (strategies.get(0).equals(RETAIN_KEYS_STRATEGY)) {
                    return strategies.get(1);
                }
                if (strategies.get(1).equals(RETAIN_KEYS_STRATEGY)) {
                    return strategies.get(0);
                }
                // fall through
            default:
                throw StrategicMergePatchException.invalid("unexpected patch strategy: " + strategies);
        }
    }

    private static String extractKey(String s, String prefix) {
        String[] parts = s.split("/", 2);
        if (parts.length <= 1 || !parts[0].equals(prefix)) {
            throw StrategicMergePatchException.badRequest(prefix.equals(DELETE_FROM_PRIMITIVE_LIST_PREFIX)
                    ? ERR_BAD_PATCH_FORMAT_FOR_PRIMITIVE_LIST : ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST);
        }
        return parts[1];
    }

    // ------------------------------------------------------------------------------------------ $retainKeys

    private static void applyRetainKeysDirective(ObjectNode original, ObjectNode patch, MergeOptions options) {
        if (!patch.has(RETAIN_KEYS_DIRECTIVE)) {
            return;
        }
        JsonNode retainKeysInPatch = patch.remove(RETAIN_KEYS_DIRECTIVE);
        if (!options.mergeParallelList()) {
            JsonNode inOriginal = original.get(RETAIN_KEYS_DIRECTIVE);
            if (inOriginal != null) {
                if (!inOriginal.equals(retainKeysInPatch)) {
                    throw StrategicMergePatchException.invalid(inOriginal + " and " + retainKeysInPatch + " are not deep equal");
                }
            } else {
                original.set(RETAIN_KEYS_DIRECTIVE, retainKeysInPatch);
            }
            return;
        }
        if (!retainKeysInPatch.isArray()) {
            throw StrategicMergePatchException.badRequest(ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS);
        }
        Set<String> retained = new HashSet<>();
        for (JsonNode v : retainKeysInPatch) {
            if (v.isString()) {
                retained.add(v.stringValue());
            }
        }
        // every field the patch sets must be retained
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            String k = e.getKey();
            if (kind(e.getValue()) == GoKind.NIL || k.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX)
                    || k.startsWith(SET_ELEMENT_ORDER_PREFIX)) {
                continue;
            }
            if (!retained.contains(k)) {
                throw StrategicMergePatchException.badRequest(ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS);
            }
        }
        for (String k : new ArrayList<>(original.propertyNames())) {
            if (!retained.contains(k)) {
                original.remove(k);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ $setElementOrder

    private static void mergePatchIntoOriginal(ObjectNode original, ObjectNode patch, PatchSchema schema, MergeOptions options) {
        for (String key : new ArrayList<>(patch.propertyNames())) {
            if (!key.startsWith(SET_ELEMENT_ORDER_PREFIX) || !patch.has(key)) {
                continue;
            }
            JsonNode setElementOrderInPatch = patch.get(key);
            if (!options.mergeParallelList()) {
                JsonNode inOriginal = original.get(key);
                if (inOriginal != null) {
                    if (!inOriginal.equals(setElementOrderInPatch)) {
                        throw StrategicMergePatchException.badRequest(ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST);
                    }
                } else {
                    original.set(key, setElementOrderInPatch);
                }
            }
            patch.remove(key);

            if (!setElementOrderInPatch.isArray()) {
                throw StrategicMergePatchException.invalid(errBadArgType("[]interface {}", setElementOrderInPatch));
            }
            List<JsonNode> setOrder = toList((ArrayNode) setElementOrderInPatch);
            String originalKey = extractKey(key, SET_ELEMENT_ORDER_PREFIX);
            JsonNode originalList = original.get(originalKey);
            JsonNode patchList = patch.get(originalKey);
            boolean foundOriginal = originalList != null;
            boolean foundPatch = patchList != null;
            List<JsonNode> originalFieldValue = List.of();
            List<JsonNode> patchFieldValue = List.of();
            if (foundOriginal) {
                if (!originalList.isArray()) {
                    throw StrategicMergePatchException.invalid(errBadArgType("[]interface {}", originalList));
                }
                originalFieldValue = toList((ArrayNode) originalList);
            }
            if (foundPatch) {
                if (!patchList.isArray()) {
                    throw StrategicMergePatchException.invalid(errBadArgType("[]interface {}", patchList));
                }
                patchFieldValue = toList((ArrayNode) patchList);
            }
            PatchSchema.Field field = schema.field(originalKey);
            String strategy = extractRetainKeysPatchStrategy(field.strategies());
            String mergeKey = field.mergeKey();
            validatePatchWithSetOrderList(patchFieldValue, setOrder, mergeKey);

            List<JsonNode> merged;
            if (foundOriginal && !foundPatch) {
                merged = originalFieldValue;
            } else if (!foundOriginal && foundPatch) {
                merged = toList((ArrayNode) removeDirectives(patchList));
            } else if (foundOriginal) {
                merged = toList(mergeSliceHandler(originalFieldValue, (ArrayNode) patchList, field.schema(), strategy,
                        mergeKey, false, options));
            } else {
                continue;
            }

            List<JsonNode> patchItems = new ArrayList<>();
            List<JsonNode> serverOnlyItems = new ArrayList<>();
            if (mergeKey.isEmpty()) {
                partitionPrimitivesByPresentInList(merged, setOrder, patchItems, serverOnlyItems);
            } else {
                partitionMapsByPresentInList(merged, setOrder, mergeKey, patchItems, serverOnlyItems);
            }
            GoKind elementKind = sliceElementType(originalFieldValue, patchFieldValue);
            original.set(originalKey, toArray(normalizeElementOrder(patchItems, serverOnlyItems, setOrder,
                    originalFieldValue, mergeKey, elementKind)));
            patch.remove(originalKey);
        }
    }

    /** The relative order of the items of the patch list must be that of the $setElementOrder list. */
    private static void validatePatchWithSetOrderList(List<JsonNode> patchList, List<JsonNode> setOrderList, String mergeKey) {
        if (setOrderList.isEmpty() || patchList.isEmpty()) {
            return;
        }
        List<JsonNode> nonDeleteList = mergeKey.isEmpty() ? patchList : extractToDeleteItems(patchList, null);
        int patchIndex = 0;
        int setOrderIndex = 0;
        while (patchIndex < nonDeleteList.size() && setOrderIndex < setOrderList.size()) {
            if (containsDirectiveMarker(nonDeleteList.get(patchIndex))) {
                patchIndex++;
                continue;
            }
            if (mergeKeyValueEqual(nonDeleteList.get(patchIndex), setOrderList.get(setOrderIndex), mergeKey)) {
                patchIndex++;
            }
            setOrderIndex++;
        }
        if (patchIndex < nonDeleteList.size() && setOrderIndex >= setOrderList.size()) {
            throw StrategicMergePatchException.invalid("The order in patch list:\n" + patchList + "\n doesn't match "
                    + SET_ELEMENT_ORDER_PREFIX + " list:\n" + setOrderList + "\n");
        }
    }

    private static boolean containsDirectiveMarker(JsonNode item) {
        return item.isObject() && item.has(DIRECTIVE_MARKER);
    }

    static boolean mergeKeyValueEqual(JsonNode left, JsonNode right, String mergeKey) {
        if (mergeKey.isEmpty()) {
            return goEquals(left, right);
        }
        if (!left.isObject()) {
            throw StrategicMergePatchException.invalid(errBadArgType("map[string]interface {}", left));
        }
        if (!right.isObject()) {
            throw StrategicMergePatchException.invalid(errBadArgType("map[string]interface {}", right));
        }
        if (!left.has(mergeKey)) {
            throw StrategicMergePatchException.invalid(errNoMergeKey(left, mergeKey));
        }
        if (!right.has(mergeKey)) {
            throw StrategicMergePatchException.invalid(errNoMergeKey(right, mergeKey));
        }
        return goEquals(left.get(mergeKey), right.get(mergeKey));
    }

    // ------------------------------------------------------------------------------------------ lists

    private static List<JsonNode> mergeSlice(List<JsonNode> original, List<JsonNode> patch, PatchSchema schema, String mergeKey,
                                             MergeOptions options, boolean isDeleteList) {
        if (original.isEmpty() && patch.isEmpty()) {
            return original;
        }
        GoKind kind = sliceElementType(original, patch);
        List<JsonNode> merged;
        if (kind != GoKind.MAP) {
            if (options.mergeParallelList() && isDeleteList) {
                return deleteFromSlice(original, patch);
            }
            List<JsonNode> both = new ArrayList<>(original);
            both.addAll(patch);
            merged = deduplicateScalars(both);
        } else {
            if (mergeKey.isEmpty()) {
                throw StrategicMergePatchException.invalid("cannot merge lists without merge key for " + schema.name());
            }
            List<JsonNode> patchWithoutSpecialElements = new ArrayList<>();
            SharedSlice slice = new SharedSlice(original);
            boolean replace = false;
            for (JsonNode v : patch) {
                JsonNode directive = v.get(DIRECTIVE_MARKER);
                if (directive == null) {
                    patchWithoutSpecialElements.add(v);
                    continue;
                }
                String d = directive.isString() ? directive.stringValue() : null;
                if (DELETE.equals(d)) {
                    if (!v.has(mergeKey)) {
                        throw StrategicMergePatchException.invalid(errNoMergeKey(v, mergeKey));
                    }
                    deleteMatchingEntries(slice, mergeKey, v.get(mergeKey));
                } else if (REPLACE.equals(d)) {
                    replace = true; // go on, to prune the other $patch elements
                } else if (MERGE.equals(d)) {
                    throw StrategicMergePatchException.invalid("merging lists cannot yet be specified in the patch");
                } else {
                    throw StrategicMergePatchException.badRequest(errBadPatchType(directive, v));
                }
            }
            if (replace) {
                original = patchWithoutSpecialElements;
                patch = List.of();
                slice = new SharedSlice(new ArrayList<>(original));
            } else {
                original = new ArrayList<>(slice.work);
                patch = patchWithoutSpecialElements;
            }
            merged = mergeSliceWithoutSpecialElements(slice, patch, mergeKey, schema, options);
        }
        // enforce the order
        List<JsonNode> patchItems = new ArrayList<>();
        List<JsonNode> serverOnlyItems = new ArrayList<>();
        if (mergeKey.isEmpty()) {
            partitionPrimitivesByPresentInList(merged, patch, patchItems, serverOnlyItems);
        } else {
            partitionMapsByPresentInList(merged, patch, mergeKey, patchItems, serverOnlyItems);
        }
        return normalizeElementOrder(patchItems, serverOnlyItems, patch, original, mergeKey, kind);
    }

    private static void deleteMatchingEntries(SharedSlice slice, String mergeKey, JsonNode mergeValue) {
        while (true) {
            int i = findMapInSliceBasedOnKeyValue(slice.work, mergeKey, mergeValue);
            if (i < 0) {
                return;
            }
            slice.delete(i);
        }
    }

    private static List<JsonNode> mergeSliceWithoutSpecialElements(SharedSlice slice, List<JsonNode> patch, String mergeKey,
                                                                   PatchSchema schema, MergeOptions options) {
        for (JsonNode v : patch) {
            if (!v.has(mergeKey)) {
                throw StrategicMergePatchException.invalid(errNoMergeKey(v, mergeKey));
            }
            int i = findMapInSliceBasedOnKeyValue(slice.work, mergeKey, v.get(mergeKey));
            if (i >= 0) {
                slice.set(i, mergeMap((ObjectNode) slice.work.get(i), (ObjectNode) v, schema, options));
            } else {
                slice.append(v);
            }
        }
        return new ArrayList<>(slice.work);
    }

    private static int findMapInSliceBasedOnKeyValue(List<JsonNode> m, String key, JsonNode value) {
        for (int k = 0; k < m.size(); k++) {
            JsonNode v = m.get(k);
            if (!v.isObject()) {
                throw StrategicMergePatchException.invalid("value for key " + k + " is not a map");
            }
            if (v.has(key) && goEquals(v.get(key), value)) {
                return k;
            }
        }
        return -1;
    }

    private static List<JsonNode> deleteFromSlice(List<JsonNode> current, List<JsonNode> toDelete) {
        List<JsonNode> out = new ArrayList<>(current.size());
        for (JsonNode v : current) {
            if (!containsGo(toDelete, v)) {
                out.add(v);
            }
        }
        return out;
    }

    private static boolean containsGo(List<JsonNode> l, JsonNode v) {
        for (JsonNode e : l) {
            if (goEquals(e, v)) {
                return true;
            }
        }
        return false;
    }

    /** Go's deduplicateScalars, which moves the last element into a duplicate's place (order matters downstream). */
    static List<JsonNode> deduplicateScalars(List<JsonNode> in) {
        List<JsonNode> s = new ArrayList<>(in);
        int length = s.size() - 1;
        for (int i = 0; i < length; i++) {
            for (int j = i + 1; j <= length; j++) {
                if (goEquals(s.get(i), s.get(j))) {
                    s.set(j, s.get(length));
                    s.remove(length);
                    length--;
                    j--;
                }
            }
        }
        return s;
    }

    static GoKind sliceElementType(List<JsonNode> a, List<JsonNode> b) {
        GoKind prev = null;
        for (List<JsonNode> s : List.of(a, b)) {
            for (JsonNode v : s) {
                GoKind current = kind(v);
                if (current == GoKind.NIL) {
                    throw StrategicMergePatchException.invalid("lists must not contain null elements");
                }
                if (prev == null) {
                    prev = current;
                    if (prev == GoKind.SLICE) {
                        throw StrategicMergePatchException.invalid(ERR_NO_LIST_OF_LISTS);
                    }
                } else if (prev != current) {
                    throw StrategicMergePatchException.invalid("list element types are not identical: " + a + " " + b);
                }
            }
        }
        if (prev == null) {
            throw StrategicMergePatchException.invalid("no elements in any of the given slices");
        }
        return prev;
    }

    private static void partitionPrimitivesByPresentInList(List<JsonNode> original, List<JsonNode> partitionBy,
                                                           List<JsonNode> patch, List<JsonNode> serverOnly) {
        for (JsonNode v : original) {
            (containsGo(partitionBy, v) ? patch : serverOnly).add(v);
        }
    }

    private static void partitionMapsByPresentInList(List<JsonNode> original, List<JsonNode> partitionBy, String mergeKey,
                                                     List<JsonNode> patch, List<JsonNode> serverOnly) {
        for (JsonNode v : original) {
            if (!v.isObject()) {
                throw StrategicMergePatchException.invalid(errBadArgType("map[string]interface {}", v));
            }
            if (!v.has(mergeKey)) {
                throw StrategicMergePatchException.invalid(errNoMergeKey(v, mergeKey));
            }
            (findMapInSliceBasedOnKeyValue(partitionBy, mergeKey, v.get(mergeKey)) >= 0 ? patch : serverOnly).add(v);
        }
    }

    // ------------------------------------------------------------------------------------------ ordering

    /**
     * Sorts the patch's items by {@code patchOrder} and the server-only items by {@code serverOrder}, then merges the
     * two, keeping each one's relative order (Kubernetes' normalizeElementOrder).
     */
    private static List<JsonNode> normalizeElementOrder(List<JsonNode> patch, List<JsonNode> serverOnly, List<JsonNode> patchOrder,
                                                        List<JsonNode> serverOrder, String mergeKey, GoKind kind) {
        List<JsonNode> p = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
        List<JsonNode> s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
        return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
    }

    private static List<JsonNode> mergeSortedSlice(List<JsonNode> left, List<JsonNode> right, List<JsonNode> serverOrder,
                                                   String mergeKey, GoKind kind) {
        int size = left.size() + right.size();
        List<JsonNode> s = new ArrayList<>(size);
        int i = 0;
        int j = 0;
        for (int k = 0; k < size; k++) {
            if (i >= left.size() && j < right.size()) {
                s.add(right.get(j++));
            } else if (j >= right.size() && i < left.size()) {
                s.add(left.get(i++));
            } else {
                int li = index(serverOrder, left.get(i), mergeKey, kind);
                int ri = index(serverOrder, right.get(j), mergeKey, kind);
                if (li >= 0 && ri >= 0 && li < ri) {
                    s.add(left.get(i++));
                } else {
                    s.add(right.get(j++));
                }
            }
        }
        return s;
    }

    private static int index(List<JsonNode> l, JsonNode valToLookUp, String mergeKey, GoKind kind) {
        JsonNode wanted = kind == GoKind.MAP ? mergeKeyOf(valToLookUp, mergeKey) : valToLookUp;
        for (int i = 0; i < l.size(); i++) {
            JsonNode v = kind == GoKind.MAP ? mergeKeyOf(l.get(i), mergeKey) : l.get(i);
            if (goEquals(wanted, v)) {
                return i;
            }
        }
        return -1;
    }

    private static JsonNode mergeKeyOf(JsonNode item, String mergeKey) {
        return item != null && item.isObject() ? item.get(mergeKey) : null;
    }

    private static List<JsonNode> extractToDeleteItems(List<JsonNode> l, List<JsonNode> toDelete) {
        List<JsonNode> nonDelete = new ArrayList<>();
        for (JsonNode v : l) {
            if (!v.isObject()) {
                throw StrategicMergePatchException.invalid(errBadArgType("map[string]interface {}", v));
            }
            JsonNode d = v.get(DIRECTIVE_MARKER);
            if (d != null && d.isString() && d.stringValue().equals(DELETE)) {
                if (toDelete != null) {
                    toDelete.add(v);
                }
            } else {
                nonDelete.add(v);
            }
        }
        return nonDelete;
    }

    static List<JsonNode> normalizeSliceOrder(List<JsonNode> toSort, List<JsonNode> order, String mergeKey, GoKind kind) {
        List<JsonNode> sorted = new ArrayList<>(toSort);
        List<JsonNode> toDelete = new ArrayList<>();
        if (kind == GoKind.MAP) {
            for (List<JsonNode> l : List.of(toSort, order)) {
                for (JsonNode item : l) {
                    if (!item.isObject()) {
                        throw StrategicMergePatchException.invalid(errBadArgType("map[string]interface {}", item));
                    }
                    if (!item.has(mergeKey)) {
                        throw StrategicMergePatchException.invalid(errNoMergeKey(item, mergeKey));
                    }
                }
            }
            sorted = extractToDeleteItems(sorted, toDelete);
        }
        List<JsonNode> data = sorted;
        GoStableSort.sort(data, (i, j) -> {
            int ii = index(order, data.get(i), mergeKey, kind);
            if (ii >= 0) {
                int ij = index(order, data.get(j), mergeKey, kind);
                if (ij >= 0) {
                    return ii < ij;
                }
            }
            return true;
        });
        data.addAll(toDelete);
        return data;
    }
}
