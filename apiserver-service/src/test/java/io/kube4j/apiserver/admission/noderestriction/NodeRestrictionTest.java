package io.kube4j.apiserver.admission.noderestriction;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.admission.AdmissionAttributes;
import io.kube4j.apiserver.admission.AdmissionAttributes.Operation;
import io.kube4j.apiserver.rest.ApiException;
import io.kube4j.security.UserInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** What a node may write, as Kubernetes' NodeRestriction decides it; null expected = allowed. */
class NodeRestrictionTest {

    static final ResourceRegistry REG = ResourceRegistry.builtin();
    static final ResourceType PODS = REG.byPath("", "v1", "pods").orElseThrow();
    static final ResourceType NODES = REG.byPath("", "v1", "nodes").orElseThrow();
    static final ResourceType LEASES = REG.byPath("coordination.k8s.io", "v1", "leases").orElseThrow();
    static final UserInfo N1 = UserInfo.of("system:node:n1", UserInfo.NODES_GROUP);

    static Pod pod(String name, String node, boolean mirror) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("ns")
                .withAnnotations(mirror ? Map.of("kubernetes.io/config.mirror", "x") : Map.of()).endMetadata()
                .withNewSpec().withNodeName(node).endSpec().build();
    }

    static Node node(String name, Map<String, String> labels) {
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().withNewSpec().endSpec().build();
    }

    static AdmissionAttributes attrs(Operation op, ResourceType t, String sub, String ns, String name, HasMetadata obj,
                                     HasMetadata old) {
        return new AdmissionAttributes(op, t, sub, ns, name, obj, old, N1, false, null);
    }

    static Stream<Arguments> cases() {
        Lease own = new LeaseBuilder().withNewMetadata().withName("n1").endMetadata().build();
        return Stream.of(
                arguments("mirror pod on itself", attrs(Operation.CREATE, PODS, "", "ns", "m", pod("m", "n1", true), null), null),
                arguments("plain pod", attrs(Operation.CREATE, PODS, "", "ns", "p", pod("p", "n1", false), null),
                        "pods \"p\" is forbidden: pod does not have \"kubernetes.io/config.mirror\" annotation, node \"n1\" can only create mirror pods"),
                arguments("mirror pod on another node", attrs(Operation.CREATE, PODS, "", "ns", "m", pod("m", "n2", true), null),
                        "pods \"m\" is forbidden: node \"n1\" can only create pods with spec.nodeName set to itself"),
                arguments("status of its pod", attrs(Operation.UPDATE, PODS, "status", "ns", "p", pod("p", "n1", false), pod("p", "n1", false)), null),
                arguments("status of another node's pod", attrs(Operation.UPDATE, PODS, "status", "ns", "p", pod("p", "n2", false), pod("p", "n2", false)),
                        "pods \"p\" is forbidden: node \"n1\" can only update pod status for pods with spec.nodeName set to itself"),
                arguments("delete its pod", attrs(Operation.DELETE, PODS, "", "ns", "p", null, pod("p", "n1", false)), null),
                arguments("delete another's pod", attrs(Operation.DELETE, PODS, "", "ns", "p", null, pod("p", "n2", false)),
                        "pods \"p\" is forbidden: node \"n1\" can only delete pods with spec.nodeName set to itself"),
                arguments("update a pod spec", attrs(Operation.UPDATE, PODS, "", "ns", "p", pod("p", "n1", false), pod("p", "n1", false)),
                        "pods \"p\" is forbidden: unexpected operation UPDATE, node \"n1\" can only create and delete mirror pods"),
                arguments("own node status", attrs(Operation.UPDATE, NODES, "status", "", "n1", node("n1", Map.of()), node("n1", Map.of())), null),
                arguments("another node", attrs(Operation.UPDATE, NODES, "", "", "n2", node("n2", Map.of()), node("n2", Map.of())),
                        "nodes \"n2\" is forbidden: node \"n1\" is not allowed to modify node \"n2\""),
                arguments("restricted label at registration", attrs(Operation.CREATE, NODES, "", "", "n1",
                        node("n1", Map.of("node-restriction.kubernetes.io/pool", "a")), null),
                        "nodes \"n1\" is forbidden: node \"n1\" is not allowed to set the following labels: node-restriction.kubernetes.io/pool"),
                arguments("restricted label changed", attrs(Operation.UPDATE, NODES, "", "", "n1",
                        node("n1", Map.of("node-restriction.kubernetes.io/pool", "b")), node("n1", Map.of("node-restriction.kubernetes.io/pool", "a"))),
                        "nodes \"n1\" is forbidden: node \"n1\" is not allowed to modify labels: node-restriction.kubernetes.io/pool"),
                arguments("other labels", attrs(Operation.UPDATE, NODES, "", "", "n1", node("n1", Map.of("a", "b")), node("n1", Map.of())), null),
                arguments("own lease", attrs(Operation.UPDATE, LEASES, "", "kube-node-lease", "n1", own, own), null),
                arguments("another lease", attrs(Operation.UPDATE, LEASES, "", "kube-node-lease", "n2", own, own),
                        "leases.coordination.k8s.io \"n2\" is forbidden: can only access node lease with the same name as the requesting node"),
                arguments("lease elsewhere", attrs(Operation.CREATE, LEASES, "", "default", "n1", own, null),
                        "leases.coordination.k8s.io \"n1\" is forbidden: can only access leases in the kube-node-lease namespace"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decides(String name, AdmissionAttributes a, String forbidden) {
        if (forbidden == null) {
            assertThatCode(() -> NodeRestriction.check(a)).doesNotThrowAnyException();
        } else {
            ApiException e = catchThrowableOfType(ApiException.class, () -> NodeRestriction.check(a));
            assertThat(e).isNotNull();
            assertThat(e.code()).isEqualTo(403);
            assertThat(e.getMessage()).isEqualTo(forbidden);
        }
    }

    @Test
    void onlyNodesAreChecked() {
        NodeRestriction p = new NodeRestriction();
        assertThat(p.appliesTo(Operation.UPDATE, NODES, "", UserInfo.of("alice"))).isFalse();
        assertThat(p.appliesTo(Operation.UPDATE, NODES, "", N1)).isTrue();
        assertThat(p.appliesTo(Operation.CREATE, REG.byPath("", "v1", "configmaps").orElseThrow(), "", N1)).isFalse();
    }
}
