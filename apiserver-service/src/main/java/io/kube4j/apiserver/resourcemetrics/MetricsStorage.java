package io.kube4j.apiserver.resourcemetrics;

import io.kube4j.apiserver.resourcemetrics.MetricsBatch.PodRef;
import io.kube4j.apiserver.resourcemetrics.MetricsPoint.Usage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The last two points of every node and container, as metrics-server keeps them ({@code pkg/storage}): each scrape
 * replaces the whole state, so nodes and pods that went away are forgotten at once and memory stays bounded by
 * what the last scrape saw. Usage is computed on read from the last point and the one before it.
 * <p>
 * A container that started less than a scrape interval ago (but at least {@value #FRESH_MIN_SECONDS} s ago, below
 * which the rate is too noisy) has no earlier point; its start time, when its CPU counter was zero, stands in for
 * one, so a new pod shows up after one scrape rather than two, as with metrics-server.
 */
public final class MetricsStorage {

    static final long FRESH_MIN_SECONDS = 10;

    private record State(Map<String, MetricsPoint> lastNodes, Map<String, MetricsPoint> prevNodes,
                         Map<PodRef, Map<String, MetricsPoint>> lastPods,
                         Map<PodRef, Map<String, MetricsPoint>> prevPods) {
    }

    /** A pod's usage: the window and time of its earliest container, and each container's usage. */
    public record PodUsage(Usage window, Map<String, Usage> containers) {
    }

    private final Duration resolution;
    private volatile State state = new State(Map.of(), Map.of(), Map.of(), Map.of());

    public MetricsStorage(Duration resolution) {
        this.resolution = resolution;
    }

    /** Takes in one scrape of every node: its points become the last ones, the last ones (if older) the previous. */
    public synchronized void store(MetricsBatch batch) {
        State s = state;
        Map<String, MetricsPoint> prevNodes = new HashMap<>();
        batch.nodes().forEach((node, point) -> {
            MetricsPoint prev = previous(point, s.lastNodes().get(node), s.prevNodes().get(node), false);
            if (prev != null) {
                prevNodes.put(node, prev);
            }
        });
        Map<PodRef, Map<String, MetricsPoint>> prevPods = new HashMap<>();
        batch.pods().forEach((pod, containers) -> {
            Map<String, MetricsPoint> lastOfPod = s.lastPods().getOrDefault(pod, Map.of());
            Map<String, MetricsPoint> prevOfPod = s.prevPods().getOrDefault(pod, Map.of());
            Map<String, MetricsPoint> prev = new HashMap<>();
            containers.forEach((name, point) -> {
                MetricsPoint p = previous(point, lastOfPod.get(name), prevOfPod.get(name), true);
                if (p != null) {
                    prev.put(name, p);
                }
            });
            if (!prev.isEmpty()) {
                prevPods.put(pod, Map.copyOf(prev));
            }
        });
        Map<PodRef, Map<String, MetricsPoint>> lastPods = new HashMap<>();
        batch.pods().forEach((pod, containers) -> lastPods.put(pod, Map.copyOf(containers)));
        state = new State(Map.copyOf(batch.nodes()), Map.copyOf(prevNodes), Map.copyOf(lastPods), Map.copyOf(prevPods));
    }

    /** The point to compute {@code next}'s usage against, or null when there is none yet. */
    private MetricsPoint previous(MetricsPoint next, MetricsPoint last, MetricsPoint prev, boolean container) {
        Duration age = Duration.between(next.startTime(), next.timestamp());
        if (container && next.startTime().isBefore(next.timestamp()) && age.compareTo(resolution) < 0
                && age.getSeconds() >= FRESH_MIN_SECONDS) {
            return next.atStart();
        }
        // an earlier point counts only if the node or container has not restarted since
        if (last == null || !next.startTime().isBefore(last.timestamp())) {
            return null;
        }
        if (next.timestamp().isAfter(last.timestamp())) {
            return last;
        }
        // the node answered with the same sample again: keep the pair we had
        return prev != null && prev.timestamp().isBefore(next.timestamp()) ? prev : null;
    }

    /** The node's usage, if two comparable points of it are known. */
    public Optional<Usage> node(String name) {
        State s = state;
        MetricsPoint last = s.lastNodes().get(name);
        MetricsPoint prev = s.prevNodes().get(name);
        return last == null || prev == null ? Optional.empty() : last.usageSince(prev);
    }

    /**
     * The pod's usage per container, if every container it ran at the last scrape has two comparable points (a
     * partial pod would understate it, so it is left out as metrics-server does).
     */
    public Optional<PodUsage> pod(String namespace, String name) {
        State s = state;
        PodRef ref = new PodRef(namespace, name);
        Map<String, MetricsPoint> last = s.lastPods().get(ref);
        Map<String, MetricsPoint> prev = s.prevPods().get(ref);
        if (last == null || prev == null || last.isEmpty()) {
            return Optional.empty();
        }
        Map<String, Usage> out = new LinkedHashMap<>();
        Usage earliest = null;
        for (String c : new ArrayList<>(new java.util.TreeSet<>(last.keySet()))) {
            MetricsPoint p = prev.get(c);
            if (p == null) {
                return Optional.empty();
            }
            Optional<Usage> u = last.get(c).usageSince(p);
            if (u.isEmpty()) {
                continue;
            }
            out.put(c, u.get());
            if (earliest == null || u.get().timestamp().isBefore(earliest.timestamp())) {
                earliest = u.get();
            }
        }
        return earliest == null ? Optional.empty() : Optional.of(new PodUsage(earliest, out));
    }

    /** Points held, for the {@code metrics_server_storage_points} gauges. */
    int nodePoints() {
        return state.prevNodes().size();
    }

    int containerPoints() {
        return state.prevPods().values().stream().mapToInt(Map::size).sum();
    }

    /** The nodes of the last scrape (for tests and logs). */
    List<String> nodes() {
        return List.copyOf(state.lastNodes().keySet());
    }
}
