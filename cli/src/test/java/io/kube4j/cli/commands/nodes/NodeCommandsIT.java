package io.kube4j.cli.commands.nodes;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.cli.testsupport.CliHarness;
import io.kube4j.cli.testsupport.Golden;
import io.kube4j.cli.testsupport.HollowWorkloads;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code cordon}, {@code uncordon}, {@code taint} and {@code drain} on a real apiserver, with hollow nodes for drain. */
class NodeCommandsIT {

    private static final Duration WAIT = HollowWorkloads.WAIT;
    private static Path kubeconfig;
    private static KubeClient client;

    @BeforeAll
    static void start() {
        ApiServerInstance apiserver = ApiServerInstance.secureShared();
        kubeconfig = apiserver.kubeconfig(apiserver.pki().admin());
        client = ControllerTestEnv.client();
    }

    private static CliHarness.Result k4j(String... args) {
        return CliHarness.shared().run(kubeconfig, args);
    }

    private static String node() {
        String name = "k4j-node-" + UUID.randomUUID().toString().substring(0, 6);
        client.resources(Node.class).create(new NodeBuilder().withNewMetadata().withName(name).endMetadata().build())
                .block(WAIT);
        return name;
    }

    private static Node get(String name) {
        return client.resources(Node.class).get(null, name).block(WAIT);
    }

    @Test
    void cordonAndUncordonSayWhatChanged() {
        String a = node();
        String b = node();
        CliHarness.Result r = k4j("cordon", a, "node/" + b).ok();
        assertThat(r.out()).isEqualTo("node/" + a + " cordoned\nnode/" + b + " cordoned\n");
        assertThat(get(a).getSpec().getUnschedulable()).isTrue();
        assertThat(k4j("cordon", a).ok().out()).isEqualTo("node/" + a + " already cordoned\n");
        assertThat(k4j("uncordon", a).ok().out()).isEqualTo("node/" + a + " uncordoned\n");
        assertThat(get(a).getSpec().getUnschedulable()).isNotEqualTo(Boolean.TRUE);
        assertThat(k4j("uncordon", a).ok().out()).isEqualTo("node/" + a + " already uncordoned\n");
        CliHarness.Result missing = k4j("cordon", "no-such-node-x");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("Error from server (NotFound): nodes \"no-such-node-x\" not found\n");
        CliHarness.Result none = k4j("cordon");
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).startsWith("error: USAGE: cordon NODE [flags]");
    }

    @Test
    void taintAddsOverwritesAndRemovesWithKubectlsMessages() {
        String n = node();
        StringBuilder transcript = new StringBuilder();
        for (String[] args : List.of(
                new String[] {"taint", "nodes", n, "dedicated=special:NoSchedule"},
                new String[] {"taint", "nodes", n, "dedicated=other:NoSchedule"},
                new String[] {"taint", "nodes", n, "dedicated=other:NoSchedule", "--overwrite"},
                new String[] {"taint", "node/" + n, "gpu:NoExecute", "spot=yes:PreferNoSchedule"},
                new String[] {"taint", "nodes", n, "gpu:NoExecute-"},
                new String[] {"taint", "nodes", n, "gpu:NoExecute-"},
                new String[] {"taint", "nodes", n, "dedicated-", "extra=1:NoSchedule"},
                new String[] {"taint", "nodes", n, "bad=x:Sometimes"},
                new String[] {"taint", "nodes", n, "nokey=x"},
                new String[] {"taint", "nodes", n},
                new String[] {"taint", "pods", "x", "a=b:NoSchedule"})) {
            CliHarness.Result r = k4j(args);
            transcript.append("$ k4j ").append(String.join(" ", args)).append('\n').append(r.out()).append(r.err())
                    .append("[exit ").append(r.code()).append("]\n");
        }
        Golden.check("nodes/taint.txt", transcript.toString(), s -> s.replace(n, "NODE"));
        assertThat(get(n).getSpec().getTaints()).extracting(t -> t.getKey() + "=" + t.getValue() + ":" + t.getEffect())
                .containsExactlyInAnyOrder("extra=1:NoSchedule", "spot=yes:PreferNoSchedule");
        assertThat(k4j("taint", "nodes", n, "extra-", "spot-").ok().out()).isEqualTo("node/" + n + " untainted\n");
        assertThat(get(n).getSpec().getTaints()).isNullOrEmpty();
    }

    @Test
    void drainRefusesUnmanagedPodsThenDeletesWithForceAndNeverFallsBackFromEviction() {
        HollowWorkloads cluster = HollowWorkloads.shared();
        String node = cluster.node(1);
        String ns = ControllerTestEnv.namespace("k4j-drain");
        String run = ns.substring(ns.lastIndexOf('-') + 1);
        client.resources(Deployment.class).create(new DeploymentBuilder().withNewMetadata().withName("dd")
                .withNamespace(ns).endMetadata().withNewSpec().withReplicas(2).withNewSelector()
                .addToMatchLabels("app", "dd").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "dd").addToLabels("drain", run).endMetadata().withNewSpec().withNodeName(node)
                .withTerminationGracePeriodSeconds(0L).addNewContainer().withName("c").withImage("img:1")
                .endContainer().endSpec().endTemplate().endSpec().build()).block(WAIT);
        client.resources(Pod.class).create(new PodBuilder().withNewMetadata().withName("bare").withNamespace(ns)
                .addToLabels("drain", run).endMetadata().withNewSpec().withNodeName(node)
                .withTerminationGracePeriodSeconds(0L).addNewContainer().withName("c").withImage("img:1")
                .endContainer().endSpec().build()).block(WAIT);
        await().atMost(WAIT).until(() -> pods(ns).size() == 3);
        String selector = "--pod-selector=drain=" + run;
        try {
            CliHarness.Result refused = k4j("drain", node, selector);
            assertThat(refused.code()).isEqualTo(1);
            assertThat(refused.out()).isEqualTo("node/" + node + " cordoned\n");
            String why = "cannot delete Pods declare no controller (use --force to override): " + ns + "/bare";
            assertThat(refused.err()).isEqualTo("error: unable to drain node \"" + node + "\" due to error: " + why
                    + ", continuing command...\nThere are pending nodes to be drained:\n " + node + "\nerror: " + why
                    + "\n");
            assertThat(pods(ns)).hasSize(3);

            // the Eviction API refuses (or is not served): drain reports it and deletes nothing by itself
            CliHarness.Result evict = k4j("drain", node, "--force", "--pod-selector=drain=" + run + ",app!=dd");
            if (evict.code() != 0) {
                assertThat(evict.out()).contains("evicting pod " + ns + "/bare\n");
                assertThat(evict.err()).contains("error when evicting pods/\"bare\" -n \"" + ns + "\": ");
                assertThat(pods(ns)).extracting(p -> p.getMetadata().getName()).contains("bare");
            } else {
                assertThat(evict.out()).contains("pod/bare evicted\n");
            }

            List<String> before = pods(ns).stream().map(p -> p.getMetadata().getName()).sorted().toList();
            CliHarness.Result deleted = k4j("drain", node, selector, "--force", "--disable-eviction",
                    "--grace-period=0").ok();
            StringBuilder expected = new StringBuilder("node/" + node + " already cordoned\n");
            before.forEach(p -> expected.append("pod/").append(p).append(" deleted\n"));
            expected.append("node/").append(node).append(" drained\n");
            assertThat(deleted.out()).isEqualTo(expected.toString());
            if (before.contains("bare")) {
                assertThat(deleted.err()).isEqualTo("WARNING: deleting Pods that declare no controller: " + ns
                        + "/bare\n");
            }
            assertThat(pods(ns)).extracting(p -> p.getMetadata().getName()).doesNotContainAnyElementsOf(before);
        } finally {
            k4j("uncordon", node);
            client.resources(io.fabric8.kubernetes.api.model.Namespace.class).delete(null, ns,
                    DeleteOptions.defaults()).onErrorComplete().block(WAIT);
        }
    }

    private static List<Pod> pods(String ns) {
        return client.resources(Pod.class).list(ns, ListOptions.all()).block(WAIT).getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }
}
