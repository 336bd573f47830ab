package io.kube4j.scheduler.leaderelection;

import java.time.Duration;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.leaderelection.LeaderCallbacks;
import io.kube4j.client.leaderelection.LeaderElectionConfig;
import io.kube4j.client.leaderelection.LeaderElector;
import io.kube4j.client.util.Clock;
import io.kube4j.scheduler.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Scheduler} replica that schedules only while it holds the {@code coordination.k8s.io/v1} Lease (by
 * default {@code kube-system/kube-scheduler}, as kube-scheduler). Every replica runs its informers, so its cache and
 * queue are current and a standby schedules the moment it is elected.
 *
 * <p>Losing the lease (no renewal within the renew deadline, which is before anyone else may take it over) stops the
 * scheduling loop after the cycle in progress. Unlike kube-scheduler, which exits the process and relies on its
 * supervisor to restart it, the replica stays up as a candidate and resumes scheduling if elected again: kube4j's
 * single-host launcher restarts nothing, and the cache and queue, fed by the informers, stay valid across
 * leaderships. A binding still in flight from the old leadership cannot bind a pod twice: the apiserver refuses to
 * bind a pod that already has a node.
 */
public final class LeaderElectedScheduler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LeaderElectedScheduler.class);

    private final Scheduler scheduler;
    private final LeaderElector elector;
    private final Object lock = new Object();
    private volatile boolean closing;

    public LeaderElectedScheduler(Scheduler scheduler, ResourceClient<Lease> leases, LeaderElectionConfig config,
            Clock clock) {
        this.scheduler = Objects.requireNonNull(scheduler);
        this.elector = new LeaderElector(leases, config, new LeaderCallbacks(this::startedLeading,
                this::stoppedLeading, holder -> log.info("the scheduler leader is now {}", holder)), clock);
    }

    /** Kubernetes' identity for a replica: the hostname, "_", a fresh UUID. */
    public static String defaultIdentity() {
        return LeaderElectionConfig.defaultIdentity();
    }

    /** Starts and syncs the informers, then campaigns; returns once the informers are synced. */
    public void start(Duration syncTimeout) {
        scheduler.startInformers(syncTimeout);
        elector.start();
    }

    private void startedLeading() {
        synchronized (lock) {
            // runs on a thread of its own: the lease may be gone again by now
            if (!elector.isLeader()) {
                return;
            }
            log.info("{} leads: scheduling", elector.config().identity());
            scheduler.startScheduling();
        }
    }

    private void stoppedLeading() {
        synchronized (lock) {
            if (closing) {
                log.info("{} stops leading: shutting down", elector.config().identity());
            } else if (scheduler.isScheduling()) {
                log.warn("{} lost the lease {}/{}: scheduling stops until it is elected again",
                        elector.config().identity(), elector.config().leaseNamespace(), elector.config().leaseName());
            }
            scheduler.stopScheduling();
        }
    }

    public boolean isLeader() {
        return elector.isLeader();
    }

    /** The holder last seen on the Lease, or null. */
    public String observedLeader() {
        return elector.observedLeader();
    }

    public String identity() {
        return elector.config().identity();
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    /** Stops campaigning (releasing the lease when so configured), then the scheduler. */
    @Override
    public void close() {
        closing = true;
        try {
            elector.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler.close();
    }
}
