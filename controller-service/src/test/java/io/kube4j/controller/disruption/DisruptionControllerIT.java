package io.kube4j.controller.disruption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static io.kube4j.controller.disruption.DisruptionTestCluster.*;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import io.kube4j.client.PatchType;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The disruption controller with the real ReplicaSet and Deployment controllers on the real apiserver and etcd: the
 * status of budgets over a Deployment's pods with minAvailable / maxUnavailable as counts and percentages (scaled by
 * the Deployment's replicas), following pods that become unready and a Deployment that is scaled. The test plays the
 * kubelet: it writes the pods' Ready condition itself.
 */
class DisruptionControllerIT {

    @BeforeAll
    static void start() {
        DisruptionTestCluster.start();
    }

    @AfterAll
    static void stop() throws Exception {
        DisruptionTestCluster.stop();
    }

    static void budget(String ns, String name, IntOrString minAvailable, IntOrString maxUnavailable) {
        pdbs.create(new PodDisruptionBudgetBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withMinAvailable(minAvailable).withMaxUnavailable(maxUnavailable)
                .withNewSelector().withMatchLabels(Map.of("app", "web")).endSelector().endSpec().build()).block(WAIT);
    }

    /** Waits until the budget's status reads expected / desired / current / allowed. */
    static PodDisruptionBudgetStatus awaitStatus(String ns, String name, int expected, int desired, int current, int allowed) {
        PodDisruptionBudgetStatus[] last = new PodDisruptionBudgetStatus[1];
        await().atMost(WAIT).untilAsserted(() -> {
            PodDisruptionBudget pdb = pdbs.get(ns, name).block(WAIT);
            PodDisruptionBudgetStatus s = pdb.getStatus();
            assertThat(s).as(name).isNotNull();
            assertThat(List.of(s.getExpectedPods(), s.getDesiredHealthy(), s.getCurrentHealthy(), s.getDisruptionsAllowed()))
                    .as(name + " expected/desired/current/allowed").containsExactly(expected, desired, current, allowed);
            assertThat(s.getObservedGeneration()).isEqualTo(pdb.getMetadata().getGeneration());
            last[0] = s;
        });
        return last[0];
    }

    static void assertCondition(PodDisruptionBudgetStatus s, String status, String reason) {
        assertThat(s.getConditions()).singleElement().satisfies(c -> {
            assertThat(c.getType()).isEqualTo("DisruptionAllowed");
            assertThat(c.getStatus()).isEqualTo(status);
            assertThat(c.getReason()).isEqualTo(reason);
        });
    }

    @Test
    void budgetsFollowTheDeploymentsPodsAndReplicas() {
        String ns = ControllerTestEnv.namespace("disruption-it");
        client.resources(Deployment.class).create(new DeploymentBuilder().withNewMetadata().withNamespace(ns)
                .withName("web").endMetadata().withNewSpec().withReplicas(3).withNewSelector()
                .withMatchLabels(Map.of("app", "web")).endSelector().withNewTemplate().withNewMetadata()
                .withLabels(Map.of("app", "web")).endMetadata().withNewSpec().addNewContainer().withName("c")
                .withImage("nginx").endContainer().endSpec().endTemplate().endSpec().build()).block(WAIT);
        await().atMost(WAIT).until(() -> podsOf(ns).size() == 3);
        podsOf(ns).forEach(p -> setReady(ns, p.getMetadata().getName(), true));

        budget(ns, "min-2", new IntOrString(2), null);
        budget(ns, "max-1", null, new IntOrString(1));
        budget(ns, "min-50pc", new IntOrString("50%"), null);
        budget(ns, "max-34pc", null, new IntOrString("34%"));
        budget(ns, "min-4", new IntOrString(4), null);

        assertCondition(awaitStatus(ns, "min-2", 3, 2, 3, 1), "True", "SufficientPods");
        awaitStatus(ns, "max-1", 3, 2, 3, 1);
        awaitStatus(ns, "min-50pc", 3, 2, 3, 1);       // ceil(1.5)
        awaitStatus(ns, "max-34pc", 3, 1, 3, 2);       // ceil(1.02) unavailable
        assertCondition(awaitStatus(ns, "min-4", 3, 4, 3, 0), "False", "InsufficientPods");

        // one pod becomes unready: every budget loses it
        setReady(ns, podsOf(ns).get(0).getMetadata().getName(), false);
        assertCondition(awaitStatus(ns, "min-2", 3, 2, 2, 0), "False", "InsufficientPods");
        awaitStatus(ns, "max-1", 3, 2, 2, 0);
        awaitStatus(ns, "max-34pc", 3, 1, 2, 1);

        // scaled to 5 (two more ready pods): percentages and maxUnavailable follow the Deployment's replicas
        client.resources(Deployment.class).patch(ns, "web", PatchType.MERGE, "{\"spec\":{\"replicas\":5}}").block(WAIT);
        await().atMost(WAIT).until(() -> podsOf(ns).size() == 5);
        podsOf(ns).stream().filter(p -> p.getStatus() == null || p.getStatus().getConditions() == null
                || p.getStatus().getConditions().isEmpty()).forEach(p -> setReady(ns, p.getMetadata().getName(), true));
        awaitStatus(ns, "max-1", 5, 4, 4, 0);
        awaitStatus(ns, "min-50pc", 5, 3, 4, 1);       // ceil(2.5)
        awaitStatus(ns, "max-34pc", 5, 3, 4, 1);       // ceil(1.7) unavailable
        assertCondition(awaitStatus(ns, "min-4", 5, 4, 4, 0), "False", "InsufficientPods");
    }

    @Test
    void anEvictionRecordedByTheApiserverIsHonouredUntilThePodGoes() {
        String ns = ControllerTestEnv.namespace("disruption-it");
        for (String name : List.of("a", "b")) {
            pods.create(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withNamespace(ns).withName(name)
                    .withLabels(Map.of("app", "web")).endMetadata().withNewSpec().addNewContainer().withName("c")
                    .withImage("nginx").endContainer().endSpec().build()).block(WAIT);
            setReady(ns, name, true);
        }
        budget(ns, "min-1", new IntOrString(1), null);
        awaitStatus(ns, "min-1", 2, 1, 2, 1);
        // what pods/eviction writes before it deletes: the pod stays out of the healthy count while it is awaited
        pdbs.updateWithRetry(ns, "min-1", p -> {
            p.getStatus().setDisruptedPods(Map.of("a", java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString()));
            p.getStatus().setDisruptionsAllowed(0);
            return p;
        }, true).block(WAIT);
        PodDisruptionBudgetStatus s = awaitStatus(ns, "min-1", 2, 1, 1, 0);
        assertThat(s.getDisruptedPods()).containsOnlyKeys("a");
        // an entry of long ago is dropped: the pod was not deleted after all
        pdbs.updateWithRetry(ns, "min-1", p -> {
            p.getStatus().setDisruptedPods(Map.of("a", "2020-01-01T00:00:00Z"));
            return p;
        }, true).block(WAIT);
        s = awaitStatus(ns, "min-1", 2, 1, 2, 1);
        assertThat(s.getDisruptedPods()).isNullOrEmpty();
    }
}
