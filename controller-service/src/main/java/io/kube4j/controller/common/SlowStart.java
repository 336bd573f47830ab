package io.kube4j.controller.common;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Kubernetes' {@code slowStartBatch}: runs {@code count} calls in batches of 1, 2, 4, ... (each batch in parallel),
 * stopping after the first batch with a failure, so a controller whose every create fails (quota, admission) makes a
 * handful of failing calls instead of hundreds.
 */
public final class SlowStart {

    /** Kubernetes' {@code SlowStartInitialBatchSize}. */
    public static final int INITIAL_BATCH_SIZE = 1;

    private static final Duration BATCH_TIMEOUT = Duration.ofMinutes(2);

    private SlowStart() {
    }

    /** How many calls succeeded, and the first error of the batch that stopped the run (null: none). */
    public record Outcome(int successes, Throwable error) {
    }

    public static Outcome run(int count, int initialBatchSize, Supplier<Mono<?>> call) {
        int remaining = count;
        int successes = 0;
        for (int batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
            List<Mono<Throwable>> calls = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                calls.add(Mono.defer(call::get).then(Mono.<Throwable>empty()).onErrorResume(Mono::just));
            }
            List<Throwable> errors = Flux.merge(calls).collectList().block(BATCH_TIMEOUT);
            int failed = errors == null ? 0 : errors.size();
            successes += batch - failed;
            if (failed > 0) {
                return new Outcome(successes, errors.get(0));
            }
            remaining -= batch;
        }
        return new Outcome(successes, null);
    }
}
