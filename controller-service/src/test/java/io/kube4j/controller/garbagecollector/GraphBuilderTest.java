package io.kube4j.controller.garbagecollector;

import static io.kube4j.controller.garbagecollector.GcFixtures.DEPLOYMENT;
import static io.kube4j.controller.garbagecollector.GcFixtures.POD;
import static io.kube4j.controller.garbagecollector.GcFixtures.REPLICASET;
import static io.kube4j.controller.garbagecollector.GcFixtures.deleting;
import static io.kube4j.controller.garbagecollector.GcFixtures.drain;
import static io.kube4j.controller.garbagecollector.GcFixtures.id;
import static io.kube4j.controller.garbagecollector.GcFixtures.meta;
import static io.kube4j.controller.garbagecollector.GcFixtures.ref;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.client.workqueue.DefaultRateLimitingQueue;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GraphBuilderTest {

    private DefaultRateLimitingQueue<Node> attemptToDelete;
    private DefaultRateLimitingQueue<Node> attemptToOrphan;
    private GraphBuilder graph;
    private final java.util.List<String> reports = new java.util.ArrayList<>();

    private final ObjectMeta rs = meta("rs", "rs-uid");
    private final OwnerReference toRs = ref(REPLICASET, "rs", "rs-uid", true);
    private final ObjectMeta pod = meta("pod", "pod-uid", toRs);

    @BeforeEach
    void setUp() {
        attemptToDelete = GcFixtures.queue("d");
        attemptToOrphan = GcFixtures.queue("o");
        graph = new GraphBuilder(attemptToDelete, attemptToOrphan, new AbsentOwnerCache(10),
                (dependent, message) -> reports.add(dependent.name() + ": " + message));
    }

    private void add(ResourceType t, ObjectMeta m) {
        graph.process(GraphEvent.add(id(t, m), m));
    }

    private void update(ResourceType t, ObjectMeta old, ObjectMeta m) {
        graph.process(GraphEvent.update(id(t, m), old, m));
    }

    private void delete(ResourceType t, ObjectMeta m) {
        graph.process(GraphEvent.delete(id(t, m), m));
    }

    @Test
    void aDependentSeenBeforeItsOwnerMakesAVirtualOwnerThatBecomesRealWhenObserved() throws Exception {
        add(POD, pod);

        Node owner = graph.node("rs-uid");
        assertThat(owner).isNotNull();
        assertThat(owner.isObserved()).isFalse();
        assertThat(owner.identity()).isEqualTo(new ObjectReference("apps/v1", "ReplicaSet", "rs", "rs-uid", "ns1"));
        assertThat(owner.dependents()).containsExactly(graph.node("pod-uid"));
        // the collector must verify the virtual owner with the apiserver
        assertThat(drain(attemptToDelete)).containsExactly(owner);

        add(REPLICASET, rs);
        assertThat(graph.node("rs-uid")).isSameAs(owner);
        assertThat(owner.isObserved()).isTrue();
        assertThat(owner.dependents()).containsExactly(graph.node("pod-uid"));
        assertThat(drain(attemptToDelete)).isEmpty();
    }

    @Test
    void aVirtualOwnerObservedWithOtherCoordinatesSendsItsDependentsToVerification() throws Exception {
        add(POD, pod);
        drain(attemptToDelete);
        ObjectMeta renamed = meta("other-name", "rs-uid");
        add(REPLICASET, renamed);

        Node owner = graph.node("rs-uid");
        assertThat(owner.identity().name()).isEqualTo("other-name");
        assertThat(drain(attemptToDelete)).containsExactly(graph.node("pod-uid"));
    }

    @Test
    void anOwnerSeenFirstGainsItsDependentWithoutAnyVerification() throws Exception {
        add(REPLICASET, rs);
        add(POD, pod);

        assertThat(graph.node("rs-uid").dependents()).containsExactly(graph.node("pod-uid"));
        assertThat(graph.node("pod-uid").owners()).containsExactly(toRs);
        assertThat(drain(attemptToDelete)).isEmpty();
    }

    @Test
    void changingOwnerReferencesMovesTheDependentBetweenOwners() throws Exception {
        ObjectMeta other = meta("rs2", "rs2-uid");
        add(REPLICASET, rs);
        add(REPLICASET, other);
        add(POD, pod);
        ObjectMeta moved = meta("pod", "pod-uid", ref(REPLICASET, "rs2", "rs2-uid", false));
        update(POD, pod, moved);

        assertThat(graph.node("rs-uid").dependents()).isEmpty();
        assertThat(graph.node("rs2-uid").dependents()).containsExactly(graph.node("pod-uid"));
        // the removed reference was blocking: its owner may be waiting in a foreground deletion
        assertThat(drain(attemptToDelete)).containsExactly(graph.node("rs-uid"));
    }

    @Test
    void unblockingAReferenceRequeuesTheOwner() throws Exception {
        add(REPLICASET, rs);
        add(POD, pod);
        ObjectMeta unblocked = meta("pod", "pod-uid", ref(REPLICASET, "rs", "rs-uid", false));
        update(POD, pod, unblocked);

        assertThat(graph.node("rs-uid").dependents()).containsExactly(graph.node("pod-uid"));
        assertThat(graph.node("rs-uid").blockingDependents()).isEmpty();
        assertThat(drain(attemptToDelete)).containsExactly(graph.node("rs-uid"));
    }

    @Test
    void deletingAnOwnerQueuesItsDependentsAndRemembersItAbsent() throws Exception {
        add(REPLICASET, rs);
        add(POD, pod);
        Node podNode = graph.node("pod-uid");
        delete(REPLICASET, rs);

        assertThat(graph.node("rs-uid")).isNull();
        assertThat(drain(attemptToDelete)).containsExactly(podNode);
        assertThat(graph.absentOwnerCache().has(id(REPLICASET, rs))).isTrue();
    }

    @Test
    void deletingADependentDetachesItAndWakesAnOwnerDeletingDependents() throws Exception {
        add(REPLICASET, rs);
        add(POD, pod);
        ObjectMeta foreground = deleting(rs, "foregroundDeletion");
        update(REPLICASET, rs, foreground);
        drain(attemptToDelete);

        delete(POD, pod);
        assertThat(graph.node("pod-uid")).isNull();
        assertThat(graph.node("rs-uid").dependents()).isEmpty();
        assertThat(drain(attemptToDelete)).containsExactly(graph.node("rs-uid"));
    }

    @Test
    void foregroundDeletionMarksTheOwnerAndQueuesItAndItsDependents() throws Exception {
        add(REPLICASET, rs);
        add(POD, pod);
        update(REPLICASET, rs, deleting(rs, "foregroundDeletion"));

        Node owner = graph.node("rs-uid");
        assertThat(owner.isDeletingDependents()).isTrue();
        assertThat(owner.isBeingDeleted()).isTrue();
        assertThat(drain(attemptToDelete)).containsExactlyInAnyOrder(owner, graph.node("pod-uid"));
        assertThat(drain(attemptToOrphan)).isEmpty();

        // the same state delivered again (a resync) is no new transition
        update(REPLICASET, deleting(rs, "foregroundDeletion"), deleting(rs, "foregroundDeletion"));
        assertThat(drain(attemptToDelete)).isEmpty();
    }

    @Test
    void anObjectFirstSeenWhileDeletingDependentsIsProcessedAtOnce() throws Exception {
        add(DEPLOYMENT, deleting(meta("d", "d-uid"), "foregroundDeletion"));
        Node n = graph.node("d-uid");
        assertThat(n.isDeletingDependents()).isTrue();
        assertThat(drain(attemptToDelete)).containsExactly(n);
    }

    @Test
    void orphanDeletionQueuesTheOwnerForOrphaning() throws Exception {
        add(REPLICASET, rs);
        add(POD, pod);
        update(REPLICASET, rs, deleting(rs, "orphan"));

        assertThat(drain(attemptToOrphan)).containsExactly(graph.node("rs-uid"));
        assertThat(graph.node("rs-uid").isDeletingDependents()).isFalse();
        assertThat(graph.node("rs-uid").isBeingDeleted()).isTrue();
    }

    @Test
    void aVirtualDeleteRemovesTheVirtualOwnerAndQueuesItsDependents() throws Exception {
        add(POD, pod);
        Node owner = graph.node("rs-uid");
        drain(attemptToDelete);

        graph.process(GraphEvent.virtualDelete(owner.identity()));
        assertThat(graph.node("rs-uid")).isNull();
        assertThat(drain(attemptToDelete)).containsExactly(graph.node("pod-uid"));
        assertThat(graph.absentOwnerCache().has(owner.identity())).isTrue();
    }

    @Test
    void aVirtualDeleteByOtherCoordinatesNeverRemovesAnObservedNode() throws Exception {
        add(REPLICASET, rs);
        add(POD, pod);
        ObjectReference wrong = new ObjectReference("apps/v1", "ReplicaSet", "not-rs", "rs-uid", "ns1");

        graph.process(GraphEvent.virtualDelete(wrong));
        assertThat(graph.node("rs-uid")).isNotNull();
        assertThat(drain(attemptToDelete)).isEmpty(); // the pod refers to it by its real name
    }

    @Test
    void deletionTimestampWithoutFinalizersOnlyMarksBeingDeleted() throws Exception {
        add(REPLICASET, rs);
        update(REPLICASET, rs, deleting(rs));
        assertThat(graph.node("rs-uid").isBeingDeleted()).isTrue();
        assertThat(graph.node("rs-uid").isDeletingDependents()).isFalse();
        assertThat(drain(attemptToDelete)).isEmpty();
        assertThat(drain(attemptToOrphan)).isEmpty();
    }

    @Test
    void aReferenceToAnObjectOfAnotherNamespaceIsReportedAndItsDependentVerified() throws Exception {
        add(REPLICASET, rs);
        ObjectMeta elsewhere = new io.fabric8.kubernetes.api.model.ObjectMetaBuilder(pod).withNamespace("ns2").build();
        add(POD, elsewhere);

        assertThat(reports).singleElement().asString().startsWith("pod: ownerRef [apps/v1/ReplicaSet, namespace: ns2")
                .endsWith("does not exist in namespace \"ns2\"");
        assertThat(drain(attemptToDelete)).containsExactly(graph.node("pod-uid"));
    }

    @Test
    void referenceDiffFindsAddedRemovedAndChanged() {
        OwnerReference a = ref(REPLICASET, "a", "a", true);
        OwnerReference b = ref(REPLICASET, "b", "b", true);
        OwnerReference bUnblocked = ref(REPLICASET, "b", "b", false);
        OwnerReference c = ref(REPLICASET, "c", "c", true);
        var diff = GraphBuilder.ReferenceDiff.of(java.util.List.of(a, b), java.util.List.of(bUnblocked, c));
        assertThat(diff.added()).containsExactly(c);
        assertThat(diff.removed()).containsExactly(a);
        assertThat(diff.changed()).containsExactly(new GraphBuilder.ReferenceDiff.Change(b, bUnblocked));
        assertThat(GraphBuilder.ReferenceDiff.of(java.util.List.of(a), java.util.List.of(a)).isEmpty()).isTrue();
    }
}
