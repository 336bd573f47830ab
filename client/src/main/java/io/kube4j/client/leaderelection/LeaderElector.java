package io.kube4j.client.leaderelection;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.util.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election on a {@code coordination.k8s.io/v1} Lease, after client-go's {@code leaderelection}: every
 * {@code retryPeriod} a candidate tries to create the Lease or take it over once {@code renewTime +
 * leaseDurationSeconds} has passed (by our clock), and the leader renews it; all writes are conditional on the
 * resourceVersion read, so a Conflict means someone else won. A leader that has not renewed for
 * {@code renewDeadline} runs {@code onStoppedLeading} and becomes a candidate again; since
 * {@code renewDeadline < leaseDuration}, that happens before anyone else may take the lease.
 */
public final class LeaderElector {

    private static final Logger log = LoggerFactory.getLogger(LeaderElector.class);
    /** The least a request is given, even right at the renew deadline. */
    private static final Duration MIN_REQUEST_TIMEOUT = Duration.ofMillis(50);

    private final ResourceClient<Lease> leases;
    private final LeaderElectionConfig config;
    private final LeaderCallbacks callbacks;
    private final Clock clock;

    // state below is touched only by the elector thread (or the test calling tick())
    private volatile boolean leading;
    private volatile String observedLeader;
    private Instant lastRenew;
    private volatile boolean stopped;
    private ScheduledExecutorService executor;

    public LeaderElector(ResourceClient<Lease> leases, LeaderElectionConfig config, LeaderCallbacks callbacks,
            Clock clock) {
        this.leases = Objects.requireNonNull(leases);
        this.config = Objects.requireNonNull(config);
        this.callbacks = Objects.requireNonNull(callbacks);
        this.clock = Objects.requireNonNull(clock);
    }

    /** Starts electing on a thread of its own; returns at once. */
    public synchronized void start() {
        if (executor != null) {
            throw new IllegalStateException("already started");
        }
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "leader-elector-" + config.identity());
            t.setDaemon(true);
            return t;
        });
        ex.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor = ex;
        log.info("leader election for lease {}/{} as {} (lease {}, renew deadline {}, retry {})",
                config.leaseNamespace(), config.leaseName(), config.identity(), config.leaseDuration(),
                config.renewDeadline(), config.retryPeriod());
        executor.execute(this::loop);
    }

    private void loop() {
        if (stopped) {
            return;
        }
        try {
            tick();
        } catch (RuntimeException e) {
            log.warn("leader election tick failed for {}", config.identity(), e);
        }
        if (!stopped) {
            executor.schedule(this::loop, nextDelay().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** A leader retries every retryPeriod but never past its renew deadline; candidates add up to 20 % jitter. */
    private Duration nextDelay() {
        Duration retry = config.retryPeriod();
        if (leading) {
            Duration untilDeadline = Duration.between(clock.now(), lastRenew.plus(config.renewDeadline()));
            return untilDeadline.compareTo(retry) < 0 ? (untilDeadline.isNegative() ? Duration.ZERO : untilDeadline)
                    : retry;
        }
        long jitter = (long) (retry.toNanos() * 0.2 * ThreadLocalRandom.current().nextDouble());
        return retry.plusNanos(jitter);
    }

    /**
     * One step of the state machine: a candidate tries to acquire; a leader tries to renew, and stops leading once
     * it has gone {@code renewDeadline} without a successful renewal.
     */
    void tick() {
        if (stopped) {
            return;
        }
        if (leading) {
            Instant attemptAt = clock.now();
            if (!deadlinePassed() && tryAcquireOrRenew()) {
                lastRenew = attemptAt; // the lease's renewTime: count the deadline from there, not later
                return;
            }
            if (deadlinePassed()) {
                log.warn("{} failed to renew lease {}/{} within {}: stopping leading", config.identity(),
                        config.leaseNamespace(), config.leaseName(), config.renewDeadline());
                stopLeading();
            } else if (observedLeader != null && !config.identity().equals(observedLeader)) {
                // someone else holds the lease (we were paused past expiry): we are not the leader any more
                log.warn("{} sees {} holding lease {}/{}: stopping leading", config.identity(), observedLeader,
                        config.leaseNamespace(), config.leaseName());
                stopLeading();
            }
            return;
        }
        Instant attemptAt = clock.now();
        if (tryAcquireOrRenew()) {
            lastRenew = attemptAt;
            leading = true;
            log.info("{} became leader of lease {}/{}", config.identity(), config.leaseNamespace(),
                    config.leaseName());
            Thread t = new Thread(callbacks.onStartedLeading(), "leader-" + config.identity());
            t.setDaemon(true);
            t.start();
        }
    }

    private boolean deadlinePassed() {
        return !clock.now().isBefore(lastRenew.plus(config.renewDeadline()));
    }

    private void stopLeading() {
        leading = false;
        callbacks.onStoppedLeading().run();
    }

    /**
     * How long the next request of an attempt may take. A leader keeps trying to renew until its renew deadline, as
     * client-go's {@code renew} does (its attempts share a context that ends at {@code RenewDeadline}): bounding each
     * request by the retry period instead made a leader whose apiserver answered a little slower than that (under
     * load) fail every renewal and step down although the lease was never in danger. A candidate's requests keep the
     * retry period: its renew deadline counts from the start of the attempt (the renewTime it writes), so an
     * acquisition that took most of the deadline would make it step down right after winning (seen under load in
     * LeaderElectedSchedulerIT: "became leader", then "failed to renew ... stopping leading" 44 ms later).
     */
    private Duration requestTimeout() {
        if (!leading || lastRenew == null) {
            return config.retryPeriod();
        }
        Duration left = Duration.between(clock.now(), lastRenew.plus(config.renewDeadline()));
        return left.compareTo(MIN_REQUEST_TIMEOUT) < 0 ? MIN_REQUEST_TIMEOUT : left;
    }

    /** Creates, renews or takes over the Lease; false when someone else holds it or won a race. */
    boolean tryAcquireOrRenew() {
        Instant now = clock.now();
        Lease current;
        try {
            current = leases.get(config.leaseNamespace(), config.leaseName()).block(requestTimeout());
        } catch (ApiStatusException.NotFound e) {
            current = null;
        } catch (RuntimeException e) {
            log.debug("{} could not read lease: {}", config.identity(), e.toString());
            return false;
        }
        try {
            if (current == null) {
                Lease created = leases.create(newLease(now)).block(requestTimeout());
                observe(created);
                return true;
            }
            LeaseSpec spec = current.getSpec() == null ? new LeaseSpec() : current.getSpec();
            String holder = spec.getHolderIdentity();
            observe(current);
            boolean mine = config.identity().equals(holder);
            if (!mine && holder != null && !holder.isEmpty() && !expired(spec, now)) {
                return false;
            }
            LeaseSpec next = new LeaseSpec();
            next.setHolderIdentity(config.identity());
            next.setLeaseDurationSeconds((int) config.leaseDuration().toSeconds());
            next.setRenewTime(MicroTime.of(now));
            int transitions = spec.getLeaseTransitions() == null ? 0 : spec.getLeaseTransitions();
            if (mine) {
                next.setAcquireTime(spec.getAcquireTime() != null ? spec.getAcquireTime() : MicroTime.of(now));
                next.setLeaseTransitions(transitions);
            } else {
                next.setAcquireTime(MicroTime.of(now));
                next.setLeaseTransitions(transitions + 1);
            }
            Lease desired = new LeaseBuilder(current).withSpec(next).build();
            Lease updated = leases.update(desired).block(requestTimeout()); // resourceVersion from the read: CAS
            observe(updated);
            return true;
        } catch (ApiStatusException.Conflict | ApiStatusException.AlreadyExists e) {
            log.debug("{} lost the race for lease: {}", config.identity(), e.getMessage());
            return false;
        } catch (RuntimeException e) {
            log.debug("{} could not write lease: {}", config.identity(), e.toString());
            return false;
        }
    }

    private boolean expired(LeaseSpec spec, Instant now) {
        if (spec.getRenewTime() == null || spec.getLeaseDurationSeconds() == null) {
            return true;
        }
        Instant expiry = spec.getRenewTime().toInstant().plusSeconds(spec.getLeaseDurationSeconds());
        return !now.isBefore(expiry);
    }

    private Lease newLease(Instant now) {
        LeaseSpec spec = new LeaseSpec();
        spec.setHolderIdentity(config.identity());
        spec.setLeaseDurationSeconds((int) config.leaseDuration().toSeconds());
        spec.setAcquireTime(MicroTime.of(now));
        spec.setRenewTime(MicroTime.of(now));
        spec.setLeaseTransitions(0);
        return new LeaseBuilder()
                .withMetadata(new ObjectMetaBuilder().withNamespace(config.leaseNamespace())
                        .withName(config.leaseName()).build())
                .withSpec(spec).build();
    }

    private void observe(Lease lease) {
        String holder = lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
        if (holder != null && !holder.isEmpty() && !holder.equals(observedLeader)) {
            observedLeader = holder;
            callbacks.onNewLeader().accept(holder);
        }
    }

    /**
     * Stops electing. A leader runs {@code onStoppedLeading}; with {@code releaseOnStop} it also clears the holder so
     * a successor need not wait for expiry. Without it the lease simply stops being renewed.
     */
    public void stop() throws InterruptedException {
        ScheduledExecutorService ex;
        synchronized (this) {
            stopped = true;
            ex = executor;
        }
        if (ex != null) {
            ex.shutdown();
            ex.awaitTermination(config.renewDeadline().toMillis() + 1000, TimeUnit.MILLISECONDS);
        }
        if (leading) {
            if (config.releaseOnStop()) {
                release();
            }
            stopLeading();
        }
    }

    private void release() {
        try {
            Lease current = leases.get(config.leaseNamespace(), config.leaseName()).block(config.retryPeriod());
            if (current == null || current.getSpec() == null
                    || !config.identity().equals(current.getSpec().getHolderIdentity())) {
                return;
            }
            Lease released = new LeaseBuilder(current).editSpec().withHolderIdentity(null)
                    .withLeaseDurationSeconds(1).withRenewTime(MicroTime.of(clock.now())).endSpec().build();
            leases.update(released).block(config.retryPeriod());
        } catch (RuntimeException e) {
            log.warn("{} could not release lease {}/{}: {}", config.identity(), config.leaseNamespace(),
                    config.leaseName(), e.toString());
        }
    }

    boolean isStopped() {
        return stopped;
    }

    public boolean isLeader() {
        return leading;
    }

    /** The last holder we saw on the Lease (may be us), or null. */
    public String observedLeader() {
        return observedLeader;
    }

    public LeaderElectionConfig config() {
        return config;
    }
}
