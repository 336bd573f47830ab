package io.kube4j.proxy.sync;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.kube4j.client.util.FakeClock;
import io.kube4j.proxy.ProxySyncException;
import io.kube4j.proxy.SyncResult;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.tracker.ProxyStateTracker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.kube4j.proxy.tracker.K8sObjects.ep;
import static io.kube4j.proxy.tracker.K8sObjects.slice;
import static io.kube4j.proxy.tracker.K8sObjects.svc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The sync loop under a fake clock: nothing happens until the clock says it is due, so every "at most once"
 * below is exact, not a race.
 */
class SyncRunnerTest {

    private static final Duration MIN = Duration.ofSeconds(1);
    private static final Duration PERIOD = Duration.ofSeconds(30);

    private FakeClock clock;
    private ProxyStateTracker tracker;
    private RecordingProxier proxier;
    private SimpleMeterRegistry meters;
    private SyncRunner runner;

    @BeforeEach
    void setUp() {
        clock = new FakeClock(Instant.parse("2026-03-01T10:00:00Z"));
        tracker = new ProxyStateTracker("node-a", clock);
        proxier = new RecordingProxier();
        meters = new SimpleMeterRegistry();
        runner = new SyncRunner(proxier, tracker, MIN, PERIOD, meters, clock);
    }

    @AfterEach
    void tearDown() {
        proxier.release();
        runner.stop();
    }

    private void startAndAwaitFirstSync() {
        runner.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> runner.lastSuccessfulSync() != null);
        assertThat(proxier.count()).isEqualTo(1);
    }

    @Test
    void theFirstSyncIsFullAndRunsAtOnce() {
        tracker.serviceHandler().onAdd(svc("ns", "web", "10.96.0.10"));
        startAndAwaitFirstSync();
        RecordingProxier.Call first = proxier.last();
        assertThat(first.full()).isTrue();
        assertThat(first.state().changedServices()).containsExactly("ns/web");
        assertThat(runner.lastApplied()).isSameAs(first.state());
        assertThat(runner.lastSuccessfulSync()).isEqualTo(clock.now());
        assertThat(tracker.snapshot().changedServices()).as("applied").isEmpty();
    }

    @Test
    void aSecondChangeRightAfterASyncIsAppliedAtOnceAThirdWaitsForMinSyncPeriod() {
        startAndAwaitFirstSync();
        tracker.serviceHandler().onAdd(svc("ns", "first", "10.96.0.9"));
        await().atMost(Duration.ofSeconds(10)).until(() -> proxier.count() == 2);

        tracker.serviceHandler().onAdd(svc("ns", "second", "10.96.0.8"));
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> proxier.count() == 2);
        clock.advance(MIN);
        await().atMost(Duration.ofSeconds(10)).until(() -> proxier.count() == 3);
    }

    @Test
    void requestsCoalesceIntoOneSyncPerMinSyncPeriod() {
        startAndAwaitFirstSync();
        // use up the burst: the bucket's second token goes to this sync
        tracker.serviceHandler().onAdd(svc("ns", "first", "10.96.0.9"));
        await().atMost(Duration.ofSeconds(10)).until(() -> proxier.count() == 2);
        for (int i = 0; i < 5; i++) {
            tracker.serviceHandler().onAdd(svc("ns", "web" + i, "10.96.0." + (10 + i)));
        }
        assertThat(runner.syncRequested()).isTrue();
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> proxier.count() == 2);

        clock.advance(MIN);
        await().atMost(Duration.ofSeconds(10)).until(() -> proxier.count() == 3);
        RecordingProxier.Call second = proxier.last();
        assertThat(second.full()).isFalse();
        assertThat(second.state().changedServices()).hasSize(5);
        await().atMost(Duration.ofSeconds(10)).until(() -> runner.lastApplied() == second.state());
        assertThat(runner.syncRequested()).as("all five requests were served by that one sync").isFalse();
    }

    @Test
    void aRequestLongAfterTheLastSyncRunsAtOnce() {
        startAndAwaitFirstSync();
        clock.advance(Duration.ofSeconds(5));
        tracker.serviceHandler().onAdd(svc("ns", "web", "10.96.0.10"));
        await().atMost(Duration.ofSeconds(10)).until(() -> proxier.count() == 2);
        assertThat(proxier.last().full()).isFalse();
    }

    @Test
    void aRequestDuringASyncCausesExactlyOneMoreAfterIt() throws Exception {
        startAndAwaitFirstSync();
        clock.advance(MIN);
        CountDownLatch entered = proxier.holdNext();
        Service v1 = svc("ns", "web", "10.96.0.10");
        tracker.serviceHandler().onAdd(v1);
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        // three changes while the proxier is busy with the first one
        tracker.endpointSliceHandler().onAdd(slice("ns", "web-1", "web", 8080, ep("10.1.0.1", "node-a")).build());
        tracker.serviceHandler().onAdd(svc("ns", "api", "10.96.0.11"));
        tracker.serviceHandler().onUpdate(v1, new ServiceBuilder(v1).editSpec().withSessionAffinity("ClientIP").endSpec().build());
        proxier.release();
        // the bucket still holds its second token (burst of 2): the one more sync runs at once, without time passing
        await().atMost(Duration.ofSeconds(10)).until(() -> proxier.count() == 3);
        ProxyState third = proxier.last().state();
        assertThat(third.changedServices()).containsExactlyInAnyOrder("ns/web", "ns/api");
        assertThat(third.endpoints()).hasSize(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> runner.lastApplied() == third);
        assertThat(runner.syncRequested()).isFalse();
    }

    @Test
    void aFullSyncRunsEverySyncPeriodWithoutChanges() {
        startAndAwaitFirstSync();
        clock.advance(PERIOD.minusSeconds(1));
        assertThat(proxier.count()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(10)).until(() -> proxier.count() == 2);
        assertThat(proxier.last().full()).isTrue();

        // a partial sync in between does not delay the next full one
        clock.advance(Duration.ofSeconds(10));
        tracker.serviceHandler().onAdd(svc("ns", "web", "10.96.0.10"));
        await().atMost(Duration.ofSeconds(10)).until(() -> proxier.count() == 3);
        assertThat(proxier.last().full()).isFalse();
        clock.advance(Duration.ofSeconds(20));
        await().atMost(Duration.ofSeconds(10)).until(() -> proxier.count() == 4);
        assertThat(proxier.last().full()).isTrue();
    }

    @Test
    void aFailedSyncIsRetriedFullWithADoublingBackoffAndKeepsItsChanges() {
        startAndAwaitFirstSync();
        clock.advance(MIN);
        proxier.failNext(2);
        tracker.serviceHandler().onAdd(svc("ns", "web", "10.96.0.10"));
        await().atMost(Duration.ofSeconds(10)).until(() -> runner.retryAt() != null);
        assertThat(proxier.count()).isEqualTo(2);
        assertThat(proxier.last().full()).isFalse();
        Instant failedAt = clock.now();
        assertThat(runner.retryAt()).isEqualTo(failedAt.plus(MIN));
        assertThat(tracker.snapshot().changedServices()).containsExactly("ns/web");
        assertThat(meters.counter("kubeproxy_sync_proxy_rules_failures_total").count()).isEqualTo(1);

        // a new change does not bring the retry forward
        tracker.serviceHandler().onAdd(svc("ns", "api", "10.96.0.11"));
        assertThat(proxier.count()).isEqualTo(2);

        clock.advance(MIN); // first retry: full, fails again → 2 s backoff
        await().atMost(Duration.ofSeconds(10)).until(() -> proxier.count() == 3 && runner.retryAt() != null);
        assertThat(proxier.last().full()).isTrue();
        assertThat(runner.retryAt()).isEqualTo(clock.now().plus(MIN.multipliedBy(2)));

        clock.advance(MIN.multipliedBy(2)); // second retry: full, succeeds with every change
        await().atMost(Duration.ofSeconds(10)).until(() -> proxier.count() == 4 && runner.lastApplied() == proxier.last().state());
        assertThat(proxier.last().full()).isTrue();
        assertThat(proxier.last().state().changedServices()).containsExactlyInAnyOrder("ns/web", "ns/api");
        assertThat(runner.retryAt()).isNull();
        assertThat(tracker.snapshot().changedServices()).isEmpty();
        assertThat(meters.counter("kubeproxy_sync_proxy_rules_failures_total").count()).isEqualTo(2);

        // and the next change is partial again
        clock.advance(MIN);
        tracker.serviceHandler().onAdd(svc("ns", "db", "10.96.0.12"));
        await().atMost(Duration.ofSeconds(10)).until(() -> proxier.count() == 5);
        assertThat(proxier.last().full()).isFalse();
    }

    @Test
    void theBackoffStopsGrowingAtTheSyncPeriod() {
        runner = new SyncRunner(proxier, tracker, Duration.ofSeconds(10), Duration.ofSeconds(30), meters(), clock);
        proxier.failNext(100);
        runner.start();
        List<Duration> backoffs = new CopyOnWriteArrayList<>();
        for (int i = 1; i <= 4; i++) {
            int calls = i;
            await().atMost(Duration.ofSeconds(10)).until(() -> proxier.count() == calls && runner.retryAt() != null);
            Duration wait = Duration.between(clock.now(), runner.retryAt());
            backoffs.add(wait);
            clock.advance(wait);
        }
        assertThat(backoffs).containsExactly(Duration.ofSeconds(10), Duration.ofSeconds(20), Duration.ofSeconds(30),
                Duration.ofSeconds(30));
        assertThat(proxier.calls()).allMatch(RecordingProxier.Call::full);
    }

    @Test
    void syncNowRunsOnTheCallersThreadAndCountsLikeAnySync() {
        tracker.serviceHandler().onAdd(svc("ns", "web", "10.96.0.10"));
        SyncResult r = runner.syncNow(false);
        assertThat(r.full()).as("the first sync is always full").isTrue();
        assertThat(r.rules()).isEqualTo(2);
        assertThat(runner.lastSuccessfulSync()).isEqualTo(clock.now());
        assertThat(tracker.snapshot().changedServices()).isEmpty();

        tracker.serviceHandler().onAdd(svc("ns", "api", "10.96.0.11"));
        assertThat(runner.syncNow(false).full()).isFalse();
        assertThat(runner.syncNow(true).full()).isTrue();

        proxier.failNext(1);
        assertThatThrownBy(() -> runner.syncNow(false)).isInstanceOf(ProxySyncException.class)
                .hasMessageContaining("iptables-restore exited 1");
        assertThat(runner.retryAt()).isNotNull();
        assertThat(runner.syncNow(false).full()).as("after a failure the next sync is full").isTrue();
    }

    @Test
    void metricsFollowEachSync() {
        SimpleMeterRegistry m = meters;
        clock.advance(Duration.ofSeconds(30));
        tracker.endpointSliceHandler().onAdd(slice("ns", "web-1", "web", 8080, ep("10.1.0.1", "node-a")).editMetadata()
                .addToAnnotations(ProxyStateTracker.TRIGGER_TIME_ANNOTATION, "2026-03-01T10:00:28Z").endMetadata().build());
        tracker.serviceHandler().onAdd(svc("ns", "web", "10.96.0.10"));
        assertThat(m.get("kubeproxy_sync_proxy_rules_endpoint_changes_pending").gauge().value()).isEqualTo(1);
        assertThat(m.get("kubeproxy_sync_proxy_rules_service_changes_pending").gauge().value()).isEqualTo(1);
        assertThat(m.get("kubeproxy_sync_proxy_rules_service_changes_total").functionCounter().count()).isEqualTo(1);
        assertThat(m.get("kubeproxy_sync_proxy_rules_endpoint_changes_total").functionCounter().count()).isEqualTo(1);

        runner.requestSync();
        assertThat(m.get("kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds").gauge().value())
                .isEqualTo(clock.now().getEpochSecond());
        runner.syncNow(false);

        assertThat(m.get("kubeproxy_sync_proxy_rules_duration_seconds").timer().count()).isEqualTo(1);
        assertThat(m.get("kubeproxy_sync_full_proxy_rules_duration_seconds").timer().count()).isEqualTo(1);
        assertThat(m.get("kubeproxy_sync_partial_proxy_rules_duration_seconds").timer().count()).isZero();
        assertThat(m.get("kubeproxy_sync_proxy_rules_last_timestamp_seconds").gauge().value())
                .isEqualTo(clock.now().getEpochSecond());
        assertThat(m.get("kubeproxy_sync_proxy_rules_rules").tag("mode", "recording").gauge().value()).isEqualTo(2);
        assertThat(m.get("kubeproxy_sync_proxy_rules_chains").tag("mode", "recording").gauge().value()).isEqualTo(2);
        assertThat(m.get("kubeproxy_sync_proxy_rules_endpoint_changes_pending").gauge().value()).isZero();
        // the slice's change at 10:00:28 and the Service seen at 10:00:30, programmed at 10:00:30: one sample per Service
        assertThat(m.get("kubeproxy_network_programming_duration_seconds").timer().count()).isEqualTo(1);
        assertThat(m.get("kubeproxy_network_programming_duration_seconds").timer().max(TimeUnit.SECONDS)).isEqualTo(2.0);

        tracker.serviceHandler().onAdd(svc("ns", "api", "10.96.0.11"));
        runner.syncNow(false);
        assertThat(m.get("kubeproxy_sync_partial_proxy_rules_duration_seconds").timer().count()).isEqualTo(1);
        assertThat(m.get("kubeproxy_sync_proxy_rules_duration_seconds").timer().count()).isEqualTo(2);
    }

    @Test
    void histogramsAndNamesOnPrometheus() {
        PrometheusMeterRegistry prom = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        SyncRunner r = new SyncRunner(proxier, tracker, MIN, PERIOD, prom, clock);
        tracker.serviceHandler().onAdd(svc("ns", "web", "10.96.0.10"));
        r.syncNow(true);
        String text = prom.scrape();
        assertThat(text)
                .contains("kubeproxy_sync_proxy_rules_duration_seconds_bucket{le=\"0.001\"}")
                .contains("kubeproxy_sync_proxy_rules_duration_seconds_bucket{le=\"16.384\"}")
                .contains("kubeproxy_sync_full_proxy_rules_duration_seconds_count 1")
                .contains("kubeproxy_sync_partial_proxy_rules_duration_seconds_count 0")
                .contains("kubeproxy_network_programming_duration_seconds_bucket{le=\"0.25\"}")
                .contains("kubeproxy_network_programming_duration_seconds_bucket{le=\"300.0\"}")
                .contains("kubeproxy_sync_proxy_rules_last_timestamp_seconds ")
                .contains("kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds ")
                .contains("kubeproxy_sync_proxy_rules_endpoint_changes_pending ")
                .contains("kubeproxy_sync_proxy_rules_service_changes_pending ")
                .contains("kubeproxy_sync_proxy_rules_service_changes_total 1")
                .contains("kubeproxy_sync_proxy_rules_endpoint_changes_total 0")
                .contains("kubeproxy_sync_proxy_rules_failures_total 0")
                .contains("kubeproxy_sync_proxy_rules_rules{mode=\"recording\"} 2")
                .contains("kubeproxy_sync_proxy_rules_chains{mode=\"recording\"} 2");
    }

    @Test
    void listenersHearQueuedSucceededAndFailed() {
        List<String> heard = new CopyOnWriteArrayList<>();
        runner.addListener(new SyncListener() {
            @Override
            public void syncQueued() {
                heard.add("queued");
            }

            @Override
            public void syncSucceeded(ProxyState state, SyncResult result) {
                heard.add("ok " + state.services().size());
            }

            @Override
            public void syncFailed(RuntimeException error) {
                heard.add("failed " + error.getMessage());
            }
        });
        tracker.serviceHandler().onAdd(svc("ns", "web", "10.96.0.10"));
        runner.syncNow(true);
        proxier.failNext(1);
        assertThatThrownBy(() -> runner.syncNow(true)).isInstanceOf(ProxySyncException.class);
        assertThat(heard).containsExactly("queued", "ok 1", "failed iptables-restore exited 1: line 3 failed");
    }

    @Test
    void aThrowingListenerDoesNotStopTheSyncOrTheOtherListeners() {
        List<String> heard = new CopyOnWriteArrayList<>();
        runner.addListener(new SyncListener() {
            @Override
            public void syncSucceeded(ProxyState state, SyncResult result) {
                throw new IllegalStateException("listener bug");
            }
        });
        runner.addListener(new SyncListener() {
            @Override
            public void syncSucceeded(ProxyState state, SyncResult result) {
                heard.add("ok");
            }
        });
        tracker.serviceHandler().onAdd(svc("ns", "web", "10.96.0.10"));
        assertThat(runner.syncNow(true).full()).isTrue();
        assertThat(heard).containsExactly("ok");
        assertThat(tracker.snapshot().changedServices()).isEmpty();
    }

    @Test
    void badPeriodsAreRejectedWithAClearMessage() {
        assertThatThrownBy(() -> new SyncRunner(proxier, tracker, Duration.ofSeconds(5), Duration.ofSeconds(1), meters(), clock))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be shorter than minSyncPeriod");
        assertThatThrownBy(() -> new SyncRunner(proxier, tracker, Duration.ofSeconds(-1), PERIOD, meters(), clock))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minSyncPeriod");
        assertThatThrownBy(() -> new SyncRunner(proxier, tracker, MIN, Duration.ZERO, meters(), clock))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("syncPeriod must be positive");
    }

    @Test
    void stopEndsTheThreadAndStartTwiceIsAnError() {
        startAndAwaitFirstSync();
        assertThatThrownBy(runner::start).isInstanceOf(IllegalStateException.class);
        runner.stop();
        clock.advance(PERIOD.multipliedBy(3));
        tracker.serviceHandler().onAdd(svc("ns", "web", "10.96.0.10"));
        assertThat(proxier.count()).isEqualTo(1);
    }

    private static SimpleMeterRegistry meters() {
        return new SimpleMeterRegistry();
    }
}
