package io.kube4j.apiserver.auth.authz.node;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kube4j.apiserver.auth.authz.AuthorizationAttributes;
import io.kube4j.apiserver.auth.authz.Decision;
import io.kube4j.security.UserInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The Node authorizer: a node reads what its pods use and writes only its own objects. */
class NodeAuthorizerTest {

    static final UserInfo N1 = UserInfo.of("system:node:n1", UserInfo.NODES_GROUP, UserInfo.SYSTEM_AUTHENTICATED);
    static final NodeGraph GRAPH = new NodeGraph();
    static final NodeAuthorizer NODE = new NodeAuthorizer(GRAPH, () -> true);

    static {
        GRAPH.put(pod("ns", "web", "n1"));
        GRAPH.put(pod("ns", "other", "n2"));
        GRAPH.put(new PodBuilder().withNewMetadata().withNamespace("ns").withName("pending").endMetadata()
                .withNewSpec().addNewVolume().withName("v").withNewSecret().withSecretName("pending-secret")
                .endSecret().endVolume().endSpec().build());
        GRAPH.putClaim("ns", "web-pvc", "pv-web");
        GRAPH.putClaim("ns", "other-pvc", "pv-other");
        GRAPH.putClaim("ns", "moved", "pv-moved");
        GRAPH.putClaim("ns", "moved", "pv-now");
    }

    static Pod pod(String ns, String name, String node) {
        return new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withNodeName(node).withServiceAccountName(name + "-sa")
                .addNewImagePullSecret(name + "-pull")
                .addNewVolume().withName("s").withNewSecret().withSecretName(name + "-secret").endSecret().endVolume()
                .addNewVolume().withName("c").withNewConfigMap().withName(name + "-cm").endConfigMap().endVolume()
                .addNewVolume().withName("d").withNewPersistentVolumeClaim().withClaimName(name + "-pvc").endPersistentVolumeClaim().endVolume()
                .addNewVolume().withName("p").withNewProjected().addNewSource().withNewConfigMap().withName(name + "-projected")
                .endConfigMap().endSource().endProjected().endVolume()
                .addNewContainer().withName("c").addNewEnv().withName("X").withNewValueFrom().withNewSecretKeyRef()
                .withName(name + "-env").withKey("k").endSecretKeyRef().endValueFrom().endEnv()
                .addNewEnvFrom().withNewConfigMapRef().withName(name + "-envfrom").endConfigMapRef().endEnvFrom()
                .endContainer().endSpec().build();
    }

    static Arguments c(String verb, String group, String resource, String sub, String ns, String name, boolean allowed) {
        return Arguments.of(AuthorizationAttributes.resource(N1, verb, group, "v1", resource, sub, ns, name), allowed);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                // what its pods reference
                c("get", "", "persistentvolumes", "", "", "pv-web", true),
                c("get", "", "persistentvolumes", "", "", "pv-other", false),
                c("get", "", "persistentvolumes", "", "", "pv-moved", false),
                c("list", "", "persistentvolumes", "", "", "", true),
                c("watch", "", "persistentvolumes", "", "", "", true),
                c("update", "", "persistentvolumes", "", "", "pv-web", false),
                c("delete", "", "persistentvolumes", "", "", "pv-web", false),
                c("get", "", "secrets", "", "ns", "web-secret", true),
                c("get", "", "secrets", "", "ns", "web-pull", true),
                c("get", "", "secrets", "", "ns", "web-env", true),
                c("get", "", "configmaps", "", "ns", "web-cm", true),
                c("get", "", "configmaps", "", "ns", "web-projected", true),
                c("get", "", "configmaps", "", "ns", "web-envfrom", true),
                c("watch", "", "configmaps", "", "ns", "web-cm", true),
                c("get", "", "persistentvolumeclaims", "", "ns", "web-pvc", true),
                c("create", "", "serviceaccounts", "token", "ns", "web-sa", true),
                // not what another node's pods or an unscheduled pod reference, and never by listing
                c("get", "", "secrets", "", "ns", "other-secret", false),
                c("get", "", "secrets", "", "ns", "pending-secret", false),
                c("get", "", "secrets", "", "other-ns", "web-secret", false),
                c("list", "", "secrets", "", "ns", "", false),
                c("update", "", "secrets", "", "ns", "web-secret", false),
                c("create", "", "serviceaccounts", "token", "ns", "other-sa", false),
                // its own node only
                c("get", "", "nodes", "", "", "n2", true),
                c("list", "", "nodes", "", "", "", true),
                c("update", "", "nodes", "", "", "n1", true),
                c("patch", "", "nodes", "status", "", "n1", true),
                c("update", "", "nodes", "", "", "n2", false),
                c("patch", "", "nodes", "status", "", "n2", false),
                c("delete", "", "nodes", "", "", "n2", false),
                // pods bound to it
                c("list", "", "pods", "", "", "", true),
                c("update", "", "pods", "status", "ns", "web", true),
                c("patch", "", "pods", "status", "ns", "other", false),
                c("delete", "", "pods", "", "ns", "web", true),
                c("delete", "", "pods", "", "ns", "other", false),
                c("update", "", "pods", "", "ns", "web", false),
                // its own lease
                c("create", "coordination.k8s.io", "leases", "", "kube-node-lease", "", true),
                c("update", "coordination.k8s.io", "leases", "", "kube-node-lease", "n1", true),
                c("update", "coordination.k8s.io", "leases", "", "kube-node-lease", "n2", false),
                c("get", "coordination.k8s.io", "leases", "", "kube-system", "n1", false),
                // events, reads of services; nothing else
                c("create", "", "events", "", "ns", "", true),
                c("watch", "discovery.k8s.io", "endpointslices", "", "", "", true),
                c("list", "", "services", "", "", "", true),
                c("create", "", "namespaces", "", "", "", false),
                c("list", "apps", "deployments", "", "", "", false));
    }

    @ParameterizedTest(name = "{0} → {1}")
    @MethodSource("cases")
    void node(AuthorizationAttributes a, boolean allowed) {
        Decision d = NODE.authorize(a).block();
        assertThat(d.allowed()).as(d.reason()).isEqualTo(allowed);
    }

    @Test
    void otherUsersAndUnknownNodesGetNoOpinion() {
        UserInfo alice = UserInfo.of("alice", UserInfo.SYSTEM_AUTHENTICATED);
        assertThat(NODE.authorize(AuthorizationAttributes.resource(alice, "get", "", "v1", "secrets", "", "ns",
                "web-secret")).block().kind()).isEqualTo(Decision.Kind.NO_OPINION);
        UserInfo noName = UserInfo.of("kubelet", UserInfo.NODES_GROUP);
        assertThat(NODE.authorize(AuthorizationAttributes.resource(noName, "get", "", "v1", "nodes", "", "", "n1"))
                .block().reason()).contains("unknown node");
        // a user named like a node but not in system:nodes is not a node
        UserInfo fake = UserInfo.of("system:node:n1", UserInfo.SYSTEM_AUTHENTICATED);
        assertThat(NODE.authorize(AuthorizationAttributes.resource(fake, "get", "", "v1", "secrets", "", "ns",
                "web-secret")).block().allowed()).isFalse();
    }

    @Test
    void theGraphFollowsPodsMovingAndLeaving() {
        NodeGraph g = new NodeGraph();
        g.put(pod("ns", "a", "n1"));
        g.put(pod("ns", "b", "n1"));
        assertThat(g.references("n1", NodeGraph.Kind.SECRET, "ns", "a-secret")).isTrue();
        g.put(pod("ns", "a", "n2")); // recreated on another node
        assertThat(g.references("n1", NodeGraph.Kind.SECRET, "ns", "a-secret")).isFalse();
        assertThat(g.references("n2", NodeGraph.Kind.SECRET, "ns", "a-secret")).isTrue();
        assertThat(g.nodeOf("ns", "a")).isEqualTo("n2");
        g.delete("ns", "a");
        assertThat(g.references("n2", NodeGraph.Kind.SECRET, "ns", "a-secret")).isFalse();
        assertThat(g.nodeOf("ns", "a")).isNull();
        assertThat(g.references("n1", NodeGraph.Kind.SERVICEACCOUNT, "ns", "b-sa")).isTrue();
    }
}
