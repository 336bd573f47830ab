package io.kube4j.scheduler.framework;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelizerTest {

    private final Parallelizer parallelizer = new Parallelizer(4);

    @AfterEach
    void close() {
        parallelizer.close();
    }

    @Test
    void runsEveryIndexExactlyOnce() {
        for (int n : new int[] {0, 1, 63, 64, 1000, 10_000}) {
            AtomicIntegerArray seen = new AtomicIntegerArray(n);
            int ran = parallelizer.until(n, seen::incrementAndGet, () -> false);
            assertThat(ran).isEqualTo(n);
            for (int i = 0; i < n; i++) {
                assertThat(seen.get(i)).as("index %d of %d", i, n).isEqualTo(1);
            }
        }
    }

    @Test
    void stopsOnceTheConditionHoldsAndEveryStartedIndexFinishedOnReturn() {
        AtomicInteger found = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        int ran = parallelizer.until(10_000, i -> {
            if (i % 2 == 0) {
                found.incrementAndGet();
            }
            finished.incrementAndGet();
        }, () -> found.get() >= 100);
        int atReturn = finished.get();
        assertThat(found.get()).isGreaterThanOrEqualTo(100);
        // Each of at most 4 threads may start one index after another thread's find reached 100.
        assertThat(ran).isEqualTo(atReturn).isLessThan(200 + 8);
        // Nothing runs after until returned.
        parallelizer.until(1000, i -> { }, () -> false);
        assertThat(finished.get()).isEqualTo(atReturn);
    }

    @Test
    void rethrowsTheBodysException() {
        assertThatThrownBy(() -> parallelizer.until(1000, i -> {
            if (i == 500) {
                throw new IllegalStateException("boom at " + i);
            }
        }, () -> false)).isInstanceOf(IllegalStateException.class).hasMessage("boom at 500");
    }

    @Test
    void rejectsParallelismBelowOne() {
        assertThatThrownBy(() -> new Parallelizer(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
