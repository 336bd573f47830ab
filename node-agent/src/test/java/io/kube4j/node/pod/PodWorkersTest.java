package io.kube4j.node.pod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PodWorkersTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(4);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        pool.shutdownNow();
        timer.shutdownNow();
    }

    @Test
    void syncsOfOnePodNeverOverlapAndRequestsDuringASyncCoalesceIntoOneMore() throws Exception {
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        PodWorkers workers = new PodWorkers(pool, timer, uid -> {
            int c = concurrent.incrementAndGet();
            maxConcurrent.accumulateAndGet(c, Math::max);
            if (runs.incrementAndGet() == 1) {
                firstStarted.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            concurrent.decrementAndGet();
        });
        workers.enqueue("a");
        assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 50; i++) {
            workers.enqueue("a");
        }
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() == 2);
        Thread.sleep(200); // nothing more may come: the 50 requests coalesced into one run
        assertThat(runs.get()).isEqualTo(2);
        assertThat(maxConcurrent.get()).isEqualTo(1);
    }

    @Test
    void differentPodsSyncInParallelAndDelayedSyncsKeepTheEarliestTime() {
        ConcurrentHashMap<String, Long> ranAt = new ConcurrentHashMap<>();
        PodWorkers workers = new PodWorkers(pool, timer, uid -> ranAt.put(uid, System.nanoTime()));
        long t0 = System.nanoTime();
        workers.enqueueAfter("late", Duration.ofSeconds(30));
        workers.enqueueAfter("late", Duration.ofMillis(100)); // earlier wins
        workers.enqueueAfter("late", Duration.ofSeconds(20)); // later is ignored
        workers.enqueue("now");
        await().atMost(Duration.ofSeconds(5)).until(() -> ranAt.containsKey("late") && ranAt.containsKey("now"));
        assertThat(ranAt.get("late") - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    }
}
