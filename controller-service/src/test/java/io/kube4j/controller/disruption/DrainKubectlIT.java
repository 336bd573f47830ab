package io.kube4j.controller.disruption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static io.kube4j.controller.disruption.DisruptionTestCluster.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.ListOptions;
import io.kube4j.client.PatchType;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real {@code kubectl drain NODE --ignore-daemonsets} against the apiserver's pods/eviction and the disruption
 * controller (with the real ReplicaSet and Deployment controllers): a Deployment's two pods on the node are guarded by
 * a budget of minAvailable 2, so kubectl is refused and retries every 5 s; once the Deployment is scaled up (and its
 * new pods are Ready) the budget allows two disruptions and the drain completes. The test plays the kubelet (it writes
 * the pods' Ready condition); the pods have a termination grace period of 0 so that their deletion needs no kubelet.
 */
class DrainKubectlIT {

    @BeforeAll
    static void start() {
        DisruptionTestCluster.start();
    }

    @AfterAll
    static void stop() throws Exception {
        DisruptionTestCluster.stop();
    }

    static void markReady(String ns) {
        for (Pod p : podsOf(ns)) {
            if (p.getStatus() == null || p.getStatus().getConditions() == null || p.getStatus().getConditions().stream()
                    .noneMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))) {
                setReady(ns, p.getMetadata().getName(), true);
            }
        }
    }

    @Test
    void drainWaitsForTheBudgetThenCompletes(@TempDir Path dir) throws Exception {
        Path binary = Requirements.requireBinary("kubectl");
        String ns = ControllerTestEnv.namespace("drain-it");
        String node = "drain-it-" + UUID.randomUUID().toString().substring(0, 6);
        client.resources(Node.class).create(new NodeBuilder().withNewMetadata().withName(node).endMetadata().build()).block(WAIT);
        try {
            client.resources(Deployment.class).create(new DeploymentBuilder().withNewMetadata().withNamespace(ns)
                    .withName("web").endMetadata().withNewSpec().withReplicas(2).withNewSelector()
                    .withMatchLabels(Map.of("app", "web")).endSelector().withNewTemplate().withNewMetadata()
                    .withLabels(Map.of("app", "web")).endMetadata().withNewSpec().withNodeName(node)
                    .withTerminationGracePeriodSeconds(0L).addNewContainer().withName("c").withImage("nginx")
                    .endContainer().endSpec().endTemplate().endSpec().build()).block(WAIT);
            await().atMost(WAIT).until(() -> podsOf(ns).size() == 2);
            markReady(ns);
            List<String> original = podsOf(ns).stream().map(p -> p.getMetadata().getName()).toList();
            pdbs.create(new PodDisruptionBudgetBuilder().withNewMetadata().withNamespace(ns).withName("web").endMetadata()
                    .withNewSpec().withMinAvailable(new IntOrString(2)).withNewSelector()
                    .withMatchLabels(Map.of("app", "web")).endSelector().endSpec().build()).block(WAIT);
            await().atMost(WAIT).until(() -> {
                PodDisruptionBudget p = pdbs.get(ns, "web").block(WAIT);
                return p.getStatus() != null && Integer.valueOf(2).equals(p.getStatus().getCurrentHealthy());
            });

            KubectlRunner runner = new KubectlRunner(binary, ApiServerInstance.shared().url(), ns, dir, Duration.ofSeconds(90));
            Path output = dir.resolve("drain.out");
            Process drain = new ProcessBuilder(binary.toString(), "--kubeconfig", runner.kubeconfig().toString(),
                    "--cache-dir", runner.cacheDir().toString(), "drain", node, "--ignore-daemonsets", "--timeout=90s")
                    .redirectErrorStream(true).redirectOutput(output.toFile()).start();
            try {
                await().atMost(WAIT).until(() -> Files.readString(output, StandardCharsets.UTF_8)
                        .contains("(will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget."));
                assertThat(podsOf(ns)).extracting(p -> p.getMetadata().getName()).containsAll(original);

                client.resources(Deployment.class).patch(ns, "web", PatchType.MERGE, "{\"spec\":{\"replicas\":4}}").block(WAIT);
                await().atMost(WAIT).until(() -> podsOf(ns).size() >= 4);
                markReady(ns);

                assertThat(drain.waitFor(90, TimeUnit.SECONDS)).as(Files.readString(output)).isTrue();
                String out = Files.readString(output, StandardCharsets.UTF_8);
                assertThat(drain.exitValue()).as(out).isZero();
                assertThat(out).contains("node/" + node + " cordoned")
                        .contains("error when evicting pods/\"" + original.get(0) + "\" -n \"" + ns + "\"")
                        .contains("pod/" + original.get(0) + " evicted")
                        .contains("pod/" + original.get(1) + " evicted")
                        .contains("node/" + node + " drained");
                assertThat(client.resources(Node.class).get(null, node).block(WAIT).getSpec().getUnschedulable()).isTrue();
                assertThat(pods.list(ns, ListOptions.all()).block(WAIT).getItems())
                        .extracting(p -> p.getMetadata().getName()).doesNotContainAnyElementsOf(original);
            } finally {
                drain.destroyForcibly();
            }
        } finally {
            client.resources(Node.class).delete(null, node, DeleteOptions.defaults()).onErrorComplete().block(WAIT);
        }
    }
}
