package io.kube4j.apiserver.apply;

import io.kube4j.api.codec.Codecs;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FieldSetTest {

    private static JsonNode yaml(String text) {
        return Codecs.readYamlDocuments(text).get(0);
    }

    @Test
    void fieldSetOfADeploymentUsesListMapKeysSetsAndAtomicLists() {
        JsonNode d = yaml("""
                metadata: {labels: {app: web}, finalizers: [a, b]}
                spec:
                  replicas: 2
                  template:
                    spec:
                      tolerations: [{key: k, operator: Exists}]
                      volumes: [{name: scratch, emptyDir: {}}]
                      containers:
                      - name: app
                        image: nginx
                        args: [--x]
                        ports: [{containerPort: 80}]
                """);
        FieldSet set = FieldWalker.fieldSet(d, FieldSchema.forKind("apps/v1", "Deployment"));
        assertThat(set.toFieldsV1()).isEqualTo(Codecs.json().readTree("""
                {"f:metadata":{"f:finalizers":{"v:\\"a\\"":{},"v:\\"b\\"":{}},"f:labels":{"f:app":{}}},
                 "f:spec":{"f:replicas":{},"f:template":{"f:spec":{
                   "f:containers":{"k:{\\"name\\":\\"app\\"}":{".":{},"f:args":{},"f:image":{},"f:name":{},
                      "f:ports":{"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{}}}}},
                   "f:tolerations":{},
                   "f:volumes":{"k:{\\"name\\":\\"scratch\\"}":{".":{},"f:emptyDir":{},"f:name":{}}}}}}}
                """));
    }

    @Test
    void fieldsV1RoundTripsAndKeepsKubernetesOrder() {
        String text = "{\"f:metadata\":{\"f:labels\":{\".\":{},\"f:app\":{}}},\"f:spec\":{\"f:ports\":"
                + "{\"k:{\\\"port\\\":80,\\\"protocol\\\":\\\"TCP\\\"}\":{\".\":{},\"f:port\":{}}},\"f:selector\":{}}}";
        FieldSet set = FieldSet.fromFieldsV1(Codecs.json().readTree(text));
        assertThat(set.toFieldsV1().toString()).isEqualTo(text);
        assertThat(set.contains("f:metadata", "f:labels")).isTrue();
        assertThat(set.contains("f:metadata")).isFalse();
        assertThat(set.paths().stream().map(FieldSet::display)).containsExactly(".metadata.labels",
                ".metadata.labels.app", ".spec.ports[port=80,protocol=\"TCP\"]", ".spec.ports[port=80,protocol=\"TCP\"].port",
                ".spec.selector");
    }

    @Test
    void malformedFieldsV1IsRejected() {
        assertThatThrownBy(() -> FieldSet.fromFieldsV1(Codecs.json().readTree("{\"spec\":{}}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"spec\"");
        assertThatThrownBy(() -> FieldSet.fromFieldsV1(Codecs.json().readTree("{\"f:spec\":1}")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void setAlgebra() {
        FieldSet a = new FieldSet().insert("f:spec", "f:replicas").insert("f:spec", "f:paused");
        FieldSet b = new FieldSet().insert("f:spec", "f:replicas").insert("f:metadata", "f:labels", "f:x");
        assertThat(a.intersection(b).paths()).containsExactly(List.of("f:spec", "f:replicas"));
        assertThat(a.difference(b).paths()).containsExactly(List.of("f:spec", "f:paused"));
        assertThat(a.union(b).paths()).hasSize(3);
        assertThat(b.difference(b).isEmpty()).isTrue();
    }

    @Test
    void compareReportsAddedModifiedAndRemovedByListSemantics() {
        FieldSchema s = FieldSchema.forKind("v1", "Pod");
        JsonNode before = yaml("""
                spec: {containers: [{name: a, image: x}, {name: b, image: y}], terminationGracePeriodSeconds: 30}
                """);
        JsonNode after = yaml("""
                spec: {containers: [{name: b, image: z}, {name: c, image: q}], terminationGracePeriodSeconds: 30}
                """);
        FieldWalker.Comparison c = FieldWalker.compare(before, after, s);
        assertThat(c.modified().paths().stream().map(FieldSet::display))
                .containsExactly(".spec.containers[name=\"b\"].image");
        assertThat(c.added().paths().stream().map(FieldSet::display)).containsExactly(
                ".spec.containers[name=\"c\"]", ".spec.containers[name=\"c\"].image", ".spec.containers[name=\"c\"].name");
        assertThat(c.removed().paths().stream().map(FieldSet::display)).contains(".spec.containers[name=\"a\"]");
    }

    @Test
    void numbersCompareByValueNotByWidth() {
        FieldSchema s = FieldSchema.forKind("v1", "Pod");
        JsonNode before = Codecs.json().valueToTree(java.util.Map.of("spec",
                java.util.Map.of("terminationGracePeriodSeconds", 30L)));
        JsonNode after = yaml("spec: {terminationGracePeriodSeconds: 30}");
        assertThat(FieldWalker.compare(before, after, s).isEmpty()).isTrue();
    }
}
