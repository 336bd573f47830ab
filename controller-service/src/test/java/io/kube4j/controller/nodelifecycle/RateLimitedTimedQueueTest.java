package io.kube4j.controller.nodelifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.kube4j.client.util.FakeClock;
import org.junit.jupiter.api.Test;

/** The per-zone NoExecute tainting queue: uniqueness, the token bucket, swapped limiters, retries. */
class RateLimitedTimedQueueTest {

    final FakeClock clock = new FakeClock();
    final List<String> processed = new ArrayList<>();

    RateLimitedTimedQueue.Outcome ok(RateLimitedTimedQueue.TimedValue v) {
        processed.add(v.value());
        return RateLimitedTimedQueue.Outcome.DONE;
    }

    @Test
    void nodesLeaveAtTheZonesRate() {
        RateLimitedTimedQueue q = new RateLimitedTimedQueue(0.1, clock);
        for (String n : List.of("a", "b", "c")) {
            assertThat(q.add(n, "uid-" + n)).isTrue();
        }
        q.tryProcess(this::ok);
        assertThat(processed).containsExactly("a"); // burst 1
        clock.advance(Duration.ofSeconds(9));
        q.tryProcess(this::ok);
        assertThat(processed).containsExactly("a");
        clock.advance(Duration.ofSeconds(1));
        q.tryProcess(this::ok);
        assertThat(processed).containsExactly("a", "b");
        clock.advance(Duration.ofSeconds(60));
        q.tryProcess(this::ok);
        assertThat(processed).containsExactly("a", "b", "c");
    }

    @Test
    void aNodeIsQueuedOnceUntilRemoved() {
        RateLimitedTimedQueue q = new RateLimitedTimedQueue(10, clock);
        assertThat(q.add("a", "u")).isTrue();
        assertThat(q.add("a", "u")).isFalse();
        q.tryProcess(this::ok);
        assertThat(q.add("a", "u")).as("processed and not removed: still known").isFalse();
        assertThat(q.remove("a")).isTrue();
        assertThat(q.add("a", "u")).isTrue();
    }

    @Test
    void rateZeroStopsTaintingAndASwapResumesIt() {
        RateLimitedTimedQueue q = new RateLimitedTimedQueue(0.1, clock);
        q.swapLimiter(0);
        q.add("a", "u");
        clock.advance(Duration.ofMinutes(10));
        q.tryProcess(this::ok);
        assertThat(processed).isEmpty();
        q.swapLimiter(0.01);
        q.tryProcess(this::ok);
        assertThat(processed).containsExactly("a");
    }

    @Test
    void aFailedActionIsRetriedAfterTheDelayItAsked() {
        RateLimitedTimedQueue q = new RateLimitedTimedQueue(100, clock);
        q.add("a", "u");
        q.tryProcess(v -> RateLimitedTimedQueue.Outcome.retryAfter(Duration.ofMillis(50)));
        assertThat(q.queued()).isEqualTo(1);
        clock.advance(Duration.ofMillis(40));
        q.tryProcess(this::ok);
        assertThat(processed).isEmpty();
        clock.advance(Duration.ofMillis(20));
        q.tryProcess(this::ok);
        assertThat(processed).containsExactly("a");
        assertThat(q.queued()).isZero();
    }
}
