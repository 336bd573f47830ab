package io.kube4j.controller.garbagecollector;

import static io.kube4j.controller.testsupport.ControllerTestEnv.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.watch.WatchEvent;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import reactor.core.Disposable;

/**
 * The garbage collector against the real apiserver on etcd, on Deployment → ReplicaSet → Pods chains the test builds
 * itself (no Deployment or ReplicaSet controller runs; pods stay unscheduled, so their deletes are immediate).
 * Ordered: the first test works while the collector is not running yet, then starts it for the others.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GarbageCollectorIT {

    private static final Map<String, String> LABELS = Map.of("app", "gc-it");

    private static KubeClient client;
    private static String ns;
    private static ControllerManager manager;

    @BeforeAll
    static void setUp() {
        client = ControllerTestEnv.client();
        ns = ControllerTestEnv.namespace("gc-it");
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (manager != null) {
            manager.stop();
        }
    }

    private static void startCollector() {
        if (manager == null) {
            manager = ControllerTestEnv.start(new GarbageCollectorFactory(new GarbageCollectorProperties(true, 4)));
        }
    }

    /** A Deployment owning a ReplicaSet owning {@code pods} Pods, linked as the workload controllers link them. */
    record Chain(Deployment deployment, ReplicaSet replicaSet, List<Pod> pods) {
        String lastResourceVersion() {
            return pods.get(pods.size() - 1).getMetadata().getResourceVersion();
        }
    }

    private static PodTemplateSpec template() {
        return new PodTemplateSpecBuilder().withNewMetadata().withLabels(LABELS).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build();
    }

    private static OwnerReference controllerRef(HasMetadata owner, String apiVersion, String kind) {
        return new OwnerReferenceBuilder().withApiVersion(apiVersion).withKind(kind)
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    private static Chain chain(String name, int pods) {
        Deployment d = client.resources(Deployment.class).create(new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withNewSpec().withReplicas(pods).withNewSelector().withMatchLabels(LABELS).endSelector()
                .withTemplate(template()).endSpec().build()).block(WAIT);
        ReplicaSet rs = client.resources(ReplicaSet.class).create(new ReplicaSetBuilder()
                .withNewMetadata().withName(name + "-rs").withNamespace(ns)
                .withOwnerReferences(controllerRef(d, "apps/v1", "Deployment")).endMetadata()
                .withNewSpec().withReplicas(pods).withNewSelector().withMatchLabels(LABELS).endSelector()
                .withTemplate(template()).endSpec().build()).block(WAIT);
        List<Pod> created = new ArrayList<>();
        for (int i = 0; i < pods; i++) {
            created.add(client.resources(Pod.class).create(new PodBuilder()
                    .withNewMetadata().withName(name + "-pod-" + i).withNamespace(ns).withLabels(LABELS)
                    .withOwnerReferences(controllerRef(rs, "apps/v1", "ReplicaSet")).endMetadata()
                    .withSpec(template().getSpec()).build()).block(WAIT));
        }
        return new Chain(d, rs, created);
    }

    private static <T extends HasMetadata> T get(Class<T> type, String name) {
        try {
            return client.resources(type).get(ns, name).block(WAIT);
        } catch (ApiStatusException.NotFound e) {
            return null;
        }
    }

    private static boolean gone(Class<? extends HasMetadata> type, HasMetadata obj) {
        HasMetadata now = get(type, obj.getMetadata().getName());
        return now == null || !now.getMetadata().getUid().equals(obj.getMetadata().getUid());
    }

    private static boolean allGone(Chain c) {
        return gone(Deployment.class, c.deployment()) && gone(ReplicaSet.class, c.replicaSet())
                && c.pods().stream().allMatch(p -> gone(Pod.class, p));
    }

    /** Every event of {@code type} in the namespace after {@code fromResourceVersion}, collected in the background. */
    private static <T extends HasMetadata> Disposable record(Class<T> type, String fromResourceVersion,
            List<WatchEvent<? extends HasMetadata>> into) {
        ResourceClient<T> rc = client.resources(type);
        return rc.watch(ns, ListOptions.all(), fromResourceVersion).subscribe(into::add, e -> { });
    }

    private static long deletedAt(List<WatchEvent<? extends HasMetadata>> events, HasMetadata obj) {
        return events.stream()
                .filter(e -> e.type() == WatchEvent.Type.DELETED
                        && obj.getMetadata().getUid().equals(e.object().getMetadata().getUid()))
                .mapToLong(e -> Long.parseLong(e.resourceVersion())).findFirst()
                .orElseThrow(() -> new AssertionError("no DELETED event for " + obj.getMetadata().getName()));
    }

    @Test
    @Order(1)
    void dependentsOfAnOwnerDeletedWhileTheCollectorWasDownAreCollectedWhenItStarts() {
        Chain c = chain("down", 3);
        // the collector is not running: the apiserver deletes the Deployment and nobody touches its dependents
        client.resources(Deployment.class).delete(ns, "down", DeleteOptions.background()).block(WAIT);
        assertThat(gone(Deployment.class, c.deployment())).isTrue();
        assertThat(gone(ReplicaSet.class, c.replicaSet())).isFalse();

        startCollector();
        await().atMost(WAIT).until(() -> allGone(c));
    }

    @Test
    @Order(2)
    void backgroundDeletionCollectsTheReplicaSetAndItsPods() {
        startCollector();
        Chain c = chain("bg", 3);
        client.resources(Deployment.class).delete(ns, "bg", DeleteOptions.background()).block(WAIT);
        assertThat(gone(Deployment.class, c.deployment())).isTrue(); // background: the owner goes at once
        await().atMost(WAIT).until(() -> allGone(c));
    }

    @Test
    @Order(3)
    void withoutAPropagationPolicyDeletionIsBackground() {
        startCollector();
        Chain c = chain("default", 2);
        client.resources(Deployment.class).delete(ns, "default", DeleteOptions.defaults()).block(WAIT);
        assertThat(gone(Deployment.class, c.deployment())).isTrue();
        await().atMost(WAIT).until(() -> allGone(c));
    }

    @Test
    @Order(4)
    void foregroundDeletionKeepsTheDeploymentUntilTheReplicaSetAndPodsAreGone() {
        startCollector();
        Chain c = chain("fg", 3);
        List<WatchEvent<? extends HasMetadata>> events = new CopyOnWriteArrayList<>();
        String from = c.lastResourceVersion();
        List<Disposable> watches = List.of(record(Deployment.class, from, events),
                record(ReplicaSet.class, from, events), record(Pod.class, from, events));
        try {
            Deployment pending = client.resources(Deployment.class)
                    .delete(ns, "fg", new DeleteOptions(null, "Foreground", null, null)).block(WAIT);
            assertThat(pending.getMetadata().getDeletionTimestamp()).isNotNull();
            assertThat(pending.getMetadata().getFinalizers()).contains("foregroundDeletion");

            await().atMost(WAIT).until(() -> allGone(c));
            await().atMost(WAIT).until(() -> events.stream().filter(e -> e.type() == WatchEvent.Type.DELETED)
                    .count() == 5);
        } finally {
            watches.forEach(Disposable::dispose);
        }
        long deploymentGone = deletedAt(events, c.deployment());
        long rsGone = deletedAt(events, c.replicaSet());
        assertThat(rsGone).isLessThan(deploymentGone);
        for (Pod p : c.pods()) {
            assertThat(deletedAt(events, p)).isLessThan(rsGone);
        }
        // the ReplicaSet has dependents of its own, so it too was deleted in the foreground, as Kubernetes does
        assertThat(events).anySatisfy(e -> {
            assertThat(e.object()).isInstanceOf(ReplicaSet.class);
            assertThat(e.object().getMetadata().getFinalizers()).contains("foregroundDeletion");
        });
    }

    @Test
    @Order(5)
    void orphanDeletionLeavesTheDependentsWithoutTheReference() {
        startCollector();
        Chain c = chain("orphan", 2);
        client.resources(Deployment.class).delete(ns, "orphan", new DeleteOptions(null, "Orphan", null, null))
                .block(WAIT);
        await().atMost(WAIT).until(() -> gone(Deployment.class, c.deployment()));
        ReplicaSet rs = get(ReplicaSet.class, "orphan-rs");
        assertThat(rs.getMetadata().getUid()).isEqualTo(c.replicaSet().getMetadata().getUid());
        assertThat(rs.getMetadata().getOwnerReferences()).isNullOrEmpty();

        // one level down: orphaning the ReplicaSet leaves its pods, unowned
        client.resources(ReplicaSet.class).delete(ns, "orphan-rs", new DeleteOptions(null, "Orphan", null, null))
                .block(WAIT);
        await().atMost(WAIT).until(() -> gone(ReplicaSet.class, c.replicaSet()));
        await().atMost(WAIT).untilAsserted(() -> {
            for (Pod p : c.pods()) {
                Pod now = get(Pod.class, p.getMetadata().getName());
                assertThat(now.getMetadata().getUid()).isEqualTo(p.getMetadata().getUid());
                assertThat(now.getMetadata().getOwnerReferences()).isNullOrEmpty();
            }
        });
    }

    @Test
    @Order(6)
    void aDependentWithOneGoneAndOneLiveOwnerLivesOnWithoutTheDanglingReference() {
        startCollector();
        ReplicaSet live = client.resources(ReplicaSet.class).create(new ReplicaSetBuilder()
                .withNewMetadata().withName("live").withNamespace(ns).endMetadata()
                .withNewSpec().withReplicas(0).withNewSelector().withMatchLabels(Map.of("app", "live")).endSelector()
                .withTemplate(new PodTemplateSpecBuilder(template()).editMetadata().withLabels(Map.of("app", "live"))
                        .endMetadata().build()).endSpec().build()).block(WAIT);
        OwnerReference liveRef = new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet")
                .withName("live").withUid(live.getMetadata().getUid()).withController(false).build();
        OwnerReference ghostRef = new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet")
                .withName("ghost").withUid(UUID.randomUUID().toString()).withController(true)
                .withBlockOwnerDeletion(true).build();
        Pod pod = client.resources(Pod.class).create(new PodBuilder()
                .withNewMetadata().withName("two-owners").withNamespace(ns).withOwnerReferences(ghostRef, liveRef)
                .endMetadata().withSpec(template().getSpec()).build()).block(WAIT);

        await().atMost(WAIT).untilAsserted(() -> {
            Pod now = get(Pod.class, "two-owners");
            assertThat(now).isNotNull();
            assertThat(now.getMetadata().getUid()).isEqualTo(pod.getMetadata().getUid());
            assertThat(now.getMetadata().getOwnerReferences()).extracting(OwnerReference::getUid)
                    .containsExactly(live.getMetadata().getUid());
        });

        // and once its last owner goes, it goes too
        client.resources(ReplicaSet.class).delete(ns, "live", DeleteOptions.background()).block(WAIT);
        await().atMost(WAIT).until(() -> gone(Pod.class, pod));
    }

    @Test
    @Order(7)
    void aVirtualOwnerThatExistsIsNotMistakenForAGoneOne() {
        startCollector();
        // owner and dependent created back to back: the pod informer may deliver the pod before the ReplicaSet
        // informer delivers its owner, so the owner starts as a virtual node the apiserver must confirm; nothing
        // may be collected whichever order the informers deliver them in
        String uid;
        ReplicaSet rs = client.resources(ReplicaSet.class).create(new ReplicaSetBuilder()
                .withNewMetadata().withName("late-owner").withNamespace(ns).endMetadata()
                .withNewSpec().withReplicas(0).withNewSelector().withMatchLabels(Map.of("app", "late")).endSelector()
                .withTemplate(new PodTemplateSpecBuilder(template()).editMetadata().withLabels(Map.of("app", "late"))
                        .endMetadata().build()).endSpec().build()).block(WAIT);
        uid = rs.getMetadata().getUid();
        Pod pod = client.resources(Pod.class).create(new PodBuilder()
                .withNewMetadata().withName("early-dependent").withNamespace(ns)
                .withOwnerReferences(controllerRef(rs, "apps/v1", "ReplicaSet")).endMetadata()
                .withSpec(template().getSpec()).build()).block(WAIT);
        // a marker deleted through the collector proves it has processed everything created before it
        Pod marker = client.resources(Pod.class).create(new PodBuilder()
                .withNewMetadata().withName("marker").withNamespace(ns)
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet")
                        .withName("never").withUid(UUID.randomUUID().toString()).build()).endMetadata()
                .withSpec(template().getSpec()).build()).block(WAIT);
        await().atMost(WAIT).until(() -> gone(Pod.class, marker));
        assertThat(gone(Pod.class, pod)).isFalse();
        assertThat(gone(ReplicaSet.class, rs)).isFalse();
        assertThat(get(Pod.class, "early-dependent").getMetadata().getOwnerReferences())
                .extracting(OwnerReference::getUid).containsExactly(uid);
        client.resources(ReplicaSet.class).delete(ns, "late-owner", DeleteOptions.background()).block(WAIT);
        await().atMost(WAIT).until(() -> gone(Pod.class, pod));
    }
}
