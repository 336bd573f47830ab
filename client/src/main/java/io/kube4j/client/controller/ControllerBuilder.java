package io.kube4j.client.controller;

import io.kube4j.client.util.Clock;
import io.kube4j.client.workqueue.DefaultRateLimitingQueue;
import io.kube4j.client.workqueue.RateLimiter;
import io.kube4j.client.workqueue.RateLimiters;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/** Fluent construction of a {@link Controller}. */
public final class ControllerBuilder {

    private String name = "controller";
    private Reconciler reconciler;
    private int workers = 1;
    private final List<BooleanSupplier> readyFuncs = new ArrayList<>();
    private Clock clock = Clock.system();
    private RateLimiter<Request> rateLimiter;
    private MeterRegistry registry;
    private Duration readyPollInterval = Duration.ofMillis(100);

    public static ControllerBuilder controller(String name) {
        return new ControllerBuilder().name(name);
    }

    public ControllerBuilder name(String name) {
        this.name = Objects.requireNonNull(name);
        return this;
    }

    public ControllerBuilder reconciler(Reconciler reconciler) {
        this.reconciler = reconciler;
        return this;
    }

    public ControllerBuilder workers(int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1, got " + workers);
        }
        this.workers = workers;
        return this;
    }

    /** A cache that must have synced before workers start (informer {@code hasSynced}). */
    public ControllerBuilder waitFor(BooleanSupplier hasSynced) {
        readyFuncs.add(hasSynced);
        return this;
    }

    public ControllerBuilder clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    /** Defaults to {@link RateLimiters#defaultControllerRateLimiter}. */
    public ControllerBuilder rateLimiter(RateLimiter<Request> rateLimiter) {
        this.rateLimiter = rateLimiter;
        return this;
    }

    public ControllerBuilder meterRegistry(MeterRegistry registry) {
        this.registry = registry;
        return this;
    }

    /** How often the readiness checks are polled before the workers start. */
    public ControllerBuilder readyPollInterval(Duration interval) {
        this.readyPollInterval = interval;
        return this;
    }

    public Controller build() {
        if (reconciler == null) {
            throw new IllegalStateException("controller " + name + " needs a reconciler");
        }
        RateLimiter<Request> limiter = rateLimiter != null ? rateLimiter : RateLimiters.defaultControllerRateLimiter(clock);
        var queue = new DefaultRateLimitingQueue<>(name, limiter, clock, registry);
        return new Controller(name, reconciler, queue, workers, readyFuncs, readyPollInterval);
    }
}
