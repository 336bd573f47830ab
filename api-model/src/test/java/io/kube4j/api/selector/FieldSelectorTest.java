package io.kube4j.api.selector;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class FieldSelectorTest {

    static final Map<String, String> POD_FIELDS = Map.of("metadata.name", "web", "spec.nodeName", "node-1",
            "status.phase", "Running");

    static Stream<Arguments> matching() {
        return Stream.of(
                arguments("", true, ""),
                arguments("metadata.name=web", true, "metadata.name=web"),
                arguments("metadata.name==web", true, "metadata.name=web"),
                arguments("metadata.name!=web", false, "metadata.name!=web"),
                arguments("spec.nodeName=node-1,status.phase=Running", true, "spec.nodeName=node-1,status.phase=Running"),
                arguments("status.phase=Running,spec.nodeName=node-2", false, "spec.nodeName=node-2,status.phase=Running"),
                arguments("spec.nodeName!=", true, "spec.nodeName!="),
                arguments("spec.schedulerName=", true, "spec.schedulerName="),
                arguments("spec.schedulerName!=", false, "spec.schedulerName!="),
                arguments("metadata.name=a\\,b", false, "metadata.name=a\\,b"));
    }

    @ParameterizedTest(name = "''{0}'' -> {1}")
    @MethodSource("matching")
    void parsesAndMatches(String expr, boolean matches, String canonical) {
        FieldSelector s = FieldSelector.parse(expr);
        assertThat(s.matches(POD_FIELDS)).isEqualTo(matches);
        assertThat(s.toString()).isEqualTo(canonical);
        assertThat(FieldSelector.parse(s.toString())).isEqualTo(s);
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"metadata.name", "a=b,c", "a=b=c", "a=b\\x", "a=b\\"})
    void rejectsBadSyntax(String expr) {
        assertThatThrownBy(() -> FieldSelector.parse(expr)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid field selector");
    }

    @Test
    void exposesFieldsAndExactValues() {
        FieldSelector s = FieldSelector.parse("spec.nodeName=node-1,status.phase!=Failed");
        assertThat(s.fieldNames()).containsExactlyInAnyOrder("spec.nodeName", "status.phase");
        assertThat(s.exactValue("spec.nodeName")).contains("node-1");
        assertThat(s.exactValue("status.phase")).isEmpty();
        assertThat(s.isEverything()).isFalse();
        assertThat(FieldSelector.everything().isEverything()).isTrue();
        assertThat(FieldSelector.parse("a=x\\=y").exactValue("a")).isEqualTo(Optional.of("x=y"));
    }

    static <T extends HasMetadata> T read(String yaml, Class<T> type) {
        return Codecs.yaml().readValue(yaml, type);
    }

    static ResourceType type(String kind) {
        return ResourceRegistry.builtin().byName(kind).orElseThrow();
    }

    static Stream<Arguments> fieldSets() {
        return Stream.of(
                arguments("pods", read("""
                        metadata: {name: web, namespace: default}
                        spec: {nodeName: node-1, hostNetwork: true, serviceAccountName: sa}
                        status: {phase: Running, podIPs: [{ip: 10.1.0.5}]}
                        """, Pod.class), Map.of("metadata.name", "web", "metadata.namespace", "default",
                        "spec.nodeName", "node-1", "spec.restartPolicy", "", "spec.schedulerName", "",
                        "spec.serviceAccountName", "sa", "spec.hostNetwork", "true", "status.phase", "Running",
                        "status.podIP", "10.1.0.5", "status.nominatedNodeName", "")),
                arguments("events", read("""
                        metadata: {name: e, namespace: default}
                        involvedObject: {kind: Pod, name: web, namespace: default, uid: u1, apiVersion: v1}
                        reason: Scheduled
                        source: {component: default-scheduler}
                        type: Normal
                        """, Event.class), Map.ofEntries(Map.entry("metadata.name", "e"), Map.entry("metadata.namespace", "default"),
                        Map.entry("involvedObject.kind", "Pod"), Map.entry("involvedObject.namespace", "default"),
                        Map.entry("involvedObject.name", "web"), Map.entry("involvedObject.uid", "u1"),
                        Map.entry("involvedObject.apiVersion", "v1"), Map.entry("involvedObject.resourceVersion", ""),
                        Map.entry("involvedObject.fieldPath", ""), Map.entry("reason", "Scheduled"),
                        Map.entry("reportingComponent", ""), Map.entry("source", "default-scheduler"),
                        Map.entry("type", "Normal"))),
                arguments("nodes", read("metadata: {name: n1}", Node.class),
                        Map.of("metadata.name", "n1", "spec.unschedulable", "false")),
                arguments("secrets", read("metadata: {name: s, namespace: ns}\ntype: kubernetes.io/tls", Secret.class),
                        Map.of("metadata.name", "s", "metadata.namespace", "ns", "type", "kubernetes.io/tls")),
                arguments("namespaces", read("metadata: {name: ns}\nstatus: {phase: Active}", Namespace.class),
                        Map.of("metadata.name", "ns", "status.phase", "Active")),
                arguments("replicasets", read("metadata: {name: rs, namespace: ns}\nstatus: {replicas: 3}", ReplicaSet.class),
                        Map.of("metadata.name", "rs", "metadata.namespace", "ns", "status.replicas", "3")),
                arguments("jobs", read("metadata: {name: j, namespace: ns}", Job.class),
                        Map.of("metadata.name", "j", "metadata.namespace", "ns", "status.successful", "0")),
                arguments("clusterroles", read("metadata: {name: admin}", ClusterRole.class), Map.of("metadata.name", "admin")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fieldSets")
    void fieldSetsHoldEverySupportedField(String resource, HasMetadata obj, Map<String, String> expected) {
        ResourceType t = type(resource);
        assertThat(FieldSets.of(t, obj)).containsExactlyInAnyOrderEntriesOf(expected);
        assertThat(FieldSets.supported(t)).containsExactlyInAnyOrderElementsOf(expected.keySet());
    }

    @Test
    void selectsPodsByNode() {
        Pod pod = read("metadata: {name: web, namespace: default}\nspec: {nodeName: node-1}", Pod.class);
        Map<String, String> fields = FieldSets.of(type("pods"), pod);
        assertThat(FieldSelector.parse("spec.nodeName=node-1").matches(fields)).isTrue();
        assertThat(FieldSelector.parse("spec.nodeName=").matches(fields)).isFalse();
        assertThat(FieldSelector.parse("status.phase!=Succeeded,status.phase!=Failed").matches(fields)).isTrue();
    }
}
