package io.kube4j.scheduler.leaderelection;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.client.leaderelection.LeaderElectionConfig;
import io.kube4j.client.util.Clock;
import io.kube4j.scheduler.Scheduler;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.metrics.SchedulerMetrics;
import io.kube4j.scheduler.plugins.DefaultPlugins;
import io.kube4j.scheduler.plugins.defaultbinder.DefaultBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two scheduler replicas against the real apiserver, electing on a Lease: only the leader schedules; when it dies
 * without releasing the lease the standby takes over once the lease has expired (not before), and every pod created
 * before, during and after the failover is bound exactly once.
 */
class LeaderElectedSchedulerIT {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 6);
    private static final String NS = "sched-ha-" + RUN;
    private static final String SCHEDULER_NAME = "ha-it-" + RUN;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration LEASE = Duration.ofSeconds(4);
    private static final Duration RENEW = Duration.ofSeconds(3);
    private static final Duration RETRY = Duration.ofSeconds(1);

    private static KubeClient client;
    private static final List<String> nodes = new ArrayList<>();
    private static final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void setUp() {
        Requirements.requireBinary("etcd");
        client = KubeClient.create(ClientConfig.of(ApiServerInstance.shared().url()));
        client.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata()
                .build()).block(WAIT);
        for (String n : List.of("ha-a-" + RUN, "ha-b-" + RUN)) {
            Node node = node(n, "64", "256Gi").build();
            Node created = client.resources(Node.class).create(node).block(WAIT);
            created.setStatus(node.getStatus());
            client.resources(Node.class).updateStatus(created).block(WAIT);
            nodes.add(n);
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        if (client != null) {
            for (String n : nodes) {
                client.resources(Node.class).delete(null, n, DeleteOptions.defaults()).onErrorComplete().block(WAIT);
            }
            client.resources(Namespace.class).delete(null, NS, DeleteOptions.defaults()).onErrorComplete()
                    .block(WAIT);
            client.close();
        }
    }

    /** One replica: its own client, informers, scheduler, metrics and elector. */
    private record Replica(String identity, LeaderElectedScheduler elected, SimpleMeterRegistry registry) {
        double count(String result) {
            var c = registry.find("scheduler.schedule.attempts").tag("result", result).counter();
            return c == null ? 0 : c.count();
        }
    }

    private static Replica replica(String identity, boolean releaseOnStop) {
        KubeClient c = KubeClient.create(ClientConfig.of(ApiServerInstance.shared().url()));
        Parallelizer parallelizer = new Parallelizer(1);
        EventRecorder events = new EventRecorder(c.resources(Event.class), SCHEDULER_NAME, identity);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Framework fw = new Framework(DefaultPlugins.profile(SCHEDULER_NAME, new DefaultBinder(c,
                Duration.ofSeconds(10)), 0), parallelizer, new Random());
        Scheduler scheduler = new Scheduler(c, SharedInformerFactory.forClient(c, Duration.ZERO), List.of(fw), events,
                Clock.system(), new Scheduler.Settings(Duration.ofMillis(200), Duration.ofSeconds(2),
                        Duration.ofSeconds(30), Duration.ofSeconds(30), 2), new SchedulerMetrics(registry));
        LeaderElectedScheduler elected = new LeaderElectedScheduler(scheduler, c.resources(Lease.class),
                new LeaderElectionConfig(NS, "scheduler-" + RUN, identity, LEASE, RENEW, RETRY, releaseOnStop),
                Clock.system());
        closeables.add(c);
        closeables.add(parallelizer);
        closeables.add(events);
        closeables.add(elected);
        elected.start(WAIT);
        return new Replica(identity, elected, registry);
    }

    private static void createPods(String prefix, int n) {
        for (int i = 0; i < n; i++) {
            Pod p = pod(prefix + "-" + i, "cpu", "100m").editMetadata().withNamespace(NS).withUid(null).endMetadata()
                    .editSpec().withSchedulerName(SCHEDULER_NAME).endSpec().build();
            client.resources(Pod.class).create(p).block(WAIT);
        }
    }

    private static List<Pod> pods() {
        return client.resources(Pod.class).list(NS, ListOptions.all()).block(WAIT).getItems();
    }

    private static Lease lease() {
        return client.resources(Lease.class).get(NS, "scheduler-" + RUN).block(WAIT);
    }

    @Test
    void theStandbyTakesOverAfterTheLeaseExpiresAndNoPodIsLostOrBoundTwice() {
        Replica a = replica("a_" + RUN, false);
        await().atMost(WAIT).until(() -> a.elected().isLeader());
        Replica b = replica("b_" + RUN, false);
        // b's informers are synced, but it only watches
        await().atMost(WAIT).until(() -> ("a_" + RUN).equals(b.elected().observedLeader()));
        assertThat(b.elected().isLeader()).isFalse();
        assertThat(b.elected().scheduler().isScheduling()).isFalse();

        createPods("before", 10);
        await().atMost(WAIT).untilAsserted(() -> assertThat(pods()).allSatisfy(p ->
                assertThat(p.getSpec().getNodeName()).isIn(nodes)).hasSize(10));
        // counted right after the binding returns, so possibly a moment after the pod shows its node
        await().atMost(WAIT).untilAsserted(() -> assertThat(a.count(SchedulerMetrics.SCHEDULED)).isEqualTo(10));
        assertThat(b.count(SchedulerMetrics.SCHEDULED)).isZero();

        // The leader dies without releasing the lease: the standby must wait for it to expire.
        a.elected().close();
        Instant lastRenew = lease().getSpec().getRenewTime().toInstant();
        createPods("during", 10);
        await().atMost(WAIT).until(() -> b.elected().isLeader());
        Lease taken = lease();
        assertThat(taken.getSpec().getHolderIdentity()).isEqualTo("b_" + RUN);
        assertThat(taken.getSpec().getLeaseTransitions()).isEqualTo(1);
        Duration takeover = Duration.between(lastRenew, taken.getSpec().getAcquireTime().toInstant());
        // not before the lease expired; within the lease duration plus a (jittered) retry and a little load slack
        assertThat(takeover).isBetween(LEASE, LEASE.plus(RETRY.multipliedBy(2)).plusSeconds(2));

        createPods("after", 10);
        await().atMost(WAIT).untilAsserted(() -> assertThat(pods()).hasSize(30).allSatisfy(p ->
                assertThat(p.getSpec().getNodeName()).as(p.getMetadata().getName()).isIn(nodes)));
        // each pod bound once: by a before the failover, by b after it, never tried twice
        await().atMost(WAIT).untilAsserted(() -> assertThat(b.count(SchedulerMetrics.SCHEDULED)).isEqualTo(20));
        assertThat(a.count(SchedulerMetrics.SCHEDULED) + b.count(SchedulerMetrics.SCHEDULED)).isEqualTo(30);
        assertThat(a.count(SchedulerMetrics.ERROR) + b.count(SchedulerMetrics.ERROR)).isZero();
        await().atMost(WAIT).untilAsserted(() -> {
            List<Event> scheduled = client.resources(Event.class).list(NS, ListOptions.all()).block(WAIT).getItems()
                    .stream().filter(e -> "Scheduled".equals(e.getReason())).toList();
            assertThat(scheduled).hasSize(30);
            assertThat(scheduled).allSatisfy(e -> assertThat(e.getCount() == null ? 1 : e.getCount()).isEqualTo(1));
            assertThat(scheduled.stream().map(e -> e.getInvolvedObject().getName()).distinct()).hasSize(30);
        });
    }

    @Test
    void aReplicaThatStopsGracefullyHandsOverAtOnce() {
        String lease = "handover-" + RUN;
        KubeClient c = KubeClient.create(ClientConfig.of(ApiServerInstance.shared().url()));
        closeables.add(c);
        LeaderElectionConfig cfg = new LeaderElectionConfig(NS, lease, "x", Duration.ofSeconds(15),
                Duration.ofSeconds(10), RETRY, true);
        Replica first = handoverReplica(c, cfg, "first_" + RUN);
        await().atMost(WAIT).until(() -> first.elected().isLeader());
        Replica second = handoverReplica(c, cfg, "second_" + RUN);
        await().atMost(WAIT).until(() -> ("first_" + RUN).equals(second.elected().observedLeader()));
        Instant stopped = Instant.now();
        first.elected().close();
        await().atMost(WAIT).until(() -> second.elected().isLeader());
        // released: no need to wait the 15 s lease out
        assertThat(Duration.between(stopped, Instant.now())).isLessThan(Duration.ofSeconds(10));
        // onStartedLeading runs on a thread of its own: scheduling starts right after
        await().atMost(WAIT).until(() -> second.elected().scheduler().isScheduling());
    }

    @Test
    void aLeaderThatLosesTheLeaseStopsSchedulingAndResumesWhenElectedAgain() {
        String leaseName = "stolen-" + RUN;
        KubeClient c = KubeClient.create(ClientConfig.of(ApiServerInstance.shared().url()));
        closeables.add(c);
        String name = "steal-" + RUN;
        Replica r = handoverReplica(c, new LeaderElectionConfig(NS, leaseName, "x", LEASE, RENEW, RETRY, false),
                name, name);
        await().atMost(WAIT).until(() -> r.elected().isLeader() && r.elected().scheduler().isScheduling());

        // Someone else takes the lease (as if this replica had been paused past its expiry), for 8 s.
        client.resources(Lease.class).updateWithRetry(NS, leaseName, l -> {
            l.getSpec().setHolderIdentity("intruder");
            l.getSpec().setLeaseDurationSeconds(8);
            l.getSpec().setRenewTime(io.kube4j.client.leaderelection.MicroTime.of(Instant.now()));
            l.getSpec().setLeaseTransitions(l.getSpec().getLeaseTransitions() + 1);
            return l;
        }, false).block(WAIT);
        await().atMost(WAIT).until(() -> !r.elected().scheduler().isScheduling());
        assertThat(r.elected().isLeader()).isFalse();

        Pod p = pod("while-stolen", "cpu", "100m").editMetadata().withNamespace(NS).withUid(null).endMetadata()
                .editSpec().withSchedulerName(name).endSpec().build();
        client.resources(Pod.class).create(p).block(WAIT);
        // nobody schedules while the intruder holds the lease ...
        assertThat(client.resources(Pod.class).get(NS, "while-stolen").block(WAIT).getSpec().getNodeName())
                .isNullOrEmpty();
        assertThat(lease().getSpec().getHolderIdentity()).isNotEqualTo(name);
        // ... and once it expires the replica, still a candidate, wins again and schedules the pod.
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.resources(Pod.class).get(NS, "while-stolen")
                .block(WAIT).getSpec().getNodeName()).isIn(nodes));
        Lease l = client.resources(Lease.class).get(NS, leaseName).block(WAIT);
        assertThat(l.getSpec().getHolderIdentity()).isEqualTo(name);
        assertThat(l.getSpec().getLeaseTransitions()).isEqualTo(2);
    }

    private static Replica handoverReplica(KubeClient c, LeaderElectionConfig base, String identity) {
        return handoverReplica(c, base, identity, "handover-" + RUN);
    }

    private static Replica handoverReplica(KubeClient c, LeaderElectionConfig base, String identity,
            String schedulerName) {
        Parallelizer parallelizer = new Parallelizer(1);
        EventRecorder events = new EventRecorder(c.resources(Event.class), "handover", identity);
        Framework fw = new Framework(DefaultPlugins.profile(schedulerName, new DefaultBinder(c,
                Duration.ofSeconds(10)), 0), parallelizer, new Random());
        Scheduler scheduler = new Scheduler(c, SharedInformerFactory.forClient(c, Duration.ZERO), List.of(fw), events,
                Clock.system(), new Scheduler.Settings(Duration.ofMillis(200), Duration.ofSeconds(2),
                        Duration.ofSeconds(30), Duration.ofSeconds(30), 1));
        LeaderElectedScheduler elected = new LeaderElectedScheduler(scheduler, c.resources(Lease.class),
                new LeaderElectionConfig(base.leaseNamespace(), base.leaseName(), identity, base.leaseDuration(),
                        base.renewDeadline(), base.retryPeriod(), base.releaseOnStop()), Clock.system());
        closeables.add(parallelizer);
        closeables.add(events);
        closeables.add(elected);
        elected.start(WAIT);
        return new Replica(identity, elected, null);
    }
}
