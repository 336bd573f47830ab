package io.kube4j.controller.replicaset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.controller.ControllerBuilder;
import io.kube4j.client.controller.Request;
import io.kube4j.client.informer.Indexers;
import io.kube4j.client.informer.SharedIndexInformer;
import io.kube4j.client.util.FakeClock;
import io.kube4j.controller.common.FakePodControl;
import io.kube4j.controller.common.OwnerReferences;
import io.kube4j.controller.common.PodControl;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** The sync with a recording PodControl and hand-filled informer caches (nothing is started). */
class ReplicaSetControllerTest {

    static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    private final FakeClock clock = new FakeClock(NOW);
    private final FakePodControl podControl = new FakePodControl();
    private SharedIndexInformer<ReplicaSet> rsInformer;
    private SharedIndexInformer<Pod> podInformer;
    private ResourceClient<ReplicaSet> rsClient;
    private final List<ReplicaSetStatus> statusWrites = new ArrayList<>();
    private final AtomicInteger podWrites = new AtomicInteger();
    private ReplicaSetController rsc;

    @BeforeEach
    @SuppressWarnings("unchecked")
    void setUp() {
        rsClient = mock(ResourceClient.class);
        ResourceClient<Pod> podClient = mock(ResourceClient.class);
        rsInformer = new SharedIndexInformer<>(rsClient, null, ListOptions.all(), Duration.ZERO, Indexers.all());
        podInformer = new SharedIndexInformer<>(podClient, null, ListOptions.all(), Duration.ZERO, Indexers.all());
        when(rsClient.updateWithRetry(anyString(), anyString(), any(), anyBoolean())).thenAnswer(inv -> {
            ReplicaSet cur = rsInformer.lister().get(inv.getArgument(0), inv.getArgument(1));
            ReplicaSet copy = new ReplicaSetBuilder(cur).build();
            ReplicaSet out = ((UnaryOperator<ReplicaSet>) inv.getArgument(2)).apply(copy);
            statusWrites.add(out.getStatus());
            rsInformer.getIndexer().update(out);
            return Mono.just(out);
        });
        when(rsClient.get(anyString(), anyString())).thenAnswer(
                inv -> Mono.justOrEmpty(rsInformer.lister().get(inv.getArgument(0), inv.getArgument(1))));
        rsc = newController(500);
    }

    private ReplicaSetController newController(int burst) {
        ReplicaSetController c = new ReplicaSetController(rsInformer, podInformer, rsClient,
                mockPods(), podControl, clock, burst);
        c.register(ControllerBuilder.controller("replicaset-test").clock(clock));
        return c;
    }

    @SuppressWarnings("unchecked")
    private ResourceClient<Pod> mockPods() {
        ResourceClient<Pod> podClient = mock(ResourceClient.class);
        when(podClient.updateWithRetry(anyString(), anyString(), any(), anyBoolean())).thenAnswer(inv -> {
            podWrites.incrementAndGet();
            Pod cur = podInformer.lister().get(inv.getArgument(0), inv.getArgument(1));
            Pod out = ((UnaryOperator<Pod>) inv.getArgument(2)).apply(new PodBuilder(cur).build());
            if (out != null) {
                podInformer.getIndexer().update(out);
            }
            return Mono.justOrEmpty(out == null ? cur : out);
        });
        return podClient;
    }

    static ReplicaSet rs(String name, int replicas) {
        return new ReplicaSetBuilder().withNewMetadata().withName(name).withNamespace("ns").withUid("uid-" + name)
                .withGeneration(1L).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().withMatchLabels(Map.of("app", name))
                .endSelector().withNewTemplate().withNewMetadata().withLabels(Map.of("app", name, "tier", "x"))
                .endMetadata().withNewSpec().addNewContainer().withName("c").withImage("i").endContainer().endSpec()
                .endTemplate().endSpec().build();
    }

    private ReplicaSet add(ReplicaSet rs) {
        rsInformer.getIndexer().add(rs);
        return rs;
    }

    /** A pod the ReplicaSet owns, with the template's labels. */
    static Pod ownedPod(ReplicaSet rs, String name, UnaryOperator<PodBuilder> tweak) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace("ns").withUid("uid-" + name)
                .withResourceVersion("1").withCreationTimestamp(NOW.minusSeconds(3600).toString())
                .withLabels(rs.getSpec().getTemplate().getMetadata().getLabels())
                .withOwnerReferences(OwnerReferences.controllerRef(rs, "apps/v1", "ReplicaSet")).endMetadata()
                .withNewSpec().withNodeName("n1").endSpec().withNewStatus().withPhase("Running").endStatus();
        return tweak.apply(b).build();
    }

    static PodBuilder readyFor(PodBuilder b, Duration d) {
        return b.editStatus().withConditions(new PodConditionBuilder().withType("Ready").withStatus("True")
                .withLastTransitionTime(NOW.minus(d).toString()).build()).endStatus();
    }

    private void sync(ReplicaSet rs) {
        rsc.reconcile(new Request("ns", rs.getMetadata().getName()));
    }

    /** What the informer would deliver for the pods the fake created. */
    private void observeCreates() {
        for (Pod p : new ArrayList<>(podControl.created)) {
            if (podInformer.lister().get("ns", p.getMetadata().getName()) == null) {
                p.getMetadata().setResourceVersion("1");
                podInformer.getIndexer().add(p);
                rsc.addPod(p);
            }
        }
    }

    @Test
    void createsTheShortfallOnceUntilTheCreatesAreObserved() {
        ReplicaSet rs = add(rs("web", 5));
        sync(rs);
        assertThat(podControl.created).hasSize(5);
        assertThat(podControl.created).allSatisfy(p -> {
            assertThat(p.getMetadata().getGenerateName()).isEqualTo("web-");
            assertThat(p.getMetadata().getLabels()).containsEntry("app", "web").containsEntry("tier", "x");
            assertThat(OwnerReferences.isControlledBy(p, "uid-web")).isTrue();
        });
        // the informer has not seen them yet: another sync must not create again
        sync(rs);
        sync(rs);
        assertThat(podControl.created).hasSize(5);
        assertThat(rsc.expectations().satisfied("ns/web")).isFalse();

        observeCreates();
        assertThat(rsc.expectations().satisfied("ns/web")).isTrue();
        sync(rs);
        assertThat(podControl.created).hasSize(5);
        ReplicaSet cur = rsInformer.lister().get("ns", "web");
        assertThat(cur.getStatus().getReplicas()).isEqualTo(5);
        assertThat(cur.getStatus().getFullyLabeledReplicas()).isEqualTo(5);
        assertThat(cur.getStatus().getObservedGeneration()).isEqualTo(1L);
    }

    @Test
    void aFailedCreateStopsTheSlowStartAndSetsReplicaFailure() {
        podControl.failCreate(n -> n == 4);
        ReplicaSet rs = add(rs("web", 10));
        assertThatThrownBy(() -> sync(rs)).hasMessageContaining("injected create failure #4");
        assertThat(podControl.createCalls()).isEqualTo(7); // batches 1, 2, 4
        assertThat(podControl.created).hasSize(6);
        // only the 6 created pods are still expected
        assertThat(rsc.expectations().get("ns/web").add()).isEqualTo(6);
        ReplicaSetStatus status = rsInformer.lister().get("ns", "web").getStatus();
        assertThat(status.getConditions()).singleElement().satisfies(c -> {
            assertThat(c.getType()).isEqualTo("ReplicaFailure");
            assertThat(c.getReason()).isEqualTo("FailedCreate");
            assertThat(c.getMessage()).contains("injected create failure #4");
        });

        observeCreates();
        podControl.failCreate(n -> false);
        sync(rs);
        assertThat(podControl.created).hasSize(10);
        observeCreates();
        sync(rs);
        assertThat(rsInformer.lister().get("ns", "web").getStatus().getConditions()).isEmpty();
    }

    @Test
    void createsAtMostBurstReplicasPerSync() {
        rsc = newController(3);
        ReplicaSet rs = add(rs("web", 10));
        sync(rs);
        assertThat(podControl.created).hasSize(3);
        observeCreates();
        sync(rs);
        assertThat(podControl.created).hasSize(6);
    }

    @Test
    void deletesTheLeastValuablePodsFirst() {
        ReplicaSet rs = add(rs("web", 2));
        podInformer.getIndexer().add(ownedPod(rs, "ready-old", b -> readyFor(b, Duration.ofMinutes(50))));
        podInformer.getIndexer().add(ownedPod(rs, "ready-new", b -> readyFor(b, Duration.ofMinutes(40))
                .editMetadata().withCreationTimestamp(NOW.minusSeconds(2400).toString()).endMetadata()));
        podInformer.getIndexer().add(ownedPod(rs, "pending", b -> b.editStatus().withPhase("Pending").endStatus()));
        podInformer.getIndexer().add(ownedPod(rs, "unassigned", b -> b.editSpec().withNodeName(null).endSpec()
                .editStatus().withPhase("Pending").endStatus()));
        podInformer.getIndexer().add(ownedPod(rs, "not-ready", b -> b));
        sync(rs);
        assertThat(podControl.deleted).containsExactlyInAnyOrder("ns/unassigned", "ns/pending", "ns/not-ready");
        assertThat(rsc.expectations().deletingKeys("ns/web"))
                .containsExactlyInAnyOrder("ns/unassigned", "ns/pending", "ns/not-ready");
        sync(rs); // the deletes are not observed yet: nothing more
        assertThat(podControl.deleteCalls()).isEqualTo(3);
        for (String name : List.of("unassigned", "pending", "not-ready")) {
            Pod p = podInformer.lister().get("ns", name);
            podInformer.getIndexer().delete(p);
            rsc.deletePod(p);
        }
        assertThat(rsc.expectations().satisfied("ns/web")).isTrue();
        sync(rs);
        assertThat(podControl.deleteCalls()).isEqualTo(3);
        assertThat(rsInformer.lister().get("ns", "web").getStatus().getReplicas()).isEqualTo(2);
    }

    @Test
    void aFailedDeleteIsNotExpectedAndSetsReplicaFailure() {
        podControl.failDelete(n -> true);
        ReplicaSet rs = add(rs("web", 0));
        podInformer.getIndexer().add(ownedPod(rs, "a", b -> b));
        assertThatThrownBy(() -> sync(rs)).hasMessageContaining("injected delete failure");
        assertThat(rsc.expectations().satisfied("ns/web")).isTrue();
        assertThat(rsInformer.lister().get("ns", "web").getStatus().getConditions()).singleElement()
                .satisfies(c -> assertThat(c.getReason()).isEqualTo("FailedDelete"));
    }

    @Test
    void adoptsMatchingOrphansAndReleasesPodsThatStopMatching() {
        ReplicaSet rs = add(rs("web", 2));
        podInformer.getIndexer().add(new PodBuilder().withNewMetadata().withName("orphan").withNamespace("ns")
                .withUid("uid-orphan").withResourceVersion("1").withLabels(Map.of("app", "web")).endMetadata()
                .withNewSpec().endSpec().build());
        podInformer.getIndexer().add(ownedPod(rs, "relabelled", b -> b.editMetadata()
                .withLabels(Map.of("app", "other")).endMetadata()));
        podInformer.getIndexer().add(ownedPod(rs, "kept", b -> b));
        sync(rs);
        assertThat(OwnerReferences.isControlledBy(podInformer.lister().get("ns", "orphan"), "uid-web")).isTrue();
        assertThat(OwnerReferences.controllerOf(podInformer.lister().get("ns", "relabelled"))).isNull();
        assertThat(podControl.created).isEmpty();
        assertThat(podWrites.get()).isEqualTo(2); // one adoption, one release; "kept" is not written
        ReplicaSetStatus s = rsInformer.lister().get("ns", "web").getStatus();
        assertThat(s.getReplicas()).isEqualTo(2);
        assertThat(s.getFullyLabeledReplicas()).isEqualTo(1); // the orphan lacks tier=x
    }

    @Test
    void statusCountsReadyAndAvailableWithMinReadySeconds() {
        ReplicaSet rs = rs("web", 3);
        rs.getSpec().setMinReadySeconds(60);
        List<Pod> pods = List.of(
                ownedPod(rs, "long-ready", b -> readyFor(b, Duration.ofMinutes(5))),
                ownedPod(rs, "just-ready", b -> readyFor(b, Duration.ofSeconds(10))),
                ownedPod(rs, "not-ready", b -> b.editMetadata().withLabels(Map.of("app", "web")).endMetadata()));
        ReplicaSetStatus s = ReplicaSetController.calculateStatus(rs, pods, null, NOW);
        assertThat(s.getReplicas()).isEqualTo(3);
        assertThat(s.getFullyLabeledReplicas()).isEqualTo(2);
        assertThat(s.getReadyReplicas()).isEqualTo(2);
        assertThat(s.getAvailableReplicas()).isEqualTo(1);
        assertThat(ReplicaSetController.calculateStatus(rs, pods, null, NOW.plusSeconds(51)).getAvailableReplicas())
                .isEqualTo(2);
    }

    @Test
    void statusIsWrittenOnlyWhenItChanges() {
        ReplicaSet rs = add(rs("web", 1));
        podInformer.getIndexer().add(ownedPod(rs, "a", b -> b));
        sync(rs);
        sync(rs);
        sync(rs);
        assertThat(statusWrites).hasSize(1);
        ReplicaSet bumped = new ReplicaSetBuilder(rsInformer.lister().get("ns", "web")).editMetadata()
                .withGeneration(2L).endMetadata().build();
        rsInformer.getIndexer().update(bumped);
        sync(bumped);
        assertThat(statusWrites).hasSize(2);
        assertThat(statusWrites.get(1).getObservedGeneration()).isEqualTo(2L);
    }

    @Test
    void podEventsLowerTheOwnersExpectationsAndOrphansWakeMatchingReplicaSets() {
        ReplicaSet rs = add(rs("web", 1));
        rsc.expectations().expectCreations("ns/web", 1);
        rsc.addPod(ownedPod(rs, "a", b -> b));
        assertThat(rsc.expectations().satisfied("ns/web")).isTrue();
        // a pod owned by an unknown ReplicaSet (wrong uid) lowers nothing
        rsc.expectations().expectCreations("ns/web", 1);
        Pod stranger = ownedPod(rs, "b", b -> b.editMetadata().editFirstOwnerReference().withUid("other")
                .endOwnerReference().endMetadata());
        rsc.addPod(stranger);
        assertThat(rsc.expectations().satisfied("ns/web")).isFalse();
        assertThat(PodControl.SUCCESSFUL_CREATE).isEqualTo("SuccessfulCreate");
    }
}
