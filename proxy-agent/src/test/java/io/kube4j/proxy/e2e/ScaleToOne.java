package io.kube4j.proxy.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

import io.fabric8.kubernetes.api.model.Pod;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The "scale to 1 → only that pod answers within 2 s": scales the Deployment {@code web} to one replica and
 * waits at most 2 s (that bound IS the requirement) until the one live pod answers every one of 10 new connections.
 * When it does not, it keeps watching (bounded) to say where the time went — pods deleted, EndpointSlice updated,
 * proxy synced, traffic converged — before failing with the original timeout.
 */
final class ScaleToOne {

    static final Duration REQUIRED = Duration.ofSeconds(2);

    private ScaleToOne() {
    }

    private static final class Timeline {
        final long start = System.nanoTime();
        volatile long podsGone = -1;
        volatile long sliceUpdated = -1;
        volatile long lastCheckStarted = -1;

        long ms() {
            return (System.nanoTime() - start) / 1_000_000;
        }
    }

    static void assertOnlyTheSurvivorAnswers(ServiceCluster cluster, InProcessProxy proxy, String mode,
                                             Callable<String> request) {
        Instant before = Instant.now();
        Timeline t = new Timeline();
        cluster.scale("web", 1);
        ConditionTimeoutException missed = null;
        try {
            // a connection the proxy had just sent to a pod being killed may be reset: that is the scale-down
            // happening, not the answer, so it is retried like a wrong answer
            await().atMost(REQUIRED).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .untilAsserted(() -> check(cluster, t, request));
        } catch (ConditionTimeoutException e) {
            missed = e;
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .untilAsserted(() -> check(cluster, t, request));
        }
        String syncs = proxy.syncsSince(before).stream()
                .map(s -> "+" + Duration.between(before, s.at()).toMillis() + " ms " + s).toList().toString();
        String timeline = String.format("%s mode, scaled 3 -> 1: pods deleted after %d ms, EndpointSlice down to 1"
                        + " ready endpoint after %d ms, syncs %s, only the survivor answers from %d ms on",
                mode, t.podsGone, t.sliceUpdated, syncs, t.lastCheckStarted);
        System.out.println(timeline);
        if (missed != null) {
            throw new AssertionError("only the surviving pod must answer within " + REQUIRED.toMillis()
                    + " ms of the scale; " + timeline, missed);
        }
    }

    private static void check(ServiceCluster cluster, Timeline t, Callable<String> request) throws Exception {
        t.lastCheckStarted = t.ms();
        List<Pod> live = cluster.livePods("app=web");
        if (live.size() == 1 && t.podsGone < 0) {
            t.podsGone = t.ms();
        }
        if (t.sliceUpdated < 0 && cluster.readyEndpoints("web").size() == 1) {
            t.sliceUpdated = t.ms();
        }
        assertThat(live).hasSize(1);
        String survivor = live.get(0).getMetadata().getName();
        for (int i = 0; i < 10; i++) {
            assertThat(request.call()).isEqualTo(survivor);
        }
    }
}
