package io.kube4j.client.controller;

import java.time.Duration;

/** What a reconcile asks for next: nothing, a rate-limited requeue, or a requeue after a fixed delay. */
public record Result(boolean shouldRequeue, Duration requeueAfter) {

    private static final Result DONE = new Result(false, Duration.ZERO);
    private static final Result REQUEUE = new Result(true, Duration.ZERO);

    public Result {
        requeueAfter = requeueAfter == null ? Duration.ZERO : requeueAfter;
    }

    public static Result done() {
        return DONE;
    }

    /** Requeue with the rate limiter's backoff. */
    public static Result requeue() {
        return REQUEUE;
    }

    /** Requeue after exactly {@code delay}; the item's failure history is forgotten. */
    public static Result requeueAfter(Duration delay) {
        return new Result(true, delay);
    }
}
