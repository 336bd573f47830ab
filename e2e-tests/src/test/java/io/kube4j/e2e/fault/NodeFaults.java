package io.kube4j.e2e.fault;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.KubeClient;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.client.util.Clock;
import io.kube4j.controller.deployment.DeploymentControllerFactory;
import io.kube4j.controller.deployment.DeploymentControllerProperties;
import io.kube4j.controller.manager.ControllerContext;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.nodelifecycle.NodeLifecycleControllerFactory;
import io.kube4j.controller.nodelifecycle.NodeLifecycleProperties;
import io.kube4j.controller.replicaset.ReplicaSetControllerFactory;
import io.kube4j.controller.replicaset.ReplicaSetControllerProperties;
import io.kube4j.node.runtime.RuntimeLabels;
import io.kube4j.scheduler.Scheduler;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.FrameworkHandle;
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.plugins.DefaultPlugins;
import io.kube4j.scheduler.plugins.defaultbinder.DefaultBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * What the node fault tests ({@link NodeLossIT}, {@link NodePartitionIT}) share: the scheduler and the node lifecycle
 * (short grace period, taint-based eviction), ReplicaSet and Deployment controllers in the test's JVM; a node agent's
 * arguments; the node's Ready condition; a pod's readiness; the Docker containers of pods.
 */
final class NodeFaults {

    private NodeFaults() {
    }

    /** The scheduler and the controllers in this JVM, stopped by {@link #close()}. */
    static final class ControlPlane implements AutoCloseable {
        private final Parallelizer parallelizer;
        private final SharedInformerFactory schedulerInformers;
        private final Scheduler scheduler;
        private final ControllerManager controllers;

        private ControlPlane(Parallelizer parallelizer, SharedInformerFactory schedulerInformers, Scheduler scheduler,
                             ControllerManager controllers) {
            this.parallelizer = parallelizer;
            this.schedulerInformers = schedulerInformers;
            this.scheduler = scheduler;
            this.controllers = controllers;
        }

        @Override
        public void close() {
            if (controllers != null) {
                try {
                    controllers.stop();
                } catch (Exception e) {
                    System.err.println("[NodeFaults] stopping the controllers: " + e);
                }
            }
            if (scheduler != null) {
                try {
                    scheduler.close();
                } catch (Exception e) {
                    System.err.println("[NodeFaults] stopping the scheduler: " + e);
                }
            }
            // the scheduler does not own its informers (in the service, Spring stops the factory): left running,
            // they outlived the test class and its client
            if (schedulerInformers != null) {
                schedulerInformers.stopAll();
            }
            parallelizer.close();
        }
    }

    /**
     * Starts the scheduler and the node lifecycle ({@code monitor} period, {@code grace} period), ReplicaSet and
     * Deployment controllers against {@code client}, and waits for their caches.
     */
    static ControlPlane startControlPlane(KubeClient client, Duration monitor, Duration grace, Duration timeout) {
        Parallelizer parallelizer = new Parallelizer(1);
        Scheduler scheduler = null;
        ControllerManager controllers = null;
        SharedInformerFactory informers = null;
        try {
            informers = SharedInformerFactory.forClient(client, Duration.ZERO);
            EventRecorder events = new EventRecorder(client.resources(Event.class), "default-scheduler", null);
            FrameworkHandle handle = new FrameworkHandle.SimpleHandle(client, events, informers, parallelizer,
                    Clock.system());
            Framework framework = new Framework(DefaultPlugins.profile("default-scheduler",
                    new DefaultBinder(client, Duration.ofSeconds(10)), 0, handle), parallelizer, new Random());
            scheduler = new Scheduler(client, informers, List.of(framework), events, Clock.system(),
                    new Scheduler.Settings(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(5),
                            Duration.ofSeconds(30), 1));
            scheduler.start(timeout);
            controllers = new ControllerManager(ControllerContext.of(client, Duration.ZERO, new SimpleMeterRegistry(),
                    Clock.system()), List.of(
                    new NodeLifecycleControllerFactory(NodeLifecycleProperties.defaults().withTiming(monitor, grace)),
                    new ReplicaSetControllerFactory(ReplicaSetControllerProperties.defaults()),
                    new DeploymentControllerFactory(DeploymentControllerProperties.defaults())), List.of("*"));
            controllers.start();
            if (!controllers.waitForCacheSync(timeout)) {
                throw new IllegalStateException("controller caches not synced in " + timeout);
            }
            return new ControlPlane(parallelizer, informers, scheduler, controllers);
        } catch (RuntimeException e) {
            new ControlPlane(parallelizer, informers, scheduler, controllers).close();
            throw e;
        }
    }

    /**
     * A node agent's arguments: its own node name, pod CIDR, root dir and node API port (any), renewing its Lease
     * (duration {@code grace}) every {@code renew}, reporting status every 2 s and relisting its containers every
     * second.
     */
    static List<String> agentArgs(String apiserverUrl, String node, String podCidr, Path rootDir, Duration grace,
                                  Duration renew) {
        return new ArrayList<>(List.of(
                "--kube4j.client.server=" + apiserverUrl,
                "--kube4j.node.name=" + node,
                "--kube4j.node.pod-cidr=" + podCidr,
                // no cluster-cidr: as root the agent would insert a forwarding rule into the host's DOCKER-USER chain,
                // and these pods need not reach each other
                "--kube4j.node.root-dir=" + rootDir,
                "--kube4j.node.server.address=127.0.0.1",
                "--kube4j.node.server.port=0",
                "--kube4j.node.lease.duration=" + grace.toSeconds() + "s",
                "--kube4j.node.lease.renew-interval=" + renew.toSeconds() + "s",
                "--kube4j.node.status-update-frequency=2s",
                "--kube4j.node.relist-period=1s"));
    }

    static boolean ready(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    static void awaitReadyStatus(KubeClient client, String node, String status, Duration timeout) {
        await("node " + node + " Ready=" + status).atMost(timeout).pollInterval(Duration.ofMillis(100))
                .ignoreExceptionsInstanceOf(ApiStatusException.NotFound.class)
                .until(() -> readyStatus(client, node), status::equals);
    }

    /** The status of the node's Ready condition (True, False, Unknown), or null. */
    static String readyStatus(KubeClient client, String node) {
        Node n = client.resources(Node.class).get(null, node).block(Duration.ofSeconds(10));
        if (n.getStatus() == null || n.getStatus().getConditions() == null) {
            return null;
        }
        return n.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType()))
                .map(NodeCondition::getStatus).findFirst().orElse(null);
    }

    /** Every container and sandbox in Docker labelled with one of these pod UIDs. */
    static List<Container> containersOf(DockerClient docker, Set<String> podUids) {
        return docker.listContainersCmd().withShowAll(true).withLabelFilter(List.of(RuntimeLabels.POD_UID)).exec()
                .stream().filter(c -> c.getLabels() != null && podUids.contains(c.getLabels().get(RuntimeLabels.POD_UID)))
                .toList();
    }

    /**
     * Deployment {@code web} of {@code replicas} pods of {@code image} spread over the nodes (the survivor of a node
     * fault may take them all), tolerating the unreachable and not-ready taints for {@code tolerationSeconds}.
     */
    static Deployment webDeployment(String ns, int replicas, long tolerationSeconds, String image) {
        return new DeploymentBuilder().withNewMetadata().withNamespace(ns).withName("web").endMetadata().withNewSpec()
                .withReplicas(replicas).withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata().withNewSpec()
                .withTerminationGracePeriodSeconds(1L)
                .addNewToleration().withKey("node.kubernetes.io/unreachable").withOperator("Exists")
                .withEffect("NoExecute").withTolerationSeconds(tolerationSeconds).endToleration()
                .addNewToleration().withKey("node.kubernetes.io/not-ready").withOperator("Exists")
                .withEffect("NoExecute").withTolerationSeconds(tolerationSeconds).endToleration()
                // spread over both nodes, but the survivor may take every pod
                .addNewTopologySpreadConstraint().withMaxSkew(1).withTopologyKey("kubernetes.io/hostname")
                .withWhenUnsatisfiable("ScheduleAnyway").withNewLabelSelector().addToMatchLabels("app", "web")
                .endLabelSelector().endTopologySpreadConstraint()
                .addNewContainer().withName("web").withImage(image).withImagePullPolicy("Never").endContainer()
                .endSpec().endTemplate().endSpec().build();
    }
}
