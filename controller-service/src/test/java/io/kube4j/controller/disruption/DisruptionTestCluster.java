package io.kube4j.controller.disruption;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.controller.deployment.DeploymentControllerFactory;
import io.kube4j.controller.deployment.DeploymentControllerProperties;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.replicaset.ReplicaSetControllerFactory;
import io.kube4j.controller.replicaset.ReplicaSetControllerProperties;
import io.kube4j.controller.testsupport.ControllerTestEnv;

import java.time.Duration;
import java.util.List;

/**
 * What the disruption ITs share: the ReplicaSet, Deployment and disruption controllers on the test apiserver (no
 * node agents: the tests mark pods Ready themselves), and the clients and helpers they read pods with.
 */
final class DisruptionTestCluster {

    static final Duration WAIT = Duration.ofSeconds(30);
    static KubeClient client;
    static ResourceClient<Pod> pods;
    static ResourceClient<PodDisruptionBudget> pdbs;
    private static ControllerManager manager;

    private DisruptionTestCluster() {
    }

    /** Starts the controllers (a test class's {@code @BeforeAll}). */
    static void start() {
        client = ControllerTestEnv.client();
        pods = client.resources(Pod.class);
        pdbs = client.resources(PodDisruptionBudget.class);
        manager = ControllerTestEnv.start(new ReplicaSetControllerFactory(ReplicaSetControllerProperties.defaults()),
                new DeploymentControllerFactory(DeploymentControllerProperties.defaults()),
                new DisruptionControllerFactory(DisruptionControllerProperties.defaults()));
    }

    /** Stops them (the class's {@code @AfterAll}). */
    static void stop() throws Exception {
        if (manager != null) {
            manager.stop();
            manager = null;
        }
    }

    /** The namespace's pods that are not being deleted. */
    static List<Pod> podsOf(String ns) {
        return pods.list(ns, ListOptions.all()).block(WAIT).getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    /** Marks a pod Running with Ready {@code ready}, as its node agent would. */
    static void setReady(String ns, String name, boolean ready) {
        pods.updateWithRetry(ns, name, p -> {
            PodStatus s = p.getStatus() == null ? new PodStatus() : p.getStatus();
            s.setPhase("Running");
            PodCondition c = new PodCondition();
            c.setType("Ready");
            c.setStatus(ready ? "True" : "False");
            s.setConditions(List.of(c));
            p.setStatus(s);
            return p;
        }, true).block(WAIT);
    }
}
