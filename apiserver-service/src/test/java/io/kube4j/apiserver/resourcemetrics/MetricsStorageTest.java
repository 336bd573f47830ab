package io.kube4j.apiserver.resourcemetrics;

import io.kube4j.apiserver.resourcemetrics.MetricsBatch.PodRef;
import io.kube4j.apiserver.resourcemetrics.MetricsPoint.Usage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MetricsStorageTest {

    private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");
    private static final Instant STARTED = T0.minusSeconds(3600);
    private static final PodRef POD = new PodRef("ns", "web");

    private final MetricsStorage storage = new MetricsStorage(Duration.ofSeconds(15));

    private static MetricsPoint point(Instant start, Instant at, long cpu, long mem) {
        return new MetricsPoint(start, at, cpu, mem);
    }

    private static MetricsBatch batch(MetricsPoint node, Map<String, MetricsPoint> containers) {
        return new MetricsBatch(Map.of("n1", node), Map.of(POD, containers));
    }

    @Test
    void cpuIsTheRateBetweenTheLastTwoScrapes() {
        storage.store(batch(point(Instant.EPOCH, T0, 1_000_000_000_000L, 100),
                Map.of("app", point(STARTED, T0, 5_000_000_000L, 10))));
        assertThat(storage.node("n1")).isEmpty();
        assertThat(storage.pod("ns", "web")).isEmpty();

        // 15 s later: the node used 30 core-seconds (2 cores), the container 1.5 core-seconds (100m)
        Instant t1 = T0.plusSeconds(15);
        storage.store(batch(point(Instant.EPOCH, t1, 1_030_000_000_000L, 200),
                Map.of("app", point(STARTED, t1, 6_500_000_000L, 20))));
        Usage node = storage.node("n1").orElseThrow();
        assertThat(node.nanoCores()).isEqualTo(2_000_000_000L);
        assertThat(node.memoryBytes()).isEqualTo(200);
        assertThat(node.window()).isEqualTo(Duration.ofSeconds(15));
        Usage app = storage.pod("ns", "web").orElseThrow().containers().get("app");
        assertThat(app.nanoCores()).isEqualTo(100_000_000L);
        assertThat(app.memoryBytes()).isEqualTo(20);
        assertThat(app.timestamp()).isEqualTo(t1);
    }

    @Test
    void aFreshContainerIsMeasuredFromItsStartAfterOneScrape() {
        Instant start = T0.minusSeconds(12);
        storage.store(batch(point(Instant.EPOCH, T0, 0, 0), Map.of("app", point(start, T0, 6_000_000_000L, 10))));
        Usage app = storage.pod("ns", "web").orElseThrow().containers().get("app");
        assertThat(app.nanoCores()).isEqualTo(500_000_000L);
        assertThat(app.window()).isEqualTo(Duration.ofSeconds(12));
    }

    @Test
    void aContainerYoungerThanTenSecondsWaitsForTheNextScrape() {
        storage.store(batch(point(Instant.EPOCH, T0, 0, 0), Map.of("app", point(T0.minusSeconds(3), T0, 1, 10))));
        assertThat(storage.pod("ns", "web")).isEmpty();
    }

    @Test
    void aRestartBetweenScrapesDropsThePair() {
        // (a restart 10 to 15 s before the scrape would count as a fresh container, measured from its start)
        storage.store(batch(point(Instant.EPOCH, T0, 0, 0), Map.of("app", point(STARTED, T0, 9_000_000_000L, 10))));
        Instant restarted = T0.plusSeconds(10);
        Instant t1 = T0.plusSeconds(15);
        storage.store(batch(point(Instant.EPOCH, t1, 0, 0), Map.of("app", point(restarted, t1, 1_000_000_000L, 10))));
        assertThat(storage.pod("ns", "web")).isEmpty();
    }

    @Test
    void aPodIsServedOnlyWhenEveryContainerHasTwoPoints() {
        storage.store(batch(point(Instant.EPOCH, T0, 0, 0), Map.of("app", point(STARTED, T0, 1, 10))));
        Instant t1 = T0.plusSeconds(15);
        // a sidecar appeared (started long ago from this scrape's point of view, no earlier point)
        storage.store(batch(point(Instant.EPOCH, t1, 0, 0), Map.of("app", point(STARTED, t1, 2, 10),
                "sidecar", point(T0.minusSeconds(3600), t1, 2, 10))));
        assertThat(storage.pod("ns", "web")).isEmpty();
    }

    @Test
    void theSameSampleAgainKeepsTheEarlierPair() {
        storage.store(batch(point(Instant.EPOCH, T0, 0, 0), Map.of("app", point(STARTED, T0, 0, 10))));
        Instant t1 = T0.plusSeconds(10);
        MetricsBatch second = batch(point(Instant.EPOCH, t1, 10_000_000_000L, 0),
                Map.of("app", point(STARTED, t1, 1_000_000_000L, 10)));
        storage.store(second);
        storage.store(second);
        assertThat(storage.pod("ns", "web").orElseThrow().containers().get("app").nanoCores()).isEqualTo(100_000_000L);
        assertThat(storage.node("n1").orElseThrow().nanoCores()).isEqualTo(1_000_000_000L);
    }

    @Test
    void whatTheLastScrapeDidNotSeeIsForgotten() {
        storage.store(batch(point(Instant.EPOCH, T0, 0, 0), Map.of("app", point(STARTED, T0, 0, 10))));
        storage.store(batch(point(Instant.EPOCH, T0.plusSeconds(15), 1, 0),
                Map.of("app", point(STARTED, T0.plusSeconds(15), 1, 10))));
        storage.store(new MetricsBatch(Map.of(), Map.of()));
        assertThat(storage.node("n1")).isEmpty();
        assertThat(storage.pod("ns", "web")).isEmpty();
        assertThat(storage.nodePoints()).isZero();
        assertThat(storage.containerPoints()).isZero();
    }

    @Test
    void aCounterGoingBackIsNoRate() {
        MetricsPoint prev = point(STARTED, T0, 100, 1);
        assertThat(point(STARTED, T0.plusSeconds(1), 50, 1).usageSince(prev)).isEmpty();
        assertThat(point(STARTED, T0, 200, 1).usageSince(prev)).isEmpty();
    }
}
