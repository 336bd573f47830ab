package io.kube4j.cli.commands.describe;

import io.kube4j.api.codec.Codecs;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;

/** The logic under describe's text: kubectl's field labels, QoS classes, quantity arithmetic and endpoints. */
class DescribersTest {

    private static JsonNode yaml(String y) {
        return Codecs.yaml().readTree(y);
    }

    @Test
    void smartLabelsSplitCamelCaseAndKeepAcronyms() {
        assertThat(Describers.smartLabel("apiVersion")).isEqualTo("API Version");
        assertThat(Describers.smartLabel("creationTimestamp")).isEqualTo("Creation Timestamp");
        assertThat(Describers.smartLabel("uid")).isEqualTo("UID");
        assertThat(Describers.smartLabel("podCIDR")).isEqualTo("Pod CIDR");
        assertThat(Describers.smartLabel("some_field")).isEqualTo("some_field");
    }

    @Test
    void qosClassFollowsRequestsAndLimits() {
        assertThat(Describers.qosClass(yaml("spec: {containers: [{name: a}]}"))).isEqualTo("BestEffort");
        assertThat(Describers.qosClass(yaml(
                "spec: {containers: [{name: a, resources: {limits: {cpu: '1', memory: 1Gi}}}]}")))
                .isEqualTo("Guaranteed");
        assertThat(Describers.qosClass(yaml(
                "spec: {containers: [{name: a, resources: {requests: {cpu: 100m}}}]}"))).isEqualTo("Burstable");
        assertThat(Describers.qosClass(yaml("{spec: {}, status: {qosClass: Guaranteed}}"))).isEqualTo("Guaranteed");
    }

    @Test
    void quantitiesPrintAsKubernetesDoes() {
        assertThat(Quantities.cpu(Quantities.parse("100m").add(Quantities.parse("0.15")))).isEqualTo("250m");
        assertThat(Quantities.cpu(Quantities.parse("2"))).isEqualTo("2");
        assertThat(Quantities.bytes(Quantities.parse("64Mi").add(Quantities.parse("64Mi")))).isEqualTo("128Mi");
        assertThat(Quantities.bytes(BigDecimal.ZERO)).isEqualTo("0");
        assertThat(Quantities.percent(Quantities.parse("200m"), Quantities.parse("4"))).isEqualTo(5);
    }

    @Test
    void endpointsListUpToThreeReadyAddressesOfThePort() {
        JsonNode slice = yaml("""
                ports: [{name: http, port: 8080}]
                endpoints:
                - {addresses: [10.0.0.1], conditions: {ready: true}}
                - {addresses: [10.0.0.2], conditions: {ready: false}}
                - {addresses: [10.0.0.3]}
                - {addresses: [10.0.0.4]}
                - {addresses: [10.0.0.5]}
                """);
        assertThat(Describers.endpoints(java.util.List.of(slice), "http"))
                .isEqualTo("10.0.0.1:8080,10.0.0.3:8080,10.0.0.4:8080 + 1 more...");
        assertThat(Describers.endpoints(java.util.List.of(), "http")).isEqualTo("<none>");
    }

    @Test
    void accessModesAbbreviateInKubernetesOrderOnce() {
        assertThat(Describers.accessModes(java.util.List.of("ReadWriteMany", "ReadWriteOnce", "ReadWriteOnce")))
                .isEqualTo("RWO,RWX");
        assertThat(Describers.accessModes(java.util.List.of("ReadWriteOncePod", "ReadOnlyMany"))).isEqualTo("ROX,RWOP");
        assertThat(Describers.accessModes(java.util.List.of())).isEmpty();
    }

    @Test
    void completedIndexesAreCutAtTheFirstCommaPastTheLimit() {
        assertThat(Describers.capIndexes("", 50)).isEqualTo("<none>");
        assertThat(Describers.capIndexes("1-3,5", 50)).isEqualTo("1-3,5");
        assertThat(Describers.capIndexes("1,3,5,7,9", 4)).isEqualTo("1,3,5,...");
    }

    @Test
    void claimUsersAreTheMountingPodsThenTheOwningPod() {
        JsonNode pvc = yaml("metadata: {name: data, ownerReferences: [{kind: Pod, name: owner, uid: u2}]}");
        java.util.List<JsonNode> pods = java.util.List.of(
                yaml("metadata: {name: b, uid: u1}\nspec: {volumes: [{name: v, persistentVolumeClaim: {claimName: data}}]}"),
                yaml("metadata: {name: owner, uid: u2}\nspec: {}"),
                yaml("metadata: {name: other, uid: u3}\nspec: {volumes: [{name: v, persistentVolumeClaim: {claimName: x}}]}"));
        assertThat(DescribeCommand.claimUsers(pods, pvc)).containsExactly("b", "owner");
    }
}
