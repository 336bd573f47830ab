package io.kube4j.client.leaderelection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kube4j.client.util.FakeClock;
import io.kube4j.client.util.InMemoryResourceClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LeaderElectorTest {

    private final FakeClock clock = new FakeClock();
    private final InMemoryResourceClient<Lease> leases = new InMemoryResourceClient<>(Lease.class);

    private final class Candidate {
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger stopped = new AtomicInteger();
        final List<String> leaders = new CopyOnWriteArrayList<>();
        final LeaderElector elector;

        Candidate(String id, InMemoryResourceClient<Lease> client) {
            this(id, client, clock);
        }

        Candidate(String id, InMemoryResourceClient<Lease> client, FakeClock ownClock) {
            elector = new LeaderElector(client, LeaderElectionConfig.of("kube-system", "ctl", id),
                    new LeaderCallbacks(started::incrementAndGet, stopped::incrementAndGet, leaders::add), ownClock);
        }
    }

    private Lease lease() {
        return leases.objects().get(0);
    }

    @Test
    void configNeedsRenewDeadlineBetweenRetryPeriodAndLeaseDuration() {
        LeaderElectionConfig base = LeaderElectionConfig.of("ns", "l", "me");
        assertThatThrownBy(() -> base.withTimings(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leaseDuration");
        assertThatThrownBy(() -> base.withTimings(Duration.ofSeconds(15), Duration.ofSeconds(2), Duration.ofSeconds(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retryPeriod");
        assertThatThrownBy(() -> LeaderElectionConfig.of("ns", "l", " ")).isInstanceOf(IllegalArgumentException.class);
        assertThat(base.leaseDuration()).isEqualTo(Duration.ofSeconds(15));
        assertThat(base.renewDeadline()).isEqualTo(Duration.ofSeconds(10));
        assertThat(base.retryPeriod()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void theFirstCandidateCreatesTheLeaseAndLeads() {
        Candidate a = new Candidate("a", leases);
        a.elector.tick();
        assertThat(a.elector.isLeader()).isTrue();
        await().untilAtomic(a.started, org.hamcrest.Matchers.is(1));
        assertThat(a.leaders).containsExactly("a");
        var spec = lease().getSpec();
        assertThat(spec.getHolderIdentity()).isEqualTo("a");
        assertThat(spec.getLeaseDurationSeconds()).isEqualTo(15);
        assertThat(spec.getLeaseTransitions()).isZero();
        assertThat(spec.getRenewTime().toInstant()).isEqualTo(clock.now());
    }

    @Test
    void aHeldLeaseIsTakenOverOnlyAfterItExpiresAndTransitionsCount() {
        Candidate a = new Candidate("a", leases);
        Candidate b = new Candidate("b", leases);
        a.elector.tick();
        b.elector.tick();
        assertThat(b.elector.isLeader()).isFalse();
        assertThat(b.leaders).containsExactly("a");

        clock.advance(Duration.ofSeconds(14));
        b.elector.tick();
        assertThat(b.elector.isLeader()).isFalse();

        clock.advance(Duration.ofSeconds(1));
        b.elector.tick();
        assertThat(b.elector.isLeader()).isTrue();
        assertThat(b.leaders).containsExactly("a", "b");
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("b");
        assertThat(lease().getSpec().getLeaseTransitions()).isEqualTo(1);
        assertThat(lease().getSpec().getAcquireTime().toInstant()).isEqualTo(clock.now());
    }

    @Test
    void theLeaderRenewsAndKeepsTheLease() {
        Candidate a = new Candidate("a", leases);
        Candidate b = new Candidate("b", leases);
        a.elector.tick();
        Instant acquired = clock.now();
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofSeconds(2));
            a.elector.tick();
            b.elector.tick();
        }
        assertThat(a.elector.isLeader()).isTrue();
        assertThat(b.elector.isLeader()).isFalse();
        assertThat(lease().getSpec().getRenewTime().toInstant()).isEqualTo(clock.now());
        assertThat(lease().getSpec().getAcquireTime().toInstant()).isEqualTo(acquired);
        assertThat(lease().getSpec().getLeaseTransitions()).isZero();
    }

    @Test
    void aLeaderThatCannotRenewStopsBeforeTheLeaseExpires() {
        Candidate a = new Candidate("a", leases);
        a.elector.tick();
        Instant renewed = clock.now();
        leases.failing(true);
        for (int i = 0; i < 4; i++) {
            clock.advance(Duration.ofSeconds(2));
            a.elector.tick();
            assertThat(a.elector.isLeader()).isTrue();
        }
        clock.advance(Duration.ofSeconds(2)); // 10 s since the last renewal: renew deadline
        a.elector.tick();
        assertThat(a.elector.isLeader()).isFalse();
        assertThat(a.stopped.get()).isEqualTo(1);
        // another candidate could take over only at renewTime + 15 s, which is still ahead
        assertThat(clock.now()).isBefore(renewed.plusSeconds(15));

        leases.failing(false);
        Candidate b = new Candidate("b", leases);
        b.elector.tick();
        assertThat(b.elector.isLeader()).isFalse();
        clock.advance(Duration.ofSeconds(5));
        b.elector.tick();
        assertThat(b.elector.isLeader()).isTrue();
    }

    @Test
    void aSlowRenewalWithinTheRenewDeadlineStillRenews() {
        // the apiserver answers in 600 ms (under load), longer than the 200 ms retry period but well within the 2 s
        // renew deadline: the leader must keep the lease, as client-go's does (its renew attempts run until the
        // renew deadline); bounding each request by the retry period made every renewal fail and the leader step down
        LeaderElectionConfig timings = LeaderElectionConfig.of("kube-system", "ctl", "a")
                .withTimings(Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(200));
        java.util.concurrent.atomic.AtomicBoolean slow = new java.util.concurrent.atomic.AtomicBoolean();
        InMemoryResourceClient<Lease> slowLeases = new InMemoryResourceClient<>(Lease.class) {
            private <T> reactor.core.publisher.Mono<T> maybeSlow(reactor.core.publisher.Mono<T> m) {
                return slow.get() ? m.delaySubscription(Duration.ofMillis(600)) : m;
            }

            @Override
            public reactor.core.publisher.Mono<Lease> get(String ns, String name) {
                return maybeSlow(leases.get(ns, name));
            }

            @Override
            public reactor.core.publisher.Mono<Lease> update(Lease lease) {
                return maybeSlow(leases.update(lease));
            }

            @Override
            public reactor.core.publisher.Mono<Lease> create(Lease lease) {
                return maybeSlow(leases.create(lease));
            }
        };
        AtomicInteger stopped = new AtomicInteger();
        LeaderElector a = new LeaderElector(slowLeases, timings, new LeaderCallbacks(null, stopped::incrementAndGet,
                null), clock);
        a.tick();
        assertThat(a.isLeader()).isTrue();
        slow.set(true);
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofMillis(200));
            a.tick();
            assertThat(lease().getSpec().getRenewTime().toInstant()).as("renewal %d", i).isEqualTo(clock.now());
        }
        assertThat(a.isLeader()).isTrue();
        assertThat(stopped.get()).isZero();
    }

    @Test
    void aCandidateGivesUpAnAttemptAfterTheRetryPeriod() {
        // a candidate's renew deadline counts from the start of its attempt (the renewTime it writes): an acquisition
        // answered after 2 x 1.2 s would leave it past its 2 s deadline, so it would lead and step down at once.
        // Each of its requests gets the retry period (200 ms), so the slow attempt fails and it stays a candidate.
        LeaderElectionConfig timings = LeaderElectionConfig.of("kube-system", "ctl", "a")
                .withTimings(Duration.ofSeconds(3), Duration.ofSeconds(2), Duration.ofMillis(200));
        InMemoryResourceClient<Lease> slowLeases = new InMemoryResourceClient<>(Lease.class) {
            @Override
            public reactor.core.publisher.Mono<Lease> get(String ns, String name) {
                return leases.get(ns, name).delaySubscription(Duration.ofMillis(1200));
            }

            @Override
            public reactor.core.publisher.Mono<Lease> create(Lease lease) {
                return leases.create(lease).delaySubscription(Duration.ofMillis(1200));
            }
        };
        AtomicInteger started = new AtomicInteger();
        LeaderElector a = new LeaderElector(slowLeases, timings, new LeaderCallbacks(started::incrementAndGet, null,
                null), clock);
        a.tick();
        assertThat(a.isLeader()).isFalse();
        assertThat(started.get()).isZero();
    }

    @Test
    void aLeaderThatSeesAnotherHolderStopsAtOnce() {
        // b's clock runs 15 s ahead of a's, so b sees the lease expired while a is well within its renew deadline
        FakeClock ahead = new FakeClock(clock.now().plusSeconds(15));
        Candidate a = new Candidate("a", leases);
        Candidate b = new Candidate("b", leases, ahead);
        a.elector.tick();
        b.elector.tick();
        assertThat(b.elector.isLeader()).isTrue();
        clock.advance(Duration.ofSeconds(2));
        a.elector.tick();
        assertThat(a.elector.isLeader()).isFalse();
        assertThat(a.stopped.get()).isEqualTo(1);
    }

    @Test
    void aConflictingWriteMeansSomeoneElseWon() {
        // b reads the expired lease, then c takes it over before b writes: b's update carries a stale resourceVersion
        Candidate a = new Candidate("a", leases);
        a.elector.tick();
        clock.advance(Duration.ofSeconds(16));
        InMemoryResourceClient<Lease> racing = new InMemoryResourceClient<>(Lease.class) {
            @Override
            public reactor.core.publisher.Mono<Lease> get(String ns, String name) {
                return leases.get(ns, name).doOnNext(l -> new Candidate("c", leases).elector.tick());
            }

            @Override
            public reactor.core.publisher.Mono<Lease> update(Lease lease) {
                return leases.update(lease);
            }
        };
        Candidate b = new Candidate("b", racing);
        assertThat(b.elector.tryAcquireOrRenew()).isFalse();
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("c");
        assertThat(lease().getSpec().getLeaseTransitions()).isEqualTo(1);
    }

    @Test
    void stopWithReleaseClearsTheHolderAndRunsOnStoppedLeading() throws Exception {
        AtomicInteger stopped = new AtomicInteger();
        LeaderElector a = new LeaderElector(leases,
                LeaderElectionConfig.of("kube-system", "ctl", "a").withReleaseOnStop(true),
                new LeaderCallbacks(null, stopped::incrementAndGet, null), clock);
        a.tick();
        a.stop();
        assertThat(stopped.get()).isEqualTo(1);
        assertThat(lease().getSpec().getHolderIdentity()).isNull();
        Candidate b = new Candidate("b", leases);
        b.elector.tick();
        assertThat(b.elector.isLeader()).isTrue();
    }

    @Test
    void microTimeHasSixFractionDigits() {
        Instant t = Instant.parse("2026-11-27T00:15:30.123456789Z");
        assertThat(MicroTime.format(t)).isEqualTo("2026-11-27T00:15:30.123456Z");
        assertThat(MicroTime.parse("2026-11-27T00:15:30.123456Z")).isEqualTo(Instant.parse("2026-11-27T00:15:30.123456Z"));
    }
}
