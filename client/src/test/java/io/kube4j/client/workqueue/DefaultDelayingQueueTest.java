package io.kube4j.client.workqueue;

import static org.assertj.core.api.Assertions.assertThat;

import io.kube4j.client.util.FakeClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DefaultDelayingQueueTest {

    private final FakeClock clock = new FakeClock();
    private final DefaultDelayingQueue<String> queue = new DefaultDelayingQueue<>("delaying", clock, null);

    @Test
    void itemsBecomeReadyInDeadlineOrderWhenTheClockAdvances() throws Exception {
        queue.addAfter("late", Duration.ofSeconds(30));
        queue.addAfter("early", Duration.ofSeconds(10));
        queue.addAfter("middle", Duration.ofSeconds(20));
        assertThat(queue.len()).isZero();

        clock.advance(Duration.ofSeconds(10));
        assertThat(queue.len()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(25));
        assertThat(queue.len()).isEqualTo(3);
        assertThat(queue.get()).isEqualTo("early");
        assertThat(queue.get()).isEqualTo("middle");
        assertThat(queue.get()).isEqualTo("late");
    }

    @Test
    void nonPositiveDelayAddsAtOnce() {
        queue.addAfter("now", Duration.ZERO);
        assertThat(queue.len()).isEqualTo(1);
    }

    @Test
    void aWaitingItemKeepsTheEarlierDeadline() {
        queue.addAfter("a", Duration.ofSeconds(10));
        queue.addAfter("a", Duration.ofSeconds(60));
        queue.addAfter("a", Duration.ofSeconds(5));
        clock.advance(Duration.ofSeconds(5));
        assertThat(queue.len()).isEqualTo(1);
        assertThat(queue.waitingLen()).isZero();
    }

    @Test
    void aBlockedGetterWakesWhenTheClockPassesTheDeadline() throws Exception {
        queue.addAfter("a", Duration.ofMinutes(5));
        CompletableFuture<String> getter = CompletableFuture.supplyAsync(() -> {
            try {
                return queue.get();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        clock.advance(Duration.ofMinutes(5));
        assertThat(getter.get(5, TimeUnit.SECONDS)).isEqualTo("a");
    }

    @Test
    void aDelayedItemIsDeduplicatedWithTheQueuedOne() throws Exception {
        queue.add("a");
        queue.addAfter("a", Duration.ofSeconds(1));
        clock.advance(Duration.ofSeconds(1));
        assertThat(queue.len()).isEqualTo(1);
    }

    @Test
    void shutDownDropsWaitingItems() throws Exception {
        queue.addAfter("a", Duration.ofSeconds(1));
        queue.shutDown();
        clock.advance(Duration.ofSeconds(1));
        assertThat(queue.poll(Duration.ZERO)).isNull();
    }
}
