package io.kube4j.client.leaderelection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.util.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Three candidates on a real apiserver with short timings and the real clock. */
class LeaderElectionIT {

    private static final Duration T = Duration.ofSeconds(30);
    private static final Duration LEASE = Duration.ofSeconds(3);
    private static final Duration RENEW = Duration.ofSeconds(2);
    private static final Duration RETRY = Duration.ofMillis(500);
    private static KubeClient client;
    private static String ns;

    @BeforeAll
    static void start() {
        client = KubeClient.create(ClientConfig.of(ApiServerInstance.shared().url()));
        ns = "le-it-" + UUID.randomUUID().toString().substring(0, 8);
        client.resources(Namespace.class)
                .create(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).block(T);
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    private record Candidate(String id, LeaderElector elector, AtomicBoolean leading, List<String> leadersSeen) {
    }

    private static Candidate candidate(String id, ResourceClient<Lease> leases) {
        AtomicBoolean leading = new AtomicBoolean();
        List<String> seen = new CopyOnWriteArrayList<>();
        LeaderElectionConfig config = LeaderElectionConfig.of(ns, "it-lock", id).withTimings(LEASE, RENEW, RETRY);
        LeaderElector elector = new LeaderElector(leases, config,
                new LeaderCallbacks(() -> leading.set(true), () -> leading.set(false), seen::add), Clock.system());
        return new Candidate(id, elector, leading, seen);
    }

    @Test
    void exactlyOneLeadsAndALeaderThatStopsRenewingHandsOver() throws Exception {
        ResourceClient<Lease> leases = client.resources(Lease.class);
        List<Candidate> candidates = new ArrayList<>();
        for (String id : List.of("a", "b", "c")) {
            candidates.add(candidate(id, leases));
        }
        AtomicInteger maxLeaders = new AtomicInteger();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> {
            int n = (int) candidates.stream().filter(c -> c.leading().get()).count();
            maxLeaders.accumulateAndGet(n, Math::max);
        }, 0, 20, TimeUnit.MILLISECONDS);
        try {
            candidates.forEach(c -> c.elector().start());
            await().atMost(T).until(() -> candidates.stream().filter(c -> c.leading().get()).count() == 1);
            // hold for a few lease durations: renewals keep the same leader, nobody else starts
            Candidate leader = candidates.stream().filter(c -> c.leading().get()).findFirst().orElseThrow();
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> leader.leading().get());
            for (Candidate c : candidates) {
                assertThat(c.elector().observedLeader()).isEqualTo(leader.id());
            }
            Lease lease = leases.get(ns, "it-lock").block(T);
            assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(leader.id());
            int transitions = lease.getSpec().getLeaseTransitions();

            long stoppedAt = System.nanoTime();
            leader.elector().stop(); // no release: the others must wait for the lease to expire
            assertThat(leader.leading()).isFalse();
            // lease duration + retry period (+ 20 % retry jitter), plus 1 s for requests on a loaded machine
            await().atMost(LEASE.plus(RETRY).plusMillis(100).plusSeconds(1))
                    .until(() -> candidates.stream().filter(c -> c != leader && c.leading().get()).count() == 1);
            long handoverMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
            Candidate successor = candidates.stream().filter(c -> c.leading().get()).findFirst().orElseThrow();
            assertThat(handoverMillis).as("no takeover before the lease expired").isGreaterThanOrEqualTo(
                    LEASE.minus(RETRY).toMillis());
            Lease taken = leases.get(ns, "it-lock").block(T);
            assertThat(taken.getSpec().getHolderIdentity()).isEqualTo(successor.id());
            assertThat(taken.getSpec().getLeaseTransitions()).isEqualTo(transitions + 1);
            await().atMost(T).until(() -> candidates.stream().filter(c -> c != leader)
                    .allMatch(c -> successor.id().equals(c.elector().observedLeader())));
        } finally {
            for (Candidate c : candidates) {
                c.elector().stop();
            }
            sampler.shutdownNow();
        }
        assertThat(maxLeaders.get()).as("at most one leader at any sampled instant").isEqualTo(1);
    }
}
