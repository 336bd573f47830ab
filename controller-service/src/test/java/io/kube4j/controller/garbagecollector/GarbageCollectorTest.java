package io.kube4j.controller.garbagecollector;

import static io.kube4j.controller.garbagecollector.GcFixtures.DEPLOYMENT;
import static io.kube4j.controller.garbagecollector.GcFixtures.NODE;
import static io.kube4j.controller.garbagecollector.GcFixtures.POD;
import static io.kube4j.controller.garbagecollector.GcFixtures.REPLICASET;
import static io.kube4j.controller.garbagecollector.GcFixtures.deleting;
import static io.kube4j.controller.garbagecollector.GcFixtures.drain;
import static io.kube4j.controller.garbagecollector.GcFixtures.id;
import static io.kube4j.controller.garbagecollector.GcFixtures.meta;
import static io.kube4j.controller.garbagecollector.GcFixtures.ref;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.client.workqueue.DefaultRateLimitingQueue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GarbageCollectorTest {

    private FakeGcOperations ops;
    private DefaultRateLimitingQueue<Node> attemptToDelete;
    private DefaultRateLimitingQueue<Node> attemptToOrphan;
    private GraphBuilder graph;
    private GarbageCollector gc;
    private final List<String> reports = new ArrayList<>();

    @BeforeEach
    void setUp() {
        ops = new FakeGcOperations();
        attemptToDelete = GcFixtures.queue("d");
        attemptToOrphan = GcFixtures.queue("o");
        graph = new GraphBuilder(attemptToDelete, attemptToOrphan, new AbsentOwnerCache(10),
                (dependent, message) -> reports.add(dependent.name() + ": " + message));
        gc = new GarbageCollector(graph, ops, attemptToDelete, attemptToOrphan, 1, List.of());
    }

    /** Puts the object both into the fake apiserver and the graph. */
    private Node observe(ResourceType t, ObjectMeta m) {
        ops.put(t, m);
        graph.process(GraphEvent.add(id(t, m), m));
        return graph.node(m.getUid());
    }

    /** The state of an owner in a classification case. */
    enum OwnerState { ABSENT, OTHER_UID, PRESENT, DELETING_FOREGROUND, DELETING_ORPHAN, DELETING_NO_FINALIZER }

    static Stream<Arguments> classifications() {
        return Stream.of(
                Arguments.of(OwnerState.ABSENT, true, "dangling"),
                Arguments.of(OwnerState.OTHER_UID, true, "dangling"),
                Arguments.of(OwnerState.PRESENT, true, "solid"),
                Arguments.of(OwnerState.DELETING_FOREGROUND, true, "waiting"),
                // Kubernetes counts a foreground-deleting owner as waiting whether or not the reference blocks
                Arguments.of(OwnerState.DELETING_FOREGROUND, false, "waiting"),
                Arguments.of(OwnerState.DELETING_ORPHAN, true, "solid"),
                Arguments.of(OwnerState.DELETING_NO_FINALIZER, true, "solid"));
    }

    @ParameterizedTest(name = "owner {0}, blockOwnerDeletion {1} -> {2}")
    @MethodSource("classifications")
    void classifyReferences(OwnerState state, boolean block, String expected) {
        ObjectMeta owner = meta("rs", "rs-uid");
        switch (state) {
            case ABSENT -> {
            }
            case OTHER_UID -> ops.put(REPLICASET, meta("rs", "recreated-uid"));
            case PRESENT -> ops.put(REPLICASET, owner);
            case DELETING_FOREGROUND -> ops.put(REPLICASET, deleting(owner, "foregroundDeletion"));
            case DELETING_ORPHAN -> ops.put(REPLICASET, deleting(owner, "orphan"));
            case DELETING_NO_FINALIZER -> ops.put(REPLICASET, deleting(owner));
        }
        OwnerReference r = ref(REPLICASET, "rs", "rs-uid", block);
        Node pod = observe(POD, meta("pod", "pod-uid", r));

        GarbageCollector.Classification c = gc.classifyReferences(pod, List.of(r));
        List<OwnerReference> got = switch (expected) {
            case "solid" -> c.solid();
            case "dangling" -> c.dangling();
            default -> c.waitingForDependentsDeletion();
        };
        assertThat(got).containsExactly(r);
        assertThat(c.solid().size() + c.dangling().size() + c.waitingForDependentsDeletion().size()).isEqualTo(1);
    }

    @Test
    void anAbsentOwnerIsRememberedSoTheNextDependentCostsNoGet() {
        OwnerReference r = ref(REPLICASET, "rs", "rs-uid", true);
        Node p1 = observe(POD, meta("p1", "p1-uid", r));
        Node p2 = observe(POD, meta("p2", "p2-uid", r));
        assertThat(gc.classifyReferences(p1, List.of(r)).dangling()).containsExactly(r);
        int gets = ops.gets;
        assertThat(gc.classifyReferences(p2, List.of(r)).dangling()).containsExactly(r);
        assertThat(ops.gets).isEqualTo(gets);
    }

    @Test
    void aClusterScopedOwnerIsLookedUpWithoutTheDependentsNamespace() {
        ObjectMeta node = new ObjectMetaBuilder().withName("n1").withUid("n1-uid").build();
        ops.put(NODE, node);
        OwnerReference r = ref(NODE, "n1", "n1-uid", false);
        Node pod = observe(POD, meta("pod", "pod-uid", r));
        assertThat(gc.classifyReferences(pod, List.of(r)).solid()).containsExactly(r);
    }

    // ------------------------------------------------------------------ attemptToDeleteItem decisions

    @Test
    void allOwnersGoneDeletesInTheBackgroundWithUidAndVersionPreconditions() {
        Node pod = observe(POD, meta("pod", "pod-uid", ref(REPLICASET, "rs", "rs-uid", true)));
        gc.attemptToDeleteItem(pod);
        assertThat(ops.calls).containsExactly("delete pod uid=pod-uid rv=7 Background");
    }

    @Test
    void anObjectsOwnFinalizersChooseThePropagationPolicy() {
        ObjectMeta orphaning = new ObjectMetaBuilder(meta("rs", "rs-uid", ref(DEPLOYMENT, "d", "d-uid", true)))
                .withFinalizers("orphan").build();
        gc.attemptToDeleteItem(observe(REPLICASET, orphaning));
        ObjectMeta foreground = new ObjectMetaBuilder(meta("rs2", "rs2-uid", ref(DEPLOYMENT, "d", "d-uid", true)))
                .withFinalizers("foregroundDeletion").build();
        gc.attemptToDeleteItem(observe(REPLICASET, foreground));
        assertThat(ops.calls).containsExactly("delete rs uid=rs-uid rv=7 Orphan",
                "delete rs2 uid=rs2-uid rv=7 Foreground");
    }

    @Test
    void oneLiveOwnerKeepsTheObjectAndItsDanglingReferenceIsRemoved() {
        observe(REPLICASET, meta("live", "live-uid"));
        Node pod = observe(POD, meta("pod", "pod-uid", ref(REPLICASET, "gone", "gone-uid", true),
                ref(REPLICASET, "live", "live-uid", false)));
        gc.attemptToDeleteItem(pod);
        assertThat(ops.calls).containsExactly("removeOwnerReferences pod [gone-uid]");
    }

    @Test
    void onlySolidOwnersMeansNothingToDo() {
        observe(REPLICASET, meta("rs", "rs-uid"));
        Node pod = observe(POD, meta("pod", "pod-uid", ref(REPLICASET, "rs", "rs-uid", true)));
        gc.attemptToDeleteItem(pod);
        assertThat(ops.calls).isEmpty();
    }

    @Test
    void aSolidOwnerAndOneWaitingForDependentsDropsTheWaitingReference() {
        observe(REPLICASET, meta("live", "live-uid"));
        observe(REPLICASET, deleting(meta("fg", "fg-uid"), "foregroundDeletion"));
        Node pod = observe(POD, meta("pod", "pod-uid", ref(REPLICASET, "fg", "fg-uid", true),
                ref(REPLICASET, "live", "live-uid", false)));
        gc.attemptToDeleteItem(pod);
        assertThat(ops.calls).containsExactly("removeOwnerReferences pod [fg-uid]");
    }

    @Test
    void aDependentWithDependentsOfAForegroundOwnerIsDeletedInTheForeground() {
        observe(DEPLOYMENT, deleting(meta("d", "d-uid"), "foregroundDeletion"));
        Node rs = observe(REPLICASET, meta("rs", "rs-uid", ref(DEPLOYMENT, "d", "d-uid", true)));
        observe(POD, meta("pod", "pod-uid", ref(REPLICASET, "rs", "rs-uid", true)));
        gc.attemptToDeleteItem(rs);
        assertThat(ops.calls).containsExactly("delete rs uid=rs-uid rv=7 Foreground");
    }

    @Test
    void aLeafDependentOfAForegroundOwnerIsDeletedInTheBackground() {
        observe(REPLICASET, deleting(meta("rs", "rs-uid"), "foregroundDeletion"));
        Node pod = observe(POD, meta("pod", "pod-uid", ref(REPLICASET, "rs", "rs-uid", true)));
        gc.attemptToDeleteItem(pod);
        assertThat(ops.calls).containsExactly("delete pod uid=pod-uid rv=7 Background");
    }

    @Test
    void aPossibleCycleUnblocksTheReferencesBeforeTheForegroundDelete() {
        observe(DEPLOYMENT, deleting(meta("d", "d-uid"), "foregroundDeletion"));
        Node rs = observe(REPLICASET, meta("rs", "rs-uid", ref(DEPLOYMENT, "d", "d-uid", true)));
        observe(POD, deleting(meta("pod", "pod-uid", ref(REPLICASET, "rs", "rs-uid", true)), "foregroundDeletion"));
        gc.attemptToDeleteItem(rs);
        assertThat(ops.calls).containsExactly("unblockOwnerReferences rs", "delete rs uid=rs-uid rv=7 Foreground");
    }

    @Test
    void anItemThatIsGoneBecomesAVirtualDelete() throws Exception {
        Node pod = observe(POD, meta("pod", "pod-uid", ref(REPLICASET, "rs", "rs-uid", true)));
        ops.put(POD, meta("pod", "recreated-uid")); // same name, another object
        drain(attemptToDelete);

        assertThat(gc.attemptToDeleteWorker(pod)).isEqualTo(GarbageCollector.Action.FORGET);
        assertThat(ops.calls).isEmpty(); // the re-created pod is never touched
        assertThat(graph.pending()).isEqualTo(1);
        graph.processNext(java.time.Duration.ZERO);
        assertThat(graph.node("pod-uid")).isNull();
    }

    @Test
    void aBeingDeletedObjectIsLeftToFinish() {
        Node pod = observe(POD, deleting(meta("pod", "pod-uid", ref(REPLICASET, "rs", "rs-uid", true))));
        gc.attemptToDeleteItem(pod);
        assertThat(ops.calls).isEmpty();
        assertThat(ops.gets).isZero();
    }

    @Test
    void aVirtualOwnerThatExistsIsRetriedUntilObserved() throws Exception {
        ops.put(REPLICASET, meta("rs", "rs-uid"));
        observe(POD, meta("pod", "pod-uid", ref(REPLICASET, "rs", "rs-uid", true)));
        Node virtual = graph.node("rs-uid");
        assertThat(virtual.isObserved()).isFalse();
        assertThat(gc.attemptToDeleteWorker(virtual)).isEqualTo(GarbageCollector.Action.REQUEUE);
        graph.process(GraphEvent.add(id(REPLICASET, meta("rs", "rs-uid")), meta("rs", "rs-uid")));
        assertThat(gc.attemptToDeleteWorker(virtual)).isEqualTo(GarbageCollector.Action.FORGET);
        assertThat(ops.calls).isEmpty();
    }

    @Test
    void aVirtualOwnerThatIsAbsentLetsItsDependentsBeCollected() throws Exception {
        Node pod = observe(POD, meta("pod", "pod-uid", ref(REPLICASET, "rs", "rs-uid", true)));
        Node virtual = graph.node("rs-uid");
        assertThat(drain(attemptToDelete)).containsExactly(virtual);

        assertThat(gc.attemptToDeleteWorker(virtual)).isEqualTo(GarbageCollector.Action.FORGET);
        graph.processNext(java.time.Duration.ZERO); // the virtual delete
        assertThat(graph.node("rs-uid")).isNull();
        assertThat(drain(attemptToDelete)).containsExactly(pod);
        assertThat(gc.attemptToDeleteWorker(pod)).isEqualTo(GarbageCollector.Action.FORGET);
        assertThat(ops.calls).containsExactly("delete pod uid=pod-uid rv=7 Background");
    }

    @Test
    void aClusterScopedObjectWithANamespacedOwnerIsReportedAndNotRetried() {
        ObjectMeta node = new ObjectMetaBuilder().withName("n1").withUid("n1-uid")
                .withOwnerReferences(ref(REPLICASET, "rs", "rs-uid", false)).build();
        Node n = observe(NODE, node);
        assertThat(gc.attemptToDeleteWorker(n)).isEqualTo(GarbageCollector.Action.FORGET);
        assertThat(ops.calls).isEmpty();
        assertThat(reports).singleElement().asString()
                .isEqualTo("n1: ownerRef [apps/v1/ReplicaSet, name: rs, uid: rs-uid] refers to a namespaced kind"
                        + " from the cluster-scoped Node n1");
    }

    @Test
    void aDependentReferencingAnOwnerInAnotherNamespaceIsCollected() {
        observe(REPLICASET, meta("rs", "rs-uid"));
        ObjectMeta elsewhere = new ObjectMetaBuilder(meta("pod", "pod-uid", ref(REPLICASET, "rs", "rs-uid", true)))
                .withNamespace("ns2").build();
        Node pod = observe(POD, elsewhere);
        assertThat(gc.attemptToDeleteWorker(pod)).isEqualTo(GarbageCollector.Action.FORGET);
        // owners are looked up in the dependent's namespace, where there is no such ReplicaSet
        assertThat(ops.calls).containsExactly("delete pod uid=pod-uid rv=7 Background");
    }

    // ------------------------------------------------------------------ foreground and orphan owners

    @Test
    void aForegroundOwnerWaitsForBlockingDependentsThenLosesItsFinalizer() throws Exception {
        ObjectMeta rsMeta = meta("rs", "rs-uid");
        observe(REPLICASET, rsMeta);
        ObjectMeta podMeta = meta("pod", "pod-uid", ref(REPLICASET, "rs", "rs-uid", true));
        Node pod = observe(POD, podMeta);
        observe(POD, meta("free", "free-uid", ref(REPLICASET, "rs", "rs-uid", false)));
        ObjectMeta fg = deleting(rsMeta, "foregroundDeletion");
        ops.put(REPLICASET, fg);
        graph.process(GraphEvent.update(id(REPLICASET, fg), rsMeta, fg));
        Node rs = graph.node("rs-uid");
        drain(attemptToDelete);

        gc.attemptToDeleteItem(rs);
        assertThat(ops.calls).isEmpty();
        assertThat(drain(attemptToDelete)).containsExactly(pod);

        graph.process(GraphEvent.delete(id(POD, podMeta), podMeta));
        assertThat(drain(attemptToDelete)).containsExactly(rs);
        gc.attemptToDeleteItem(rs);
        // the non-blocking dependent does not hold the owner back
        assertThat(ops.calls).containsExactly("removeFinalizer rs foregroundDeletion");
    }

    @Test
    void orphaningRemovesTheReferenceFromEveryDependentThenTheFinalizer() throws Exception {
        ObjectMeta rsMeta = meta("rs", "rs-uid");
        observe(REPLICASET, rsMeta);
        observe(POD, meta("p1", "p1-uid", ref(REPLICASET, "rs", "rs-uid", true)));
        observe(POD, meta("p2", "p2-uid", ref(REPLICASET, "rs", "rs-uid", true)));
        ObjectMeta orphan = deleting(rsMeta, "orphan");
        ops.put(REPLICASET, orphan);
        graph.process(GraphEvent.update(id(REPLICASET, orphan), rsMeta, orphan));
        List<Node> queued = drain(attemptToOrphan);
        assertThat(queued).containsExactly(graph.node("rs-uid"));

        assertThat(gc.attemptToOrphanWorker(queued.get(0))).isEqualTo(GarbageCollector.Action.FORGET);
        List<String> calls = new ArrayList<>(ops.calls);
        assertThat(calls).hasSize(3);
        assertThat(calls.subList(0, 2)).containsExactlyInAnyOrder("removeOwnerReferences p1 [rs-uid]",
                "removeOwnerReferences p2 [rs-uid]");
        assertThat(calls.get(2)).isEqualTo("removeFinalizer rs orphan");
    }
}
