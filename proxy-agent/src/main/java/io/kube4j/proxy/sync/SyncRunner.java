package io.kube4j.proxy.sync;

import io.kube4j.client.util.Clock;
import io.kube4j.proxy.Proxier;
import io.kube4j.proxy.ProxySyncException;
import io.kube4j.proxy.SyncResult;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.tracker.ProxyStateTracker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs {@link Proxier#sync} on one thread of its own whenever the {@link ProxyStateTracker} changes, at most once per
 * {@code minSyncPeriod}, and at least (as a full sync that repairs tampering) once per {@code syncPeriod}
 * (kube-proxy's {@code async.BoundedFrequencyRunner} plus the bookkeeping around {@code syncProxyRules}).
 *
 * <ul>
 *   <li>Requests coalesce: any number of {@link #requestSync} calls before the next run cause one run; a request
 *       made while a sync runs causes exactly one more after it. Runs are paced by kube-proxy's token bucket: one
 *       token per {@code minSyncPeriod}, a burst of {@value #BURST_SYNCS} (so a second change shortly after a sync
 *       is applied at once, and a stream of changes at most once per {@code minSyncPeriod}).</li>
 *   <li>The first sync is full, and so is every sync {@code syncPeriod} after the last successful full one; other
 *       syncs are partial ({@code full=false}: the proxier may rewrite only the changed Services).</li>
 *   <li>A failed sync is retried, full, after a backoff starting at {@code minSyncPeriod} (at least 100 ms) and
 *       doubling up to {@code syncPeriod}; the tracker keeps its changes pending, so nothing is lost.</li>
 * </ul>
 *
 * <p>Metrics (kube-proxy's names, pkg/proxy/metrics): the histograms
 * {@code kubeproxy_sync_proxy_rules_duration_seconds}, {@code kubeproxy_sync_full_proxy_rules_duration_seconds},
 * {@code kubeproxy_sync_partial_proxy_rules_duration_seconds} (buckets 1 ms × 2^0..14) and
 * {@code kubeproxy_network_programming_duration_seconds} (0.25 s .. 5 min, kube-proxy's buckets); the gauges
 * {@code kubeproxy_sync_proxy_rules_last_timestamp_seconds}, {@code kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds},
 * {@code kubeproxy_sync_proxy_rules_endpoint_changes_pending}, {@code kubeproxy_sync_proxy_rules_service_changes_pending};
 * the counters {@code kubeproxy_sync_proxy_rules_endpoint_changes_total} and
 * {@code kubeproxy_sync_proxy_rules_service_changes_total}. kube4j's own (mode-neutral, since one runner drives any
 * mode): {@code kubeproxy_sync_proxy_rules_rules} and {@code kubeproxy_sync_proxy_rules_chains} (gauges tagged
 * {@code mode}, from {@link SyncResult}; kube-proxy's nearest is {@code kubeproxy_sync_proxy_rules_iptables_total
 * {table}}) and {@code kubeproxy_sync_proxy_rules_failures_total} (every failed sync, whatever command failed; the
 * iptables mode may count {@code kubeproxy_sync_proxy_rules_iptables_restore_failures_total} itself).
 *
 * <p>Meters are registered once per registry: give each runner a registry of its own (a second runner on the same
 * registry would find the first one's gauges already bound to the first runner).
 *
 * <p>Start it once the Service and EndpointSlice informers have synced (kube-proxy waits for both before its first
 * sync, so that it never programs a half-listed state).
 */
public final class SyncRunner {

    private static final Logger log = LoggerFactory.getLogger(SyncRunner.class);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(100);
    /** kube-proxy's {@code burstSyncs}: syncs that may run back to back before {@code minSyncPeriod} paces them. */
    static final int BURST_SYNCS = 2;

    private final Proxier proxier;
    private final ProxyStateTracker tracker;
    private final Duration minSyncPeriod;
    private final Duration syncPeriod;
    private final Clock clock;
    private final List<SyncListener> listeners = new CopyOnWriteArrayList<>();

    /** Guards the scheduling fields below; never held during a sync. */
    private final ReentrantLock stateLock = new ReentrantLock();
    private final Condition wake = stateLock.newCondition();
    /** Held during a sync, by the runner's thread or a {@link #syncNow} caller. */
    private final ReentrantLock syncLock = new ReentrantLock();

    private boolean requested;
    private boolean needFull = true;
    private double tokens = BURST_SYNCS;
    private Instant tokensAt;
    private Instant lastFullSync;
    private Instant retryAt;
    private Duration backoff;
    private boolean stopped;
    private Thread thread;
    private final Runnable clockListener = this::signal;

    private volatile Instant lastSuccessfulSync;
    private volatile ProxyState lastApplied;
    private volatile SyncResult lastResult;

    private final Timer syncDuration;
    private final Timer fullSyncDuration;
    private final Timer partialSyncDuration;
    private final Timer networkProgramming;
    private final Counter failures;
    private final AtomicLong lastTimestampMillis = new AtomicLong();
    private final AtomicLong lastQueuedMillis = new AtomicLong();
    private final AtomicReference<SyncResult> gaugeResult = new AtomicReference<>();

    /**
     * @param proxier       the mode to drive
     * @param tracker       where state and changes come from; the runner registers itself for its changes
     * @param minSyncPeriod least time between the starts of two syncs (kube-proxy {@code --iptables-min-sync-period}, default 1 s)
     * @param syncPeriod    longest time between two full syncs (kube-proxy {@code --iptables-sync-period}, default 30 s)
     * @param meters        where the kube-proxy metrics go
     * @param clock         time source (a fake one in tests)
     */
    public SyncRunner(Proxier proxier, ProxyStateTracker tracker, Duration minSyncPeriod, Duration syncPeriod,
                      MeterRegistry meters, Clock clock) {
        this.proxier = Objects.requireNonNull(proxier, "proxier");
        this.tracker = Objects.requireNonNull(tracker, "tracker");
        this.clock = Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(meters, "meters");
        if (minSyncPeriod == null || minSyncPeriod.isNegative()) {
            throw new IllegalArgumentException("minSyncPeriod must be zero or positive, got " + minSyncPeriod);
        }
        if (syncPeriod == null || syncPeriod.isNegative() || syncPeriod.isZero()) {
            throw new IllegalArgumentException("syncPeriod must be positive, got " + syncPeriod);
        }
        if (syncPeriod.compareTo(minSyncPeriod) < 0) {
            throw new IllegalArgumentException("syncPeriod (" + syncPeriod + ") must not be shorter than minSyncPeriod ("
                    + minSyncPeriod + ")");
        }
        this.minSyncPeriod = minSyncPeriod;
        this.syncPeriod = syncPeriod;

        this.syncDuration = syncTimer(meters, "kubeproxy_sync_proxy_rules_duration_seconds", "SyncProxyRules latency in seconds");
        this.fullSyncDuration = syncTimer(meters, "kubeproxy_sync_full_proxy_rules_duration_seconds",
                "SyncProxyRules latency in seconds for full resyncs");
        this.partialSyncDuration = syncTimer(meters, "kubeproxy_sync_partial_proxy_rules_duration_seconds",
                "SyncProxyRules latency in seconds for partial resyncs");
        this.networkProgramming = Timer.builder("kubeproxy_network_programming_duration_seconds")
                .description("In Cluster Network Programming Latency in seconds")
                .serviceLevelObjectives(networkProgrammingBuckets())
                .register(meters);
        this.failures = Counter.builder("kubeproxy_sync_proxy_rules_failures_total")
                .description("Cumulative proxy rules sync failures (kube4j)").register(meters);
        Gauge.builder("kubeproxy_sync_proxy_rules_last_timestamp_seconds", lastTimestampMillis, v -> v.get() / 1000.0)
                .description("The last time proxy rules were successfully synced").register(meters);
        Gauge.builder("kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds", lastQueuedMillis, v -> v.get() / 1000.0)
                .description("The last time a sync of proxy rules was queued").register(meters);
        Gauge.builder("kubeproxy_sync_proxy_rules_endpoint_changes_pending", tracker, ProxyStateTracker::pendingEndpointChanges)
                .description("Pending proxy rules Endpoint changes").register(meters);
        Gauge.builder("kubeproxy_sync_proxy_rules_service_changes_pending", tracker, ProxyStateTracker::pendingServiceChanges)
                .description("Pending proxy rules Service changes").register(meters);
        FunctionCounter.builder("kubeproxy_sync_proxy_rules_endpoint_changes_total", tracker, ProxyStateTracker::endpointChangesTotal)
                .description("Cumulative proxy rules Endpoint changes").register(meters);
        FunctionCounter.builder("kubeproxy_sync_proxy_rules_service_changes_total", tracker, ProxyStateTracker::serviceChangesTotal)
                .description("Cumulative proxy rules Service changes").register(meters);
        Gauge.builder("kubeproxy_sync_proxy_rules_rules", gaugeResult, r -> r.get() == null ? 0 : r.get().rules())
                .tag("mode", proxier.mode())
                .description("Rules (or virtual/real servers, listeners) the proxy has in place (kube4j)").register(meters);
        Gauge.builder("kubeproxy_sync_proxy_rules_chains", gaugeResult, r -> r.get() == null ? 0 : r.get().chains())
                .tag("mode", proxier.mode())
                .description("Chains (or sets) the proxy has in place (kube4j)").register(meters);

        tracker.onChange(this::requestSync);
    }

    /** Adds a listener (health servers); call before {@link #start}. */
    public void addListener(SyncListener listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    /** Starts the sync thread; the first (full) sync runs at once. */
    public void start() {
        stateLock.lock();
        try {
            if (thread != null) {
                throw new IllegalStateException("sync runner already started");
            }
            if (stopped) {
                throw new IllegalStateException("sync runner is stopped");
            }
            thread = new Thread(this::loop, "proxy-sync-" + proxier.mode());
            thread.setDaemon(true);
            clock.onAdvance(clockListener);
            thread.start();
        } finally {
            stateLock.unlock();
        }
        log.info("proxy sync runner started: mode {}, minSyncPeriod {}, syncPeriod {}", proxier.mode(), minSyncPeriod,
                syncPeriod);
        queued();
    }

    /** Stops the sync thread, waiting (up to 30 s) for a sync in progress to finish. Idempotent. */
    public void stop() {
        Thread t;
        stateLock.lock();
        try {
            stopped = true;
            t = thread;
            wake.signalAll();
        } finally {
            stateLock.unlock();
        }
        clock.removeOnAdvance(clockListener);
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Asks for a sync: coalesced with other requests, no sooner than {@code minSyncPeriod} after the last one began. */
    public void requestSync() {
        stateLock.lock();
        try {
            requested = true;
            wake.signalAll();
        } finally {
            stateLock.unlock();
        }
        queued();
    }

    /**
     * Syncs now on the caller's thread (tests, benchmarks), serialised with the runner's own syncs; the result counts
     * like any sync (metrics, tracker, listeners, the periodic full schedule).
     *
     * @throws ProxySyncException when the proxier fails (a retry is then scheduled as after any failure)
     */
    public SyncResult syncNow(boolean full) {
        Instant now = clock.now();
        stateLock.lock();
        try {
            takeToken(now);
            full = full || needFull;
        } finally {
            stateLock.unlock();
        }
        return runSync(full, true);
    }

    /** When the node last got a state successfully; null before the first successful sync. */
    public Instant lastSuccessfulSync() {
        return lastSuccessfulSync;
    }

    /** The state the last successful sync applied; null before it. */
    public ProxyState lastApplied() {
        return lastApplied;
    }

    /** What the last successful sync did; null before it. */
    public SyncResult lastResult() {
        return lastResult;
    }

    public Duration minSyncPeriod() {
        return minSyncPeriod;
    }

    public Duration syncPeriod() {
        return syncPeriod;
    }

    /** For tests: whether a requested sync has not started yet. */
    boolean syncRequested() {
        stateLock.lock();
        try {
            return requested;
        } finally {
            stateLock.unlock();
        }
    }

    /** For tests: when the retry of a failed sync is due; null when none is scheduled. */
    Instant retryAt() {
        stateLock.lock();
        try {
            return retryAt;
        } finally {
            stateLock.unlock();
        }
    }

    private void signal() {
        stateLock.lock();
        try {
            wake.signalAll();
        } finally {
            stateLock.unlock();
        }
    }

    private void queued() {
        lastQueuedMillis.set(clock.now().toEpochMilli());
        tell(SyncListener::syncQueued);
    }

    private void loop() {
        while (true) {
            boolean full;
            stateLock.lock();
            try {
                while (true) {
                    if (stopped) {
                        return;
                    }
                    Instant now = clock.now();
                    Instant due = nextDue(now);
                    if (!due.isAfter(now)) {
                        full = needFull || retryAt != null || lastFullSync == null
                                || !now.isBefore(lastFullSync.plus(syncPeriod));
                        requested = false;
                        retryAt = null;
                        takeToken(now);
                        break;
                    }
                    wake.awaitNanos(Math.max(1, Duration.between(now, due).toNanos()));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                stateLock.unlock();
            }
            try {
                runSync(full, false);
            } catch (RuntimeException e) {
                // runSync reports proxier failures and schedules their retries itself; this is a bug elsewhere (a
                // listener), and a dead thread would stop all syncing. Errors (OOM) do end the thread: /healthz then
                // turns unhealthy as the last sync ages.
                log.error("proxy sync loop: unexpected error", e);
            }
        }
    }

    /** When the next sync is due; called with the state lock held. */
    private Instant nextDue(Instant now) {
        if (retryAt != null) {
            return retryAt;
        }
        Instant due = lastFullSync == null ? now : lastFullSync.plus(syncPeriod);
        if (requested) {
            Instant requestDue = tokenDue(now);
            if (requestDue.isBefore(due)) {
                due = requestDue;
            }
        }
        return due;
    }

    /** When the token bucket next has a whole token (now if it has one); called with the state lock held. */
    private Instant tokenDue(Instant now) {
        double available = tokensAt(now);
        if (minSyncPeriod.isZero() || available >= 1) {
            return now;
        }
        return now.plusNanos((long) Math.ceil((1 - available) * minSyncPeriod.toNanos()));
    }

    private double tokensAt(Instant now) {
        if (tokensAt == null || minSyncPeriod.isZero()) {
            return BURST_SYNCS;
        }
        double refilled = (double) Duration.between(tokensAt, now).toNanos() / minSyncPeriod.toNanos();
        return Math.min(BURST_SYNCS, tokens + Math.max(0, refilled));
    }

    /** Every sync start takes a token, periodic and retried ones too (as BoundedFrequencyRunner's tryRun). */
    private void takeToken(Instant now) {
        tokens = Math.max(0, tokensAt(now) - 1);
        tokensAt = now;
    }

    private SyncResult runSync(boolean full, boolean rethrow) {
        syncLock.lock();
        try {
            ProxyState state = tracker.snapshot();
            long start = System.nanoTime();
            SyncResult result;
            try {
                result = proxier.sync(state, full);
                if (result == null) {
                    throw new ProxySyncException(proxier.mode() + " proxier returned no result");
                }
            } catch (RuntimeException e) {
                failed(full, e);
                if (rethrow) {
                    throw e instanceof ProxySyncException pe ? pe
                            : new ProxySyncException(proxier.mode() + " sync failed: " + e.getMessage(), e);
                }
                return null;
            }
            long took = System.nanoTime() - start;
            succeeded(state, full, result, took);
            return result;
        } finally {
            syncLock.unlock();
        }
    }

    private void succeeded(ProxyState state, boolean fullRequested, SyncResult result, long tookNanos) {
        tracker.applied(state);
        Instant now = clock.now();
        stateLock.lock();
        try {
            needFull = false;
            backoff = null;
            retryAt = null;
            if (fullRequested || result.full()) {
                lastFullSync = now;
            }
        } finally {
            stateLock.unlock();
        }
        lastApplied = state;
        lastResult = result;
        lastSuccessfulSync = now;
        gaugeResult.set(result);
        lastTimestampMillis.set(now.toEpochMilli());
        syncDuration.record(tookNanos, TimeUnit.NANOSECONDS);
        (result.full() ? fullSyncDuration : partialSyncDuration).record(tookNanos, TimeUnit.NANOSECONDS);
        for (Map.Entry<String, Instant> e : state.triggerTimes().entrySet()) {
            Duration latency = Duration.between(e.getValue(), now);
            if (!latency.isNegative()) {
                networkProgramming.record(latency);
            }
        }
        if (log.isDebugEnabled()) {
            log.debug("{} sync ({}) of {} service ports, {} changed: {} rules, {} chains, render {} ms, apply {} ms, total {} ms",
                    proxier.mode(), result.full() ? "full" : "partial", state.services().size(),
                    state.changedServices().size(), result.rules(), result.chains(), result.renderTime().toMillis(),
                    result.applyTime().toMillis(), TimeUnit.NANOSECONDS.toMillis(tookNanos));
        }
        tell(l -> l.syncSucceeded(state, result));
    }

    private void failed(boolean full, RuntimeException e) {
        failures.increment();
        Duration wait;
        stateLock.lock();
        try {
            needFull = true;
            Duration first = minSyncPeriod.compareTo(MIN_BACKOFF) < 0 ? MIN_BACKOFF : minSyncPeriod;
            backoff = backoff == null ? first : backoff.multipliedBy(2);
            if (backoff.compareTo(syncPeriod) > 0) {
                backoff = syncPeriod.compareTo(first) < 0 ? first : syncPeriod;
            }
            wait = backoff;
            retryAt = clock.now().plus(backoff);
            wake.signalAll();
        } finally {
            stateLock.unlock();
        }
        log.warn("{} sync ({}) failed, retrying a full sync in {} ms: {}", proxier.mode(), full ? "full" : "partial",
                wait.toMillis(), e.getMessage());
        tell(l -> l.syncFailed(e));
    }

    /** Tells every listener; one that throws is logged and does not keep the others (or the sync) from going on. */
    private void tell(java.util.function.Consumer<SyncListener> call) {
        for (SyncListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                log.error("sync listener {} failed", l, e);
            }
        }
    }

    private static Timer syncTimer(MeterRegistry meters, String name, String help) {
        List<Duration> buckets = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            buckets.add(Duration.ofMillis(1L << i)); // prometheus.ExponentialBuckets(0.001, 2, 15)
        }
        return Timer.builder(name).description(help)
                .serviceLevelObjectives(buckets.toArray(Duration[]::new))
                .register(meters);
    }

    /** kube-proxy's buckets: 0.25, 0.5, 1..59 s by 1, 60..115 s by 5, 120..300 s by 30. */
    private static Duration[] networkProgrammingBuckets() {
        List<Duration> b = new ArrayList<>();
        b.add(Duration.ofMillis(250));
        b.add(Duration.ofMillis(500));
        for (int s = 1; s <= 59; s++) {
            b.add(Duration.ofSeconds(s));
        }
        for (int s = 60; s <= 115; s += 5) {
            b.add(Duration.ofSeconds(s));
        }
        for (int s = 120; s <= 300; s += 30) {
            b.add(Duration.ofSeconds(s));
        }
        return b.toArray(Duration[]::new);
    }
}
