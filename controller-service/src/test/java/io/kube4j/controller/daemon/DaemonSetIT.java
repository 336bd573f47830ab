package io.kube4j.controller.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.client.util.Clock;
import io.kube4j.client.watch.WatchEvent;
import io.kube4j.controller.common.OwnerReferences;
import io.kube4j.controller.common.Pods;
import io.kube4j.controller.manager.ControllerManager;
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
 * The DaemonSet controller against the real apiserver, with hollow nodes (full agents: pods go Running and Ready) and
 * an in-process scheduler of this test's own name placing the daemon pods by their {@code matchFields} affinity. The
 * nodes carry a label unique to this run that the DaemonSet's nodeSelector names, so no other test's node qualifies.
 */
class DaemonSetIT {

    static final Duration WAIT = Duration.ofSeconds(45);
    static final String RUN = UUID.randomUUID().toString().substring(0, 6);
    static final String PREFIX = "ds-it-" + RUN + "-";
    static final String SCHEDULER = "ds-it-" + RUN;

    @TempDir
    static Path root;
    static KubeClient client;
    static ResourceClient<Pod> pods;
    static ResourceClient<DaemonSet> daemonSets;
    static String ns;
    static ExecutorService podWorkers;
    static final List<HollowFleet> fleets = new ArrayList<>();
    static final List<String> nodeNames = new ArrayList<>();
    static Parallelizer parallelizer;
    static EventRecorder schedulerEvents;
    static Scheduler scheduler;
    static ControllerManager manager;

    @BeforeAll
    static void start() {
        client = ControllerTestEnv.client();
        pods = client.resources(Pod.class);
        daemonSets = client.resources(DaemonSet.class);
        ns = ControllerTestEnv.namespace("ds-it");
        podWorkers = Executors.newFixedThreadPool(4);
        startNodes("a", 3);
        parallelizer = new Parallelizer(2);
        schedulerEvents = new EventRecorder(client.resources(Event.class), SCHEDULER, null);
        Framework fw = new Framework(DefaultPlugins.profile(SCHEDULER, new DefaultBinder(client, WAIT), 0),
                parallelizer, new Random());
        scheduler = new Scheduler(client, SharedInformerFactory.forClient(client, Duration.ZERO), List.of(fw),
                schedulerEvents, Clock.system(), new Scheduler.Settings(Duration.ofSeconds(1), Duration.ofSeconds(5),
                Duration.ofSeconds(30), Duration.ofSeconds(30), 4));
        scheduler.start(WAIT);
        manager = ControllerTestEnv.start(new DaemonSetControllerFactory(DaemonSetControllerProperties.defaults()));
    }

    /** Starts {@code count} hollow nodes {@code <PREFIX><group><i>} with this run's label and the extra properties. */
    static void startNodes(String group, int count, String... extra) {
        List<String> props = new ArrayList<>(List.of("hollow.name-prefix=" + PREFIX + group,
                "root-dir=" + root.resolve(group), "labels.ds-it=" + RUN, "hollow.start-delay=200ms"));
        props.addAll(List.of(extra));
        HollowFleet fleet = new HollowFleet(client, NodeTestSupport.properties(props.toArray(String[]::new)), count,
                HollowRuntime.Resources.DEFAULT, new SimpleMeterRegistry(),
                HollowFleet.fullAgents(PodLifecycleProperties.defaults(), podWorkers));
        fleet.start();
        fleets.add(fleet);
        for (int i = 0; i < count; i++) {
            nodeNames.add(PREFIX + group + i);
        }
        await().atMost(WAIT).until(() -> client.resources(Node.class).list(null, ListOptions.all()).block(WAIT)
                .getItems().stream().filter(n -> n.getMetadata().getName().startsWith(PREFIX + group))
                .filter(n -> n.getStatus() != null && n.getStatus().getConditions() != null
                        && n.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
                .count() == count);
    }

    @AfterAll
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
        for (HollowFleet f : fleets) {
            f.close();
        }
        if (podWorkers != null) {
            podWorkers.shutdownNow();
        }
        if (client != null) {
            for (String n : nodeNames) {
                client.resources(Node.class).delete(null, n, DeleteOptions.defaults()).onErrorComplete().block(WAIT);
            }
            client.resources(Namespace.class).delete(null, ns, DeleteOptions.defaults()).onErrorComplete().block(WAIT);
        }
    }

    static List<Pod> daemonPods(String app) {
        return pods.list(ns, ListOptions.all().withLabelSelector("app=" + app)).block(WAIT).getItems().stream()
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    static Map<String, String> nodeToImage(List<Pod> ps) {
        Map<String, String> out = new HashMap<>();
        for (Pod p : ps) {
            if ("Running".equals(p.getStatus() == null ? null : p.getStatus().getPhase()) && Pods.isReady(p)) {
                out.put(p.getSpec().getNodeName(), p.getSpec().getContainers().get(0).getImage());
            }
        }
        return out;
    }

    @Test
    void oneReadyPodPerEligibleNodeFollowsNodesAndRollsTemplateChanges() throws Exception {
        DaemonSet ds = new DaemonSetBuilder().withNewMetadata().withName("agent").withNamespace(ns).endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "agent").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "agent").endMetadata().withNewSpec()
                .withSchedulerName(SCHEDULER).addToNodeSelector("ds-it", RUN).withTerminationGracePeriodSeconds(1L)
                .addNewContainer().withName("c").withImage("agent:1").endContainer().endSpec().endTemplate()
                .withNewUpdateStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxUnavailable(new IntOrString(1)).endRollingUpdate().endUpdateStrategy()
                .endSpec().build();
        daemonSets.create(ds).block(WAIT);

        // three nodes: three pods, one on each, Running and Ready, counted in the status
        List<String> first = List.copyOf(nodeNames);
        await().atMost(WAIT).untilAsserted(() -> assertThat(nodeToImage(daemonPods("agent")))
                .containsOnlyKeys(first).allSatisfy((n, img) -> assertThat(img).isEqualTo("agent:1")));
        await().atMost(WAIT).untilAsserted(() -> {
            DaemonSet s = daemonSets.get(ns, "agent").block(WAIT);
            assertThat(s.getStatus().getDesiredNumberScheduled()).isEqualTo(3);
            assertThat(s.getStatus().getNumberReady()).isEqualTo(3);
            assertThat(s.getStatus().getUpdatedNumberScheduled()).isEqualTo(3);
            assertThat(s.getStatus().getObservedGeneration()).isEqualTo(s.getMetadata().getGeneration());
        });
        Pod sample = daemonPods("agent").get(0);
        assertThat(sample.getMetadata().getLabels()).containsKey("controller-revision-hash");
        assertThat(sample.getSpec().getTolerations()).anyMatch(t -> "node.kubernetes.io/unreachable"
                .equals(t.getKey()) && "NoExecute".equals(t.getEffect()) && t.getTolerationSeconds() == null);
        assertThat(DaemonPods.targetNode(new io.fabric8.kubernetes.api.model.PodSpecBuilder()
                .withAffinity(sample.getSpec().getAffinity()).build())).isEqualTo(sample.getSpec().getNodeName());

        // a fourth node joins: a fourth pod; a node tainted NoSchedule the template does not tolerate gets none
        startNodes("b", 1);
        startNodes("t", 1, "taints[0]=ds-it/dedicated=x:NoSchedule");
        List<String> eligible = nodeNames.stream().filter(n -> !n.startsWith(PREFIX + "t")).toList();
        await().atMost(WAIT).untilAsserted(() -> assertThat(nodeToImage(daemonPods("agent")))
                .containsOnlyKeys(eligible));
        await().atMost(WAIT).untilAsserted(() -> {
            DaemonSet s = daemonSets.get(ns, "agent").block(WAIT);
            assertThat(s.getStatus().getDesiredNumberScheduled()).isEqualTo(4);
            assertThat(s.getStatus().getNumberAvailable()).isEqualTo(4);
            assertThat(s.getStatus().getNumberMisscheduled()).isZero();
        });
        assertThat(daemonPods("agent")).noneMatch(p -> DaemonPods.targetNode(p.getSpec()).startsWith(PREFIX + "t"));

        // a failed daemon pod is deleted and replaced on its node (as Kubernetes' e2e "should retry creating failed
        // daemon pods": the status is set to Failed through the API)
        Pod victim = daemonPods("agent").stream().filter(p -> first.get(0).equals(p.getSpec().getNodeName()))
                .findFirst().orElseThrow();
        pods.updateWithRetry(ns, victim.getMetadata().getName(), p -> {
            p.getStatus().setPhase("Failed");
            return p;
        }, true).block(WAIT);
        await().atMost(WAIT).untilAsserted(() -> {
            List<Pod> now = daemonPods("agent");
            assertThat(now).noneMatch(p -> p.getMetadata().getUid().equals(victim.getMetadata().getUid()));
            assertThat(nodeToImage(now)).containsOnlyKeys(eligible);
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.resources(Event.class).list(ns, ListOptions.all())
                .block(WAIT).getItems()).anyMatch(e -> "FailedDaemonPod".equals(e.getReason())
                        && "agent".equals(e.getInvolvedObject().getName())
                        && e.getMessage().contains(victim.getMetadata().getName())));

        // a template change rolls every pod, never more than maxUnavailable=1 node without a ready pod
        RolloutWatch rollout = new RolloutWatch("agent");
        try {
            daemonSets.updateWithRetry(ns, "agent", d -> {
                d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("agent:2");
                return d;
            }, false).block(WAIT);
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(nodeToImage(daemonPods("agent"))).containsOnlyKeys(eligible)
                        .allSatisfy((n, img) -> assertThat(img).isEqualTo("agent:2"));
                assertThat(daemonPods("agent")).hasSize(4);
                DaemonSet s = daemonSets.get(ns, "agent").block(WAIT);
                assertThat(s.getStatus().getUpdatedNumberScheduled()).isEqualTo(4);
                assertThat(s.getStatus().getNumberAvailable()).isEqualTo(4);
            });
        } finally {
            rollout.close();
        }
        // exactly one node at a time lost its ready pod (and the watch did see the rollout)
        assertThat(rollout.minReadyNodes()).as("fewest nodes with a ready pod during the rollout").isEqualTo(3);
        assertThat(rollout.maxLivePods()).as("most pods at once without surge").isEqualTo(4);
        DaemonSet s = daemonSets.get(ns, "agent").block(WAIT);
        List<ControllerRevision> revisions = client.resources(ControllerRevision.class).list(ns, ListOptions.all())
                .block(WAIT).getItems().stream()
                .filter(r -> OwnerReferences.isControlledBy(r, s.getMetadata().getUid())).toList();
        assertThat(revisions).hasSize(2).extracting(ControllerRevision::getRevision).containsExactlyInAnyOrder(1L, 2L);

        // the real kubectl: rollout status returns, history lists both revisions, undo goes back to agent:1 (the old
        // revision renumbered 3, as Kubernetes does)
        KubectlRunner kubectl = KubectlRunner.forNamespace(ApiServerInstance.shared(), ns, root, WAIT);
        assertThat(kubectl.kubectl("rollout", "status", "daemonset/agent", "--timeout=40s").ok().out())
                .contains("successfully rolled out");
        assertThat(kubectl.kubectl("rollout", "history", "daemonset/agent").ok().out())
                .containsPattern("(?m)^1\\s").containsPattern("(?m)^2\\s");
        // the undo rolls with maxSurge=1, maxUnavailable=0: a new pod starts beside an old one, which goes once the
        // new one is available, so every node keeps a ready pod
        daemonSets.updateWithRetry(ns, "agent", d -> {
            d.getSpec().getUpdateStrategy().getRollingUpdate().setMaxSurge(new IntOrString(1));
            d.getSpec().getUpdateStrategy().getRollingUpdate().setMaxUnavailable(new IntOrString(0));
            return d;
        }, false).block(WAIT);
        RolloutWatch surge = new RolloutWatch("agent");
        try {
            kubectl.kubectl("rollout", "undo", "daemonset/agent").ok();
            await().atMost(WAIT).untilAsserted(() -> {
                assertThat(nodeToImage(daemonPods("agent"))).containsOnlyKeys(eligible)
                        .allSatisfy((n, img) -> assertThat(img).isEqualTo("agent:1"));
                assertThat(daemonPods("agent")).hasSize(4);
            });
        } finally {
            surge.close();
        }
        assertThat(surge.minReadyNodes()).as("fewest nodes with a ready pod during the surge rollout").isEqualTo(4);
        assertThat(surge.maxLivePods()).as("most pods at once with maxSurge=1").isEqualTo(5);
        assertThat(kubectl.kubectl("rollout", "status", "daemonset/agent", "--timeout=40s").ok().out())
                .contains("successfully rolled out");
        assertThat(client.resources(ControllerRevision.class).list(ns, ListOptions.all()).block(WAIT).getItems()
                .stream().filter(r -> OwnerReferences.isControlledBy(r, s.getMetadata().getUid()))
                .map(ControllerRevision::getRevision)).containsExactlyInAnyOrder(2L, 3L);

        // a node that stops matching the nodeSelector loses its pod
        String leaving = PREFIX + "b0";
        client.resources(Node.class).updateWithRetry(null, leaving, n -> {
            n.getMetadata().getLabels().remove("ds-it");
            return n;
        }, false).block(WAIT);
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(daemonPods("agent")).hasSize(3)
                    .noneMatch(p -> leaving.equals(DaemonPods.targetNode(p.getSpec())));
            DaemonSet after = daemonSets.get(ns, "agent").block(WAIT);
            assertThat(after.getStatus().getDesiredNumberScheduled()).isEqualTo(3);
            assertThat(after.getStatus().getNumberMisscheduled()).isZero();
        });
    }

    /** The pods of one app as a watch sees them: the fewest nodes with a ready pod and the most live pods at once. */
    static final class RolloutWatch implements AutoCloseable {
        private final Map<String, Pod> live = new HashMap<>();
        private final Disposable subscription;
        private int minReadyNodes = Integer.MAX_VALUE;
        private int maxLivePods;

        RolloutWatch(String app) {
            var list = pods.list(ns, ListOptions.all().withLabelSelector("app=" + app)).block(WAIT);
            synchronized (this) {
                list.getItems().forEach(p -> live.put(p.getMetadata().getName(), p));
                observe();
            }
            subscription = pods.watch(ns, ListOptions.all().withLabelSelector("app=" + app),
                    list.getMetadata().getResourceVersion()).subscribe(this::onEvent);
        }

        private synchronized void onEvent(WatchEvent<Pod> e) {
            if (e.type() == WatchEvent.Type.DELETED) {
                live.remove(e.object().getMetadata().getName());
            } else if (e.type() != WatchEvent.Type.BOOKMARK) {
                live.put(e.object().getMetadata().getName(), e.object());
            }
            observe();
        }

        private void observe() {
            List<Pod> alive = live.values().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                    .toList();
            int ready = (int) alive.stream().filter(Pods::isReady).map(p -> p.getSpec().getNodeName()).distinct()
                    .count();
            minReadyNodes = Math.min(minReadyNodes, ready);
            maxLivePods = Math.max(maxLivePods, alive.size());
        }

        synchronized int minReadyNodes() {
            return minReadyNodes;
        }

        synchronized int maxLivePods() {
            return maxLivePods;
        }

        @Override
        public void close() {
            subscription.dispose();
        }
    }
}
