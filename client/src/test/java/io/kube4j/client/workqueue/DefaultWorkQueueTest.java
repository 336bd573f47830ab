package io.kube4j.client.workqueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kube4j.client.util.FakeClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class DefaultWorkQueueTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final FakeClock clock = new FakeClock();
    private final DefaultWorkQueue<String> queue = new DefaultWorkQueue<>("test", clock, registry);

    @Test
    void anItemIsQueuedOnce() throws Exception {
        queue.add("a");
        queue.add("b");
        queue.add("a");
        assertThat(queue.len()).isEqualTo(2);
        assertThat(queue.get()).isEqualTo("a");
        assertThat(queue.get()).isEqualTo("b");
        assertThat(queue.poll(Duration.ZERO)).isNull();
    }

    @Test
    void anItemReAddedWhileProcessingIsQueuedAgainOnlyAfterDone() throws Exception {
        queue.add("a");
        String item = queue.get();
        queue.add("a");
        queue.add("a");
        assertThat(queue.len()).isZero();
        assertThat(queue.poll(Duration.ZERO)).isNull();
        queue.done(item);
        assertThat(queue.len()).isEqualTo(1);
        assertThat(queue.get()).isEqualTo("a");
        queue.done("a");
        assertThat(queue.len()).isZero();
    }

    @Test
    void doneWithoutReAddDoesNotRequeue() throws Exception {
        queue.add("a");
        queue.done(queue.get());
        assertThat(queue.len()).isZero();
    }

    @Test
    void shutDownWakesBlockedGettersAndDropsNewAdds() throws Exception {
        CompletableFuture<String> getter = CompletableFuture.supplyAsync(() -> {
            try {
                return queue.get();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        queue.shutDown();
        assertThat(getter.get()).isNull();
        queue.add("late");
        assertThat(queue.len()).isZero();
        assertThat(queue.isShuttingDown()).isTrue();
    }

    @Test
    void shutDownStillHandsOutQueuedItems() throws Exception {
        queue.add("a");
        queue.shutDown();
        assertThat(queue.get()).isEqualTo("a");
        assertThat(queue.get()).isNull();
    }

    @Test
    void shutDownWithDrainWaitsForItemsBeingProcessed() throws Exception {
        queue.add("a");
        String item = queue.get();
        CompletableFuture<Void> drain = CompletableFuture.runAsync(() -> {
            try {
                queue.shutDownWithDrain();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !drain.isDone());
        queue.done(item);
        drain.get();
    }

    @Test
    void metricsCountAddsDepthAndDurations() throws Exception {
        queue.add("a");
        queue.add("a");
        queue.add("b");
        assertThat(registry.get("workqueue_depth").tag("name", "test").gauge().value()).isEqualTo(2);
        assertThat(registry.get("workqueue_adds_total").counter().count()).isEqualTo(2);
        String a = queue.get();
        clock.advance(Duration.ofSeconds(3));
        queue.done(a);
        assertThat(registry.get("workqueue_queue_duration_seconds").timer().count()).isEqualTo(1);
        assertThat(registry.get("workqueue_work_duration_seconds").timer().totalTime(java.util.concurrent.TimeUnit.SECONDS))
                .isEqualTo(3.0);
    }
}
