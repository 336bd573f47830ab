package io.kube4j.cli.testsupport;

import io.fabric8.kubernetes.api.model.Node;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.controller.deployment.DeploymentControllerFactory;
import io.kube4j.controller.deployment.DeploymentControllerProperties;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.replicaset.ReplicaSetControllerFactory;
import io.kube4j.controller.replicaset.ReplicaSetControllerProperties;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import io.kube4j.node.config.PodLifecycleProperties;
import io.kube4j.node.hollow.HollowFleet;
import io.kube4j.node.runtime.hollow.HollowRuntime;
import io.kube4j.node.testsupport.NodeTestSupport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.awaitility.Awaitility.await;

/**
 * A small real cluster for the workload commands' ITs, once per test JVM: hollow nodes whose agents run pods
 * (Ready shortly after they start, no Docker) and the real ReplicaSet, Deployment and disruption (PodDisruptionBudget) controllers, on the shared
 * etcd that {@code ApiServerInstance.secureShared()} (where k4j talks) also serves. No scheduler: the tests' pod
 * templates name their node ({@code spec.nodeName}).
 */
public final class HollowWorkloads {

    public static final Duration WAIT = Duration.ofSeconds(45);
    private static HollowWorkloads shared;
    private static int users;
    private boolean closed;

    private final String prefix;
    private final HollowFleet fleet;
    private final ExecutorService podWorkers;
    private final ControllerManager manager;

    private HollowWorkloads(int nodes) throws Exception {
        prefix = "k4j-" + UUID.randomUUID().toString().substring(0, 5) + "-";
        Path root = Files.createTempDirectory("k4j-hollow");
        KubeClient client = ControllerTestEnv.client();
        podWorkers = Executors.newFixedThreadPool(4);
        fleet = new HollowFleet(client, NodeTestSupport.properties("hollow.name-prefix=" + prefix, "root-dir=" + root,
                "hollow.start-delay=200ms"), nodes, HollowRuntime.Resources.DEFAULT, new SimpleMeterRegistry(),
                HollowFleet.fullAgents(PodLifecycleProperties.defaults(), podWorkers));
        fleet.start();
        await().atMost(WAIT).until(() -> client.resources(Node.class).list(null, ListOptions.all()).block(WAIT)
                .getItems().stream().filter(n -> n.getMetadata().getName().startsWith(prefix))
                .filter(n -> n.getStatus() != null && n.getStatus().getConditions() != null
                        && n.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
                .count() == nodes);
        manager = ControllerTestEnv.start(new ReplicaSetControllerFactory(ReplicaSetControllerProperties.defaults()),
                new DeploymentControllerFactory(DeploymentControllerProperties.defaults()),
                new io.kube4j.controller.disruption.DisruptionControllerFactory(
                        io.kube4j.controller.disruption.DisruptionControllerProperties.defaults()));
    }

    /**
     * Starts two hollow nodes and the controllers if no test class holds them, and counts the caller as a user. A
     * test class calls this in {@code @BeforeAll} and {@link #release()} in {@code @AfterAll}: the controllers act on
     * every namespace, so they must not outlive the classes that want them (another class's fixture Deployment,
     * whose status it writes itself, would otherwise get ReplicaSets and pods).
     */
    public static synchronized HollowWorkloads acquire() {
        if (shared == null) {
            try {
                shared = new HollowWorkloads(2);
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the hollow cluster", e);
            }
            HollowWorkloads started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "hollow-workloads-shutdown"));
        }
        users++;
        return shared;
    }

    /** Ends a user's hold ({@link #acquire()}); the last one stops the nodes and controllers. */
    public static synchronized void release() {
        if (users > 0 && --users == 0 && shared != null) {
            shared.close();
            shared = null;
        }
    }

    /** The running instance (a test class must hold it: {@link #acquire()}). */
    public static synchronized HollowWorkloads shared() {
        if (shared == null) {
            throw new IllegalStateException("HollowWorkloads.acquire() in @BeforeAll first");
        }
        return shared;
    }

    /** The name of hollow node {@code i} (0 or 1). */
    public String node(int i) {
        return fleet.nodeName(i);
    }

    private synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            manager.stop();
        } catch (Exception ignored) {
            // the JVM is exiting
        }
        fleet.close();
        podWorkers.shutdownNow();
        for (int i = 0; i < 2; i++) {
            ControllerTestEnv.client().resources(Node.class).delete(null, node(i), DeleteOptions.defaults())
                    .onErrorComplete().block(WAIT);
        }
    }
}
