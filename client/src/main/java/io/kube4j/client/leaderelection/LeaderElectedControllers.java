package io.kube4j.client.leaderelection;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.controller.Startable;
import io.kube4j.client.util.Clock;

import java.util.List;

/**
 * Runs controllers only while this process holds the Lease: they start when it wins, and they are stopped on the
 * elector's thread when it loses, at the renew deadline, which is before the lease can expire for anyone else. So a
 * process that loses the lease has stopped its controllers before another can start them. Like client-go's
 * controller managers, a process does not lead twice: after losing, {@code onLostLeadership} runs (typically: exit
 * so the supervisor restarts a fresh candidate).
 */
public final class LeaderElectedControllers implements AutoCloseable {

    private final LeaderElector elector;
    private final List<Startable> controllers;
    private final Runnable onLostLeadership;
    private final Object lock = new Object();
    private boolean leading;
    private boolean lost;

    public LeaderElectedControllers(ResourceClient<Lease> leases, LeaderElectionConfig config, Clock clock,
                                    List<? extends Startable> controllers, Runnable onLostLeadership) {
        this.controllers = List.copyOf(controllers);
        this.onLostLeadership = onLostLeadership == null ? () -> { } : onLostLeadership;
        this.elector = new LeaderElector(leases, config, new LeaderCallbacks(this::startControllers,
                this::stopControllers, null), clock);
    }

    LeaderElector elector() {
        return elector;
    }

    public void start() {
        elector.start();
    }

    public boolean isLeading() {
        synchronized (lock) {
            return leading;
        }
    }

    private void startControllers() {
        synchronized (lock) {
            // onStartedLeading runs on a thread of its own: leadership may already be gone again by now
            if (lost || !elector.isLeader()) {
                return;
            }
            leading = true;
            controllers.forEach(Startable::start);
        }
    }

    private void stopControllers() {
        synchronized (lock) {
            lost = true;
            if (leading) {
                leading = false;
                stopAll();
            }
        }
        // Stop campaigning too: holding the lease again without running the controllers would lock others out.
        // From another thread, since this runs on the elector's own.
        Thread stopper = new Thread(() -> {
            try {
                elector.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "leader-elector-stop");
        stopper.setDaemon(true);
        stopper.start();
        onLostLeadership.run();
    }

    private void stopAll() {
        for (Startable c : controllers) {
            try {
                c.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops the controllers and the elector (releasing nothing: the lease expires for the next leader). */
    @Override
    public void close() throws InterruptedException {
        synchronized (lock) {
            lost = true;
            if (leading) {
                leading = false;
                stopAll();
            }
        }
        elector.stop();
    }
}
