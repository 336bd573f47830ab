package io.kube4j.client.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kube4j.client.util.FakeClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ControllerTest {

    private final FakeClock clock = new FakeClock();
    private final Request key = new Request("ns", "a");
    private Controller controller;

    @AfterEach
    void stop() throws InterruptedException {
        if (controller != null) {
            controller.stop();
        }
    }

    private Controller start(Reconciler reconciler, int workers) {
        controller = ControllerBuilder.controller("test").reconciler(reconciler).workers(workers).clock(clock)
                .readyPollInterval(Duration.ofMillis(10)).build();
        controller.start();
        return controller;
    }

    @Test
    void requeueAfterRunsTheKeyAgainOnceTheDelayPassed() {
        AtomicInteger calls = new AtomicInteger();
        start(r -> calls.incrementAndGet() == 1 ? Result.requeueAfter(Duration.ofSeconds(30)) : Result.done(), 1);
        controller.enqueue(key);
        await().untilAtomic(calls, org.hamcrest.Matchers.is(1));
        await().until(() -> controller.queue().len() == 0);
        clock.advance(Duration.ofSeconds(29));
        await().during(Duration.ofMillis(100)).until(() -> calls.get() == 1);
        clock.advance(Duration.ofSeconds(1));
        await().untilAtomic(calls, org.hamcrest.Matchers.is(2));
    }

    @Test
    void anErrorIsRetriedWithBackoffAndSuccessForgetsIt() {
        AtomicInteger calls = new AtomicInteger();
        start(r -> {
            if (calls.incrementAndGet() <= 3) {
                throw new IllegalStateException("boom " + calls.get());
            }
            return Result.done();
        }, 1);
        controller.enqueue(key);
        await().untilAtomic(calls, org.hamcrest.Matchers.is(1));
        await().until(() -> controller.queue().numRequeues(key) == 1);
        clock.advance(Duration.ofMillis(5));
        await().untilAtomic(calls, org.hamcrest.Matchers.is(2));
        await().until(() -> controller.queue().numRequeues(key) == 2);
        clock.advance(Duration.ofMillis(9));
        await().during(Duration.ofMillis(100)).until(() -> calls.get() == 2);
        clock.advance(Duration.ofMillis(1));
        await().untilAtomic(calls, org.hamcrest.Matchers.is(3));
        await().until(() -> controller.queue().numRequeues(key) == 3);
        clock.advance(Duration.ofMillis(20));
        await().untilAtomic(calls, org.hamcrest.Matchers.is(4));
        await().until(() -> controller.queue().numRequeues(key) == 0);
    }

    @Test
    void requeueResultIsRateLimited() {
        AtomicInteger calls = new AtomicInteger();
        start(r -> calls.incrementAndGet() == 1 ? Result.requeue() : Result.done(), 1);
        controller.enqueue(key);
        await().until(() -> controller.queue().numRequeues(key) == 1);
        clock.advance(Duration.ofMillis(5));
        await().untilAtomic(calls, org.hamcrest.Matchers.is(2));
    }

    @Test
    void neverTwoWorkersOnTheSameKey() throws Exception {
        Map<Request, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        AtomicBoolean overlap = new AtomicBoolean();
        AtomicInteger maxParallel = new AtomicInteger();
        AtomicInteger parallel = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        start(r -> {
            int p = parallel.incrementAndGet();
            maxParallel.accumulateAndGet(p, Math::max);
            if (inFlight.computeIfAbsent(r, k -> new AtomicInteger()).incrementAndGet() > 1) {
                overlap.set(true);
            }
            Thread.sleep(2); // widen the window a second worker would need
            inFlight.get(r).decrementAndGet();
            parallel.decrementAndGet();
            calls.incrementAndGet();
            return Result.done();
        }, 8);
        List<Request> keys = List.of(new Request("ns", "a"), new Request("ns", "b"), new Request("ns", "c"));
        CompletableFuture<?>[] producers = new CompletableFuture<?>[4];
        for (int p = 0; p < producers.length; p++) {
            producers[p] = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 300; i++) {
                    controller.enqueue(keys.get(i % keys.size()));
                }
            });
        }
        CompletableFuture.allOf(producers).get(10, TimeUnit.SECONDS);
        await().until(() -> controller.queue().len() == 0 && parallel.get() == 0);
        assertThat(overlap).isFalse();
        assertThat(calls.get()).isGreaterThanOrEqualTo(3);
        assertThat(maxParallel.get()).isLessThanOrEqualTo(keys.size());
    }

    @Test
    void workersWaitForTheCachesToSync() {
        AtomicBoolean synced = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        controller = ControllerBuilder.controller("sync").reconciler(r -> {
            calls.incrementAndGet();
            return Result.done();
        }).waitFor(() -> true).waitFor(synced::get).clock(clock).readyPollInterval(Duration.ofMillis(10)).build();
        controller.enqueue(key);
        controller.start();
        await().during(Duration.ofMillis(200)).until(() -> calls.get() == 0 && !controller.isRunning());
        synced.set(true);
        await().untilAtomic(calls, org.hamcrest.Matchers.is(1));
    }

    @Test
    void stopLetsTheInFlightReconcileFinish() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> finished = new CopyOnWriteArrayList<>();
        start(r -> {
            entered.countDown();
            release.await();
            finished.add(r.name());
            return Result.done();
        }, 2);
        controller.enqueue(key);
        assertThat(entered.await(5, TimeUnit.SECONDS)).isTrue();
        Controller c = controller;
        controller = null;
        CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> {
            try {
                c.stop();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        await().during(Duration.ofMillis(200)).until(() -> !stopping.isDone());
        release.countDown();
        stopping.get(5, TimeUnit.SECONDS);
        assertThat(finished).containsExactly("a");
        c.enqueue(new Request("ns", "late"));
        assertThat(c.queue().len()).isZero();
    }

    @Test
    void theQueueReportsMetricsUnderTheControllerName() {
        var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        AtomicInteger calls = new AtomicInteger();
        controller = ControllerBuilder.controller("metered").reconciler(r -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("first try fails");
            }
            return Result.done();
        }).clock(clock).meterRegistry(registry).readyPollInterval(Duration.ofMillis(10)).build();
        controller.start();
        controller.enqueue(key);
        await().until(() -> controller.queue().numRequeues(key) == 1);
        clock.advance(Duration.ofMillis(5));
        await().untilAtomic(calls, org.hamcrest.Matchers.is(2));
        await().until(() -> registry.get("workqueue_work_duration_seconds").tag("name", "metered").timer().count() == 2);
        assertThat(registry.get("workqueue_adds_total").tag("name", "metered").counter().count()).isEqualTo(2);
        assertThat(registry.get("workqueue_retries_total").tag("name", "metered").counter().count()).isEqualTo(1);
        assertThat(registry.get("workqueue_depth").tag("name", "metered").gauge().value()).isZero();
    }
}
