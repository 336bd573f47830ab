package io.kube4j.api.patch;

import io.kube4j.api.codec.Codecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.kube4j.api.patch.KubernetesStrategicPatchCasesTest.MERGE_ITEM;
import static io.kube4j.api.patch.KubernetesStrategicPatchCasesTest.sortMergeLists;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kubernetes' own cases for creating strategic merge patches (patch_test.go's TestStrategicMergePatch tables, whose
 * cases carry twoWay and threeWay expectations) run against {@link StrategicMergePatchDiff}: the raw table (and
 * "for list of primitives" cases) compared exactly, list order included, the sorted table as Kubernetes'
 * testPatchCreation compares it (merge lists of the created patch sorted by name); then applied with {@link StrategicMergePatch}: the two-way patch must turn original into modified,
 * the three-way patch current into result.
 */
class KubernetesStrategicPatchCreationTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    record Case(String name, JsonNode original, JsonNode modified, JsonNode current, JsonNode twoWay, JsonNode twoWayResult,
                JsonNode threeWay, JsonNode result, boolean sorted) {
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
        for (String table : List.of("createSorted", "createRaw")) {
            boolean sorted = table.endsWith("Sorted");
            for (JsonNode c : all.get(table)) {
                out.add(new Case(table + ": " + c.get("description").asString(), obj(c.get("original")), obj(c.get("modified")),
                        obj(c.get("current")), obj(c.get("twoWay")),
                        obj(c.has("twoWayResult") ? c.get("twoWayResult") : c.get("modified")), obj(c.get("threeWay")), obj(c.get("result")), sorted));
            }
        }
        return out.stream().map(Arguments::of);
    }

    private static JsonNode obj(JsonNode n) {
        return n == null || n.isNull() ? NODES.objectNode() : n;
    }

    private static JsonNode in(Case c, JsonNode n) {
        return c.sorted() ? sortMergeLists(n, MERGE_ITEM) : n;
    }

    private static void assertPatch(Case c, JsonNode actual, JsonNode expected) {
        if (!c.sorted() || c.name().contains("for list of primitives")) {
            assertThat(actual).as(c.name()).isEqualTo(expected);
        } else {
            assertThat(sortMergeLists(actual, MERGE_ITEM)).as(c.name()).isEqualTo(in(c, expected));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void createsTwoWayPatchesAsKubernetes(Case c) {
        JsonNode original = in(c, c.original());
        JsonNode modified = in(c, c.modified());
        JsonNode before = original.deepCopy();
        ObjectNode patch = StrategicMergePatchDiff.createTwoWay(original, modified, MERGE_ITEM);
        assertPatch(c, patch, c.twoWay());
        assertThat(original).as("the original is not modified").isEqualTo(before);
        assertThat(sortMergeLists(StrategicMergePatch.apply(original, patch, MERGE_ITEM), MERGE_ITEM))
                .as("two-way patch applied to original").isEqualTo(sortMergeLists(in(c, c.twoWayResult()), MERGE_ITEM));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void createsThreeWayPatchesAsKubernetes(Case c) {
        JsonNode current = in(c, c.current());
        ObjectNode patch;
        try {
            patch = StrategicMergePatchDiff.createThreeWay(in(c, c.original()), in(c, c.modified()), current, MERGE_ITEM, false);
            assertThat(c.name()).as("no conflict expected").doesNotContain("conflict");
        } catch (StrategicMergePatchConflictException e) {
            assertThat(c.name()).as("unexpected conflict: " + e.getMessage()).contains("conflict");
            patch = StrategicMergePatchDiff.createThreeWay(in(c, c.original()), in(c, c.modified()), current, MERGE_ITEM, true);
        }
        assertPatch(c, patch, c.threeWay());
        assertThat(sortMergeLists(StrategicMergePatch.apply(current, patch, MERGE_ITEM), MERGE_ITEM))
                .as("three-way patch applied to current").isEqualTo(sortMergeLists(in(c, c.result()), MERGE_ITEM));
    }

    @Test
    void theTablesAreAllThere() throws IOException {
        assertThat(cases().count()).isEqualTo(113);
    }

    @Test
    void conflictsAreReportedUnlessOverwriting() {
        JsonNode original = Codecs.json().readTree("{\"name\":\"a\",\"value\":\"1\"}");
        JsonNode modified = Codecs.json().readTree("{\"name\":\"a\",\"value\":\"2\"}");
        JsonNode current = Codecs.json().readTree("{\"name\":\"a\",\"value\":\"3\"}");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> StrategicMergePatchDiff.createThreeWay(original, modified, current, MERGE_ITEM, false))
                .isInstanceOf(StrategicMergePatchConflictException.class);
        assertThat(StrategicMergePatchDiff.createThreeWay(original, modified, current, MERGE_ITEM, true))
                .isEqualTo(Codecs.json().readTree("{\"value\":\"2\"}"));
    }

    @Test
    void goFormatsScalarsAsPercentV() {
        assertThat(StrategicMergePatchDiff.goString(NODES.numberNode(1000000.0))).isEqualTo("1e+06");
        assertThat(StrategicMergePatchDiff.goString(NODES.numberNode(123456.5))).isEqualTo("123456.5");
        assertThat(StrategicMergePatchDiff.goString(NODES.numberNode(0.5))).isEqualTo("0.5");
        assertThat(StrategicMergePatchDiff.goString(NODES.numberNode(42))).isEqualTo("42");
        assertThat(StrategicMergePatchDiff.goString(NODES.booleanNode(true))).isEqualTo("true");
    }
}
