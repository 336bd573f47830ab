package io.kube4j.api.scheduling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import org.junit.jupiter.api.Test;

class NodeSelectorsTest {

    private static final Node NODE = new NodeBuilder().withNewMetadata().withName("n1")
            .withLabels(Map.of("zone", "a", "cores", "8")).endMetadata().build();

    private static NodeSelectorRequirement req(String key, String op, String... values) {
        return new NodeSelectorRequirement(key, op, List.of(values));
    }

    private static NodeSelectorTerm term(List<NodeSelectorRequirement> exprs, List<NodeSelectorRequirement> fields) {
        return new NodeSelectorTerm(exprs, fields);
    }

    private static PodSpec required(NodeSelectorTerm... terms) {
        return new PodSpecBuilder().withNewAffinity().withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution().withNodeSelectorTerms(terms)
                .endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity().build();
    }

    @Test
    void aSpecWithoutConstraintsMatchesEveryNode() {
        assertThat(NodeSelectors.matchesRequired(new PodSpec(), NODE)).isTrue();
        assertThat(NodeSelectors.matchesRequired(null, NODE)).isTrue();
    }

    @Test
    void nodeSelectorNeedsEveryLabel() {
        assertThat(NodeSelectors.matchesRequired(new PodSpecBuilder().withNodeSelector(Map.of("zone", "a")).build(), NODE)).isTrue();
        assertThat(NodeSelectors.matchesRequired(
                new PodSpecBuilder().withNodeSelector(Map.of("zone", "a", "gpu", "yes")).build(), NODE)).isFalse();
    }

    @Test
    void termsAreOredAndExpressionsAnded() {
        NodeSelectorTerm miss = term(List.of(req("zone", "In", "b")), List.of());
        NodeSelectorTerm hit = term(List.of(req("zone", "In", "a", "b"), req("cores", "Gt", "4")), List.of());
        NodeSelectorTerm half = term(List.of(req("zone", "In", "a"), req("cores", "Lt", "4")), List.of());
        assertThat(NodeSelectors.matchesRequired(required(miss, hit), NODE)).isTrue();
        assertThat(NodeSelectors.matchesRequired(required(miss, half), NODE)).isFalse();
    }

    @Test
    void emptyTermsAndNoTermsMatchNothing() {
        assertThat(NodeSelectors.matchesRequired(required(term(List.of(), List.of())), NODE)).isFalse();
        assertThat(NodeSelectors.matches(new NodeSelector(List.of()), NODE)).isFalse();
    }

    @Test
    void matchFieldsKnowOnlyMetadataName() {
        assertThat(NodeSelectors.termMatches(term(List.of(), List.of(req("metadata.name", "In", "n1"))), NODE)).isTrue();
        assertThat(NodeSelectors.termMatches(term(List.of(), List.of(req("metadata.name", "In", "n2"))), NODE)).isFalse();
        assertThat(NodeSelectors.termMatches(term(List.of(), List.of(req("metadata.uid", "Exists"))), NODE)).isFalse();
    }

    @Test
    void malformedOperatorsMatchNothing() {
        assertThat(NodeSelectors.termMatches(term(List.of(req("zone", "Like", "a")), List.of()), NODE)).isFalse();
        assertThat(NodeSelectors.termMatches(term(List.of(req("cores", "Gt", "1", "2")), List.of()), NODE)).isFalse();
        assertThat(NodeSelectors.termMatches(term(List.of(req("zone", "NotIn", "b"), req("gpu", "DoesNotExist")),
                List.of()), NODE)).isTrue();
    }
}
