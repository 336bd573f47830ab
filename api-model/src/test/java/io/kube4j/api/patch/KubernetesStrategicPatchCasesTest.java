package io.kube4j.api.patch;

import io.kube4j.api.codec.Codecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Kubernetes' own test cases for applying strategic merge patches (apimachinery strategicpatch/patch_test.go,
 * extracted by {@code tools/extract-strategicpatch-test-cases.py}), run against {@link StrategicMergePatch} with the
 * test type {@code MergeItem} of that file. "Sorted" tables are compared as Kubernetes' test compares them (merge
 * lists of the inputs sorted by name first); "raw" tables check the exact order of every list.
 */
class KubernetesStrategicPatchCasesTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** patch_test.go's MergeItem and RetainKeysMergeItem, with their struct tags. */
    static final PatchSchema MERGE_ITEM;

    static {
        Map<String, PatchSchema.Field> mergeItem = new LinkedHashMap<>();
        Map<String, PatchSchema.Field> retainKeysItem = new LinkedHashMap<>();
        PatchSchema item = PatchSchema.struct("MergeItem", mergeItem);
        PatchSchema retain = PatchSchema.struct("RetainKeysMergeItem", retainKeysItem);
        PatchSchema g = PatchSchema.generic();
        mergeItem.put("mergingList", new PatchSchema.Field(item, List.of("merge"), "name"));
        mergeItem.put("nonMergingList", new PatchSchema.Field(item, List.of(), ""));
        mergeItem.put("mergingIntList", new PatchSchema.Field(g, List.of("merge"), ""));
        mergeItem.put("mergeItemPtr", new PatchSchema.Field(item, List.of("merge"), "name"));
        mergeItem.put("replacingItem", new PatchSchema.Field(g, List.of("replace"), ""));
        mergeItem.put("retainKeysMap", new PatchSchema.Field(retain, List.of("retainKeys"), ""));
        mergeItem.put("retainKeysMergingList", new PatchSchema.Field(item, List.of("merge", "retainKeys"), "name"));
        retainKeysItem.put("mergingIntList", new PatchSchema.Field(g, List.of("merge"), ""));
        retainKeysItem.put("mergingList", new PatchSchema.Field(item, List.of("merge"), "name"));
        retainKeysItem.put("nonMergingList", new PatchSchema.Field(item, List.of(), ""));
        MERGE_ITEM = item;
    }

    record Case(String name, JsonNode original, JsonNode patch, JsonNode expected, String expectedError, boolean sorted) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> cases() throws IOException {
        JsonNode all;
        try (InputStream in = KubernetesStrategicPatchCasesTest.class.getResourceAsStream("kubernetes-strategicpatch-cases.json")) {
            all = Codecs.json().readTree(in);
        }
        List<Case> out = new ArrayList<>();
        for (String table : List.of("customSorted", "customRaw", "createSorted", "createRaw")) {
            boolean sorted = table.endsWith("Sorted");
            for (JsonNode c : all.get(table)) {
                String d = table + ": " + c.get("description").asString();
                String error = c.has("expectedError") ? c.get("expectedError").asString() : null;
                if (c.has("twoWay")) {
                    JsonNode expected = c.has("twoWayResult") ? c.get("twoWayResult") : c.get("modified");
                    out.add(new Case(d + " (two-way)", c.get("original"), c.get("twoWay"), expected, error, sorted));
                }
                if (c.has("threeWay") && c.has("result") && c.get("result").size() > 0) {
                    out.add(new Case(d + " (three-way)", c.get("current"), c.get("threeWay"), c.get("result"), null, sorted));
                }
            }
        }
        return out.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void appliesAsKubernetes(Case c) {
        JsonNode original = c.original() == null || c.original().isNull() ? NODES.objectNode() : c.original();
        JsonNode patch = c.patch() == null || c.patch().isNull() ? NODES.objectNode() : c.patch();
        JsonNode expected = c.expected() == null || c.expected().isNull() ? NODES.objectNode() : c.expected();
        if (c.sorted()) {
            original = sortMergeLists(original, MERGE_ITEM);
            patch = sortMergeLists(patch, MERGE_ITEM);
            expected = sortMergeLists(expected, MERGE_ITEM);
        }
        if (c.expectedError() != null) {
            JsonNode o = original;
            JsonNode p = patch;
            assertThatThrownBy(() -> StrategicMergePatch.apply(o, p, MERGE_ITEM))
                    .isInstanceOf(StrategicMergePatchException.class).hasMessageContaining(c.expectedError());
            return;
        }
        JsonNode before = original.deepCopy();
        ObjectNode result = StrategicMergePatch.apply(original, patch, MERGE_ITEM);
        assertThat(result).as("original %s\npatch %s", original, patch).isEqualTo(expected);
        assertThat(original).as("the original is not modified").isEqualTo(before);
    }

    @Test
    void theTablesAreAllThere() throws IOException {
        assertThat(cases().count()).as("cases extracted from patch_test.go").isGreaterThan(200);
    }

    /** Kubernetes' sortMergeListsByName: merge lists sorted by their merge key (scalars deduplicated and sorted). */
    static JsonNode sortMergeLists(JsonNode n, PatchSchema schema) {
        if (!n.isObject()) {
            return n;
        }
        ObjectNode out = NODES.objectNode();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            String k = e.getKey();
            JsonNode v = e.getValue();
            if (k.equals("$retainKeys") || k.startsWith("$deleteFromPrimitiveList")) {
                v = sortScalars(v);
            } else if (!k.startsWith("$setElementOrder") && !k.equals("$patch")) {
                PatchSchema.Field f = schema.field(k);
                if (v.isObject()) {
                    v = sortMergeLists(v, f.schema());
                } else if (v.isArray() && StrategicMergePatch.extractRetainKeysPatchStrategy(f.strategies()).equals("merge")
                        && !v.isEmpty()) {
                    if (!v.get(0).isObject()) {
                        v = sortScalars(NODES.arrayNode().addAll(StrategicMergePatch.toArray(
                                StrategicMergePatch.deduplicateScalars(StrategicMergePatch.toList((ArrayNode) v)))));
                    } else {
                        List<JsonNode> items = new ArrayList<>();
                        v.forEach(i -> items.add(sortMergeLists(i, f.schema())));
                        items.sort(Comparator.comparing(i -> show(i.get(f.mergeKey()))));
                        v = StrategicMergePatch.toArray(items);
                    }
                }
            }
            out.set(k, v);
        }
        return out;
    }

    private static JsonNode sortScalars(JsonNode v) {
        List<JsonNode> items = StrategicMergePatch.toList((ArrayNode) v);
        items.sort(Comparator.comparing(KubernetesStrategicPatchCasesTest::show));
        return StrategicMergePatch.toArray(items);
    }

    private static String show(JsonNode n) {
        return n == null ? "<nil>" : n.isString() ? n.stringValue() : n.toString();
    }
}
