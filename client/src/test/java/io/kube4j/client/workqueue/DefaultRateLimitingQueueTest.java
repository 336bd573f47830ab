package io.kube4j.client.workqueue;

import static org.assertj.core.api.Assertions.assertThat;

import io.kube4j.client.util.FakeClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DefaultRateLimitingQueueTest {

    private final FakeClock clock = new FakeClock();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final DefaultRateLimitingQueue<String> queue = new DefaultRateLimitingQueue<>("rl", clock, registry);

    @Test
    void retriesBackOffExponentiallyUntilForgotten() throws Exception {
        queue.addRateLimited("a");
        assertThat(queue.len()).isZero();
        clock.advance(Duration.ofMillis(5));
        assertThat(queue.len()).isEqualTo(1);
        queue.done(queue.get());

        queue.addRateLimited("a");
        clock.advance(Duration.ofMillis(9));
        assertThat(queue.len()).isZero();
        clock.advance(Duration.ofMillis(1));
        assertThat(queue.len()).isEqualTo(1);
        assertThat(queue.numRequeues("a")).isEqualTo(2);
        assertThat(registry.get("workqueue_retries_total").counter().count()).isEqualTo(2);

        queue.forget("a");
        assertThat(queue.numRequeues("a")).isZero();
    }
}
