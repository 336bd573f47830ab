package io.kube4j.gateway.routing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One apiserver replica of the pool: its address, its health (active {@code /readyz} checks with thresholds, and
 * passive marking when a connection to it fails) and its in-flight request count, the load that the
 * least-outstanding-requests selection compares. Replicas start healthy, so the gateway serves from its first
 * request; the first check runs at once.
 */
public final class UpstreamReplica {

    private static final Logger log = LoggerFactory.getLogger(UpstreamReplica.class);

    private final String server;
    private final String scheme;
    private final String authority;
    private final String basePath;
    private final int unhealthyThreshold;
    private final int healthyThreshold;
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicLong served = new AtomicLong();
    private volatile boolean healthy = true;
    private boolean passivelyMarked;
    private int consecutiveFailures;
    private int consecutiveSuccesses;

    public UpstreamReplica(String server, int unhealthyThreshold, int healthyThreshold) {
        URI uri = URI.create(server);
        if (uri.getScheme() == null || uri.getRawAuthority() == null) {
            throw new IllegalArgumentException("not an absolute apiserver URL: " + server);
        }
        this.server = server;
        this.scheme = uri.getScheme();
        this.authority = uri.getRawAuthority();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.unhealthyThreshold = unhealthyThreshold;
        this.healthyThreshold = healthyThreshold;
    }

    /** The URL as configured (the {@code server} tag of the pool's metrics). */
    public String server() {
        return server;
    }

    public boolean healthy() {
        return healthy;
    }

    /** Requests sent to this replica whose exchange has not finished (watches and exec sessions included). */
    public int outstanding() {
        return outstanding.get();
    }

    /** Requests ever sent to this replica. */
    public long served() {
        return served.get();
    }

    /** Counts a request as in flight until {@link Lease#release()}. */
    public Lease acquire() {
        outstanding.incrementAndGet();
        served.incrementAndGet();
        return new Lease(this);
    }

    /**
     * {@code requestUrl} (the gateway's view: path and raw query as the client sent them, encoded characters kept)
     * on this replica.
     */
    public URI rewrite(URI requestUrl) {
        StringBuilder b = new StringBuilder(scheme).append("://").append(authority).append(basePath);
        String path = requestUrl.getRawPath();
        b.append(path == null || path.isEmpty() ? "/" : path);
        if (requestUrl.getRawQuery() != null) {
            b.append('?').append(requestUrl.getRawQuery());
        }
        return URI.create(b.toString());
    }

    /** An active check's result. */
    public synchronized void recordCheck(boolean ok, String detail) {
        if (ok) {
            consecutiveFailures = 0;
            consecutiveSuccesses++;
            if (!healthy && (passivelyMarked || consecutiveSuccesses >= healthyThreshold)) {
                healthy = true;
                passivelyMarked = false;
                log.info("apiserver replica {} is healthy again ({})", server, detail);
            }
        } else {
            consecutiveSuccesses = 0;
            consecutiveFailures++;
            if (healthy && consecutiveFailures >= unhealthyThreshold) {
                healthy = false;
                log.warn("apiserver replica {} is unhealthy after {} failed checks: {}", server, consecutiveFailures,
                        detail);
            }
        }
    }

    /**
     * Passive marking: a connection to this replica was refused or reset. It is out of the selection until its next
     * good check.
     *
     * @return whether this changed its state (the caller then checks it at once)
     */
    public synchronized boolean markFailed(Throwable cause) {
        consecutiveSuccesses = 0;
        if (!healthy) {
            return false;
        }
        healthy = false;
        passivelyMarked = true;
        log.warn("apiserver replica {} is out until its next good health check: {}", server, String.valueOf(cause));
        return true;
    }

    @Override
    public String toString() {
        return server + (healthy ? "" : " (unhealthy)") + " outstanding=" + outstanding.get();
    }

    /** One request's hold on a replica; released once, whatever calls it first. */
    public static final class Lease {
        private final UpstreamReplica replica;
        private final AtomicBoolean released = new AtomicBoolean();

        private Lease(UpstreamReplica replica) {
            this.replica = replica;
        }

        public UpstreamReplica replica() {
            return replica;
        }

        public void release() {
            if (released.compareAndSet(false, true)) {
                replica.outstanding.decrementAndGet();
            }
        }
    }
}
