package io.kube4j.controller.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.client.util.Clock;
import io.kube4j.client.watch.WatchEvent;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.replicaset.ReplicaSetControllerFactory;
import io.kube4j.controller.replicaset.ReplicaSetControllerProperties;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import io.kube4j.node.config.PodLifecycleProperties;
import io.kube4j.node.hollow.HollowFleet;
import io.kube4j.node.runtime.hollow.HollowRuntime;
import io.kube4j.node.testsupport.NodeTestSupport;
import io.kube4j.scheduler.Scheduler;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.plugins.DefaultPlugins;
import io.kube4j.scheduler.plugins.defaultbinder.DefaultBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

/**
 * What the Deployment ITs share: three hollow nodes whose pods go Ready a moment after they start, an in-process
 * scheduler of the test's own name binding the pods to them, the ReplicaSet and Deployment controllers, a fresh
 * namespace, helpers to make and read Deployments, and a pod watch that runs a check at every event.
 */
final class HollowCluster {

    private HollowCluster() {
    }

    static final Duration WAIT = Duration.ofSeconds(45);
    /** Per start: node names, node label and scheduler name of one test class. */
    static String RUN;
    static String PREFIX;
    static String SCHEDULER;


    static Path root;
    static KubeClient client;
    static ResourceClient<Deployment> deployments;
    static ResourceClient<Pod> pods;
    static String ns;
    static ExecutorService podWorkers;
    static HollowFleet fleet;
    static Parallelizer parallelizer;
    static EventRecorder schedulerEvents;
    static Scheduler scheduler;
    static ControllerManager manager;

    /** Starts the nodes, the scheduler and both controllers; {@code root} holds the nodes' files. */
    static void start(Path rootDir) {
        root = rootDir;
        RUN = UUID.randomUUID().toString().substring(0, 6);
        PREFIX = "deploy-it-" + RUN + "-";
        SCHEDULER = "deploy-it-" + RUN;
        client = ControllerTestEnv.client();
        deployments = client.resources(Deployment.class);
        pods = client.resources(Pod.class);
        ns = ControllerTestEnv.namespace("deploy-it");
        podWorkers = Executors.newFixedThreadPool(4);
        fleet = new HollowFleet(client, NodeTestSupport.properties("hollow.name-prefix=" + PREFIX, "root-dir=" + root,
                "labels.deploy-it=" + RUN, "hollow.start-delay=300ms"), 3, HollowRuntime.Resources.DEFAULT,
                new SimpleMeterRegistry(), HollowFleet.fullAgents(PodLifecycleProperties.defaults(), podWorkers));
        fleet.start();
        await().atMost(WAIT).until(() -> client.resources(Node.class).list(null, ListOptions.all()).block(WAIT)
                .getItems().stream().filter(n -> n.getMetadata().getName().startsWith(PREFIX))
                .filter(n -> n.getStatus() != null && n.getStatus().getConditions() != null
                        && n.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
                .count() == 3);
        parallelizer = new Parallelizer(2);
        schedulerEvents = new EventRecorder(client.resources(Event.class), SCHEDULER, null);
        Framework fw = new Framework(DefaultPlugins.profile(SCHEDULER, new DefaultBinder(client, WAIT), 0),
                parallelizer, new Random());
        scheduler = new Scheduler(client, SharedInformerFactory.forClient(client, Duration.ZERO), List.of(fw),
                schedulerEvents, Clock.system(), new Scheduler.Settings(Duration.ofSeconds(1), Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofSeconds(30), 4));
        scheduler.start(WAIT);
        manager = ControllerTestEnv.start(new ReplicaSetControllerFactory(ReplicaSetControllerProperties.defaults()),
                new DeploymentControllerFactory(DeploymentControllerProperties.defaults()));
    }

    static void stop() throws Exception {
        if (manager != null) {
            manager.stop();
        }
        if (scheduler != null) {
            scheduler.close();
        }
        if (schedulerEvents != null) {
            schedulerEvents.close();
        }
        if (parallelizer != null) {
            parallelizer.close();
        }
        if (fleet != null) {
            fleet.close();
        }
        if (podWorkers != null) {
            podWorkers.shutdownNow();
        }
        if (client != null) {
            for (int i = 0; i < 3; i++) {
                client.resources(Node.class).delete(null, PREFIX + i, DeleteOptions.defaults()).onErrorComplete()
                        .block(WAIT);
            }
            client.resources(Namespace.class).delete(null, ns, DeleteOptions.defaults()).onErrorComplete().block(WAIT);
        }
    }

    // ---- objects

    static PodTemplateSpec template(String app, String image) {
        return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", app).endMetadata()
                .withNewSpec().withSchedulerName(SCHEDULER).addToNodeSelector("deploy-it", RUN)
                .withTerminationGracePeriodSeconds(1L)
                .addNewContainer().withName("c").withImage(image).endContainer().endSpec().build();
    }

    static Deployment create(String name, int replicas, String strategy, Object maxSurge,
            Object maxUnavailable, Integer progressDeadline) {
        DeploymentBuilder b = new DeploymentBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", name).endSelector()
                .withTemplate(template(name, "img:1")).withProgressDeadlineSeconds(progressDeadline)
                .withNewStrategy().withType(strategy).endStrategy().endSpec();
        Deployment d = b.build();
        if ("RollingUpdate".equals(strategy)) {
            var ru = new io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment();
            ru.setMaxSurge(ios(maxSurge));
            ru.setMaxUnavailable(ios(maxUnavailable));
            d.getSpec().getStrategy().setRollingUpdate(ru);
        }
        return deployments.create(d).block(WAIT);
    }

    static IntOrString ios(Object v) {
        return v instanceof Integer i ? new IntOrString(i) : new IntOrString((String) v);
    }

    static Deployment get(String name) {
        return deployments.get(ns, name).block(WAIT);
    }

    static Deployment update(String name, Consumer<Deployment> change) {
        return deployments.updateWithRetry(ns, name, d -> {
            change.accept(d);
            return d;
        }, false).block(WAIT);
    }

    static String image(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    static DeploymentCondition condition(Deployment d, String type) {
        return DeploymentUtil.condition(d.getStatus(), type);
    }

    /** Waits until the rollout of the current spec is complete: what {@code kubectl rollout status} waits for. */
    static Deployment awaitComplete(String name) {
        await().atMost(WAIT).until(() -> {
            Deployment d = get(name);
            DeploymentCondition p = condition(d, "Progressing");
            return d.getStatus() != null && DeploymentUtil.complete(d, d.getStatus()) && p != null
                    && DeploymentUtil.NEW_RS_AVAILABLE_REASON.equals(p.getReason());
        });
        return get(name);
    }

    static List<ReplicaSet> replicaSetsOf(String name) {
        return client.resources(ReplicaSet.class).list(ns, ListOptions.all().withLabelSelector("app=" + name))
                .block(WAIT).getItems();
    }

    static ReplicaSet replicaSetWithImage(String name, String image) {
        return replicaSetsOf(name).stream()
                .filter(rs -> image.equals(rs.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()))
                .findFirst().orElseThrow();
    }

    static List<String> events(String involved, String reason) {
        return client.resources(Event.class).list(ns, ListOptions.all()).block(WAIT).getItems().stream()
                .filter(e -> involved.equals(e.getInvolvedObject().getName()) && reason.equals(e.getReason()))
                .map(Event::getMessage).toList();
    }

    /** The pods of one Deployment as a watch sees them, with a check run at every event. */
    static final class PodWatch {
        final Map<String, Pod> pods = new HashMap<>();
        final List<String> violations = Collections.synchronizedList(new ArrayList<>());
        final Consumer<PodWatch> check;
        int events;
        int maxLive;
        int minAvailable = Integer.MAX_VALUE;
        final Set<String> hashesSeen = new HashSet<>();
        private final Disposable subscription;

        PodWatch(String app, Consumer<PodWatch> check) {
            this.check = check;
            var list = HollowCluster.pods.list(ns, ListOptions.all().withLabelSelector("app=" + app)).block(WAIT);
            synchronized (this) {
                for (Pod p : list.getItems()) {
                    pods.put(p.getMetadata().getUid(), p);
                }
                observe();
            }
            subscription = HollowCluster.pods.watch(ns, ListOptions.all().withLabelSelector("app=" + app),
                    list.getMetadata().getResourceVersion()).subscribe(this::onEvent,
                    e -> violations.add("the watch failed: " + e));
        }

        private synchronized void onEvent(WatchEvent<Pod> e) {
            if (e.type() == WatchEvent.Type.BOOKMARK) {
                return;
            }
            if (e.type() == WatchEvent.Type.DELETED) {
                pods.remove(e.object().getMetadata().getUid());
            } else {
                pods.put(e.object().getMetadata().getUid(), e.object());
            }
            events++;
            observe();
        }

        private void observe() {
            maxLive = Math.max(maxLive, live());
            minAvailable = Math.min(minAvailable, available());
            pods.values().forEach(p -> hashesSeen.add(hash(p)));
            check.accept(this);
        }

        /** Pods not being deleted. */
        int live() {
            return (int) pods.values().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).count();
        }

        /** Live pods that are Ready (minReadySeconds is 0). */
        int available() {
            return (int) pods.values().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                    .filter(p -> p.getStatus() != null && p.getStatus().getConditions() != null
                            && p.getStatus().getConditions().stream()
                            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
                    .count();
        }

        /** The template hashes of every pod there is, terminating ones included. */
        Set<String> hashes() {
            Set<String> h = new HashSet<>();
            pods.values().forEach(p -> h.add(hash(p)));
            return h;
        }

        static String hash(Pod p) {
            return p.getMetadata().getLabels().get(DeploymentUtil.POD_TEMPLATE_HASH);
        }

        synchronized String summary() {
            return "events=" + events + " maxLive=" + maxLive + " minAvailable=" + minAvailable;
        }

        void stop() {
            subscription.dispose();
        }
    }

    static void kubectlStatusAndHistory(String name) {
        Path binary = Requirements.requireBinary("kubectl");
        KubectlRunner kubectl = kubectl(binary);
        KubectlRunner.Result status = kubectl.kubectl("rollout", "status", "deployment/" + name, "--timeout=30s").ok();
        assertThat(status.out()).contains("deployment \"" + name + "\" successfully rolled out");
        KubectlRunner.Result history = kubectl.kubectl("rollout", "history", "deployment/" + name).ok();
        assertThat(history.out()).containsPattern("(?m)^1\\s").containsPattern("(?m)^2\\s");
    }

    static KubectlRunner kubectl(Path binary) {
        try {
            Path dir = Files.createTempDirectory(root, "kubectl");
            return new KubectlRunner(binary, ApiServerInstance.shared().url(), ns, dir, Duration.ofSeconds(60));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

}
