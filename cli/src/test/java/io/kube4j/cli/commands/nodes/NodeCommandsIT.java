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
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code cordon}, {@code uncordon}, {@code taint} and {@code drain} on a real apiserver, with hollow nodes for drain. */
class NodeCommandsIT {

    private static final Duration WAIT = HollowWorkloads.WAIT;
    /** Both drains cordon hollow node 1: they take turns; the other tests (nodes of their own) run beside them. */
    private static final String HOLLOW_NODE_1 = "hollow-node-1";
    private static Path kubeconfig;
    private static KubeClient client;

    @org.junit.jupiter.api.AfterAll
    static void releaseHollowWorkloads() {
        HollowWorkloads.release();
    }

    @BeforeAll
    static void start() {
        ApiServerInstance apiserver = ApiServerInstance.secureShared();
        kubeconfig = apiserver.kubeconfig(apiserver.pki().admin());
        client = ControllerTestEnv.client();
        HollowWorkloads.acquire();
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
    @Execution(ExecutionMode.CONCURRENT)
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

    private static final List<String[]> TAINT_STEPS = List.of(
                new String[] {"taint", "nodes", "NODE", "dedicated=special:NoSchedule"},
                new String[] {"taint", "nodes", "NODE", "dedicated=other:NoSchedule"},
                new String[] {"taint", "nodes", "NODE", "dedicated=other:NoSchedule", "--overwrite"},
                new String[] {"taint", "nodes", "NODE", "gpu:NoExecute", "spot=yes:PreferNoSchedule"},
                new String[] {"taint", "nodes", "NODE", "gpu:NoExecute-"},
                new String[] {"taint", "nodes", "NODE", "gpu:NoExecute-"},
                new String[] {"taint", "nodes", "NODE", "dedicated-", "extra=1:NoSchedule"},
                new String[] {"taint", "nodes", "NODE", "bad=x:Sometimes"},
                new String[] {"taint", "nodes", "NODE", "nokey=x"},
                new String[] {"taint", "nodes", "NODE"},
                new String[] {"taint", "pods", "x", "a=b:NoSchedule"},
                new String[] {"cordon", "NODE"},
                new String[] {"cordon", "NODE"},
                new String[] {"uncordon", "node/NODE"});

    /** Runs {@link #TAINT_STEPS} on node {@code n} with {@code cli}; the transcript with the node named NODE. */
    private static String transcript(String n, String cliName,
            java.util.function.Function<String[], CliHarness.Result> cli) {
        StringBuilder transcript = new StringBuilder();
        for (String[] step : TAINT_STEPS) {
            String[] args = java.util.Arrays.stream(step).map(a -> a.replace("NODE", n)).toArray(String[]::new);
            CliHarness.Result r = cli.apply(args);
            transcript.append("$ ").append(cliName).append(' ').append(String.join(" ", args)).append('\n')
                    .append(r.out()).append(r.err()).append("[exit ").append(r.code()).append("]\n");
        }
        return transcript.toString().replace(n, "NODE");
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void taintAddsOverwritesAndRemovesWithKubectlsMessages() {
        String n = node();
        Golden.check("nodes/taint.txt", transcript(n, "k4j", NodeCommandsIT::k4j));
        assertThat(get(n).getSpec().getTaints()).extracting(t -> t.getKey() + "=" + t.getValue() + ":" + t.getEffect())
                .containsExactlyInAnyOrder("extra=1:NoSchedule", "spot=yes:PreferNoSchedule");
        // unlike kubectl's taint, k4j's also takes node/NAME
        assertThat(k4j("taint", "node/" + n, "extra-", "spot-").ok().out()).isEqualTo("node/" + n + " untainted\n");
        assertThat(get(n).getSpec().getTaints()).isNullOrEmpty();
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @ResourceLock(HOLLOW_NODE_1)
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

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void taintAndCordonPrintWhatTheRealKubectlPrints(@org.junit.jupiter.api.io.TempDir Path dir) {
        Path binary = io.kube4j.apiserver.testsupport.Requirements.requireBinary("kubectl");
        var kubectl = io.kube4j.apiserver.testsupport.KubectlRunner.withKubeconfig(binary, kubeconfig, dir,
                Duration.ofSeconds(60));
        String ours = transcript(node(), "k4j", NodeCommandsIT::k4j);
        String theirs = transcript(node(), "k4j", args -> {
            var r = kubectl.kubectl(args);
            return new CliHarness.Result(r.code(), r.out(), r.err().replace("'kubectl ", "'k4j "));
        });
        assertThat(ours).isEqualTo(theirs);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    @ResourceLock(HOLLOW_NODE_1)
    void drainEvictsThroughTheEvictionApiAndRetriesWhileADisruptionBudgetRefuses() {
        HollowWorkloads cluster = HollowWorkloads.shared();
        String node = cluster.node(1);
        String ns = ControllerTestEnv.namespace("k4j-evict");
        String run = ns.substring(ns.lastIndexOf('-') + 1);
        client.resources(Deployment.class).create(new DeploymentBuilder().withNewMetadata().withName("guarded")
                .withNamespace(ns).endMetadata().withNewSpec().withReplicas(2).withNewSelector()
                .addToMatchLabels("app", "guarded").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "guarded").addToLabels("evict", run).endMetadata().withNewSpec()
                .withNodeName(node).withTerminationGracePeriodSeconds(0L).addNewContainer().withName("c")
                .withImage("img:1").endContainer().endSpec().endTemplate().endSpec().build()).block(WAIT);
        var pdbs = client.resources(io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class);
        pdbs.create(new io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder().withNewMetadata()
                .withName("keep-two").withNamespace(ns).endMetadata().withNewSpec()
                .withMinAvailable(new io.fabric8.kubernetes.api.model.IntOrString(2)).withNewSelector()
                .addToMatchLabels("app", "guarded").endSelector().endSpec().build()).block(WAIT);
        await().atMost(WAIT).until(() -> {
            var st = pdbs.get(ns, "keep-two").block(WAIT).getStatus();
            return st != null && st.getCurrentHealthy() != null && st.getCurrentHealthy() == 2
                    && st.getDisruptionsAllowed() == 0;
        });
        String selector = "--pod-selector=evict=" + run;
        try {
            // the budget allows no disruption: drain retries every 5 s, then gives up at --timeout
            CliHarness.Result blocked = k4j("drain", node, selector, "--timeout=7s");
            assertThat(blocked.code()).isEqualTo(1);
            assertThat(blocked.err()).contains("(will retry after 5s): Cannot evict pod as it would violate the pod's "
                    + "disruption budget.\n").contains("global timeout reached: 7s");
            assertThat(blocked.out()).startsWith("node/" + node + " cordoned\nevicting pod " + ns + "/guarded-");
            assertThat(pods(ns)).hasSize(2);

            // one disruption allowed: the pods are evicted one after the other (the second waits for the first's
            // replacement to be healthy)
            pdbs.patch(ns, "keep-two", io.kube4j.client.PatchType.MERGE, "{\"spec\":{\"minAvailable\":1}}")
                    .block(WAIT);
            List<String> before = pods(ns).stream().map(p -> p.getMetadata().getName()).toList();
            CliHarness.Result drained = k4j("drain", node, selector, "--timeout=60s").ok();
            assertThat(drained.out()).startsWith("node/" + node + " already cordoned\n")
                    .endsWith("node/" + node + " drained\n");
            before.forEach(p -> assertThat(drained.out()).contains("evicting pod " + ns + "/" + p + "\n")
                    .contains("pod/" + p + " evicted\n"));
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
