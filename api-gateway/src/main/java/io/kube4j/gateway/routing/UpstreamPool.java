package io.kube4j.gateway.routing;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The apiserver replicas the gateway balances over: least outstanding requests among the healthy ones (in-flight
 * requests counted per replica, long-running ones included), ties broken round-robin.
 */
public final class UpstreamPool {

    private final List<UpstreamReplica> replicas;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLong retries = new AtomicLong();

    public UpstreamPool(List<UpstreamReplica> replicas) {
        if (replicas.isEmpty()) {
            throw new IllegalArgumentException("kube4j.gateway.upstream.servers is empty: name at least one apiserver");
        }
        this.replicas = List.copyOf(replicas);
    }

    public static UpstreamPool of(UpstreamProperties properties) {
        return new UpstreamPool(properties.servers().stream()
                .map(s -> new UpstreamReplica(s, properties.unhealthyThreshold(), properties.healthyThreshold()))
                .toList());
    }

    public List<UpstreamReplica> replicas() {
        return replicas;
    }

    /**
     * The healthy replica, not in {@code excluded}, with the fewest outstanding requests; among equals the one after
     * the previous pick's start in round-robin order. Null when none is left.
     */
    public UpstreamReplica select(Collection<UpstreamReplica> excluded) {
        int n = replicas.size();
        int start = Math.floorMod(next.getAndIncrement(), n);
        UpstreamReplica best = null;
        int bestLoad = Integer.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            UpstreamReplica r = replicas.get((start + i) % n);
            if (!r.healthy() || excluded.contains(r)) {
                continue;
            }
            int load = r.outstanding();
            if (load < bestLoad) {
                best = r;
                bestLoad = load;
            }
        }
        return best;
    }

    /** Whether some healthy replica outside {@code excluded} is left. */
    public boolean hasOther(Collection<UpstreamReplica> excluded) {
        return replicas.stream().anyMatch(r -> r.healthy() && !excluded.contains(r));
    }

    /** Counts a request sent again to another replica. */
    public void recordRetry() {
        retries.incrementAndGet();
    }

    public long retries() {
        return retries.get();
    }
}
