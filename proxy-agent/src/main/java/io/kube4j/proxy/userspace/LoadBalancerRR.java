package io.kube4j.proxy.userspace;

import io.kube4j.proxy.model.ServicePortInfo;
import io.kube4j.proxy.model.ServicePortName;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Round-robin choice of an endpoint ({@code ip:port}) per Service port, with {@code sessionAffinity: ClientIP}
 * (kube-proxy's userspace {@code LoadBalancerRR}, roundrobin.go).
 *
 * <p>As kube-proxy: a new endpoint list is shuffled and the round-robin index reset, but only when the set of
 * endpoints actually changed (so an unchanged resync does not disturb the rotation); affinity records whose endpoint
 * left are dropped; an affinity record is honoured while fewer than {@code ttlSeconds} whole seconds have passed
 * since it was last used, and each use refreshes it; {@code sessionAffinityReset} (a connection to the remembered
 * endpoint failed) skips the record and rebinds the client to the next endpoint. Thread-safe (one coarse lock, as
 * kube-proxy's).
 */
public final class LoadBalancerRR {

    private final Clock clock;
    private final Random random;
    private final Map<ServicePortName, BalancerState> services = new HashMap<>();

    /** A load balancer on the system clock that shuffles new endpoint lists randomly. */
    public LoadBalancerRR() {
        this(Clock.systemUTC(), new Random());
    }

    /** A load balancer on {@code clock} (affinity timeouts) that shuffles new endpoint lists with {@code random}. */
    public LoadBalancerRR(Clock clock, Random random) {
        this.clock = clock;
        this.random = random;
    }

    /**
     * Creates the Service port if it is new, and sets its affinity (kube-proxy's {@code NewService}).
     * {@code ttlSeconds <= 0} means Kubernetes' default of 3 hours. Turning affinity off forgets every client.
     */
    public synchronized void newService(ServicePortName name, boolean clientIPAffinity, int ttlSeconds) {
        BalancerState state = services.computeIfAbsent(name, n -> new BalancerState());
        if (state.clientIPAffinity && !clientIPAffinity) {
            state.affinity.clear();
        }
        state.clientIPAffinity = clientIPAffinity;
        state.ttlSeconds = ttlSeconds > 0 ? ttlSeconds : ServicePortInfo.DEFAULT_STICKY_MAX_AGE_SECONDS;
    }

    /** Forgets the Service port, its endpoints and its clients. */
    public synchronized void deleteService(ServicePortName name) {
        services.remove(name);
    }

    /**
     * Sets the endpoints ({@code ip:port}) of a Service port, creating it (without affinity) if unknown.
     *
     * @return true when the set changed (then the list was shuffled, the index reset and clients of endpoints that
     *         left forgotten); false when it is the same set (nothing touched)
     */
    public synchronized boolean updateEndpoints(ServicePortName name, List<String> endpoints) {
        BalancerState state = services.computeIfAbsent(name, n -> new BalancerState());
        Set<String> next = new HashSet<>(endpoints);
        if (next.size() == state.endpoints.size() && next.equals(new HashSet<>(state.endpoints))) {
            return false;
        }
        state.affinity.values().removeIf(a -> !next.contains(a.endpoint));
        List<String> shuffled = new ArrayList<>(next);
        Collections.sort(shuffled); // a set's iteration order must not leak into the result: shuffle from a fixed order
        Collections.shuffle(shuffled, random);
        state.endpoints = List.copyOf(shuffled);
        state.index = 0;
        return true;
    }

    /** Forgets every Service port not in {@code keep}. */
    public synchronized void retainServices(java.util.Collection<ServicePortName> keep) {
        services.keySet().retainAll(new HashSet<>(keep));
    }

    /** True when the Service port is known and has at least one endpoint. */
    public synchronized boolean serviceHasEndpoints(ServicePortName name) {
        BalancerState state = services.get(name);
        return state != null && !state.endpoints.isEmpty();
    }

    /** The endpoints in their rotation order (a copy). */
    public synchronized List<String> endpoints(ServicePortName name) {
        BalancerState state = services.get(name);
        return state == null ? List.of() : state.endpoints;
    }

    /**
     * The endpoint a new connection (or UDP session) from {@code client} should go to.
     *
     * @param sessionAffinityReset true when the previous attempt for this client failed: ignore its affinity record
     *                             and bind it to the next endpoint instead
     * @throws NoEndpointException when the Service port is unknown or has no endpoints
     */
    public synchronized String nextEndpoint(ServicePortName name, InetSocketAddress client, boolean sessionAffinityReset) {
        BalancerState state = services.get(name);
        if (state == null) {
            throw new NoEndpointException("no service entry for " + name);
        }
        if (state.endpoints.isEmpty()) {
            throw new NoEndpointException("service " + name + " has no endpoints");
        }
        Instant now = clock.instant();
        String clientIP = null;
        if (state.clientIPAffinity) {
            clientIP = clientIP(client);
            Affinity a = state.affinity.get(clientIP);
            if (!sessionAffinityReset && a != null && !expired(a, state, now)) {
                a.lastUsed = now;
                return a.endpoint;
            }
        }
        String endpoint = state.endpoints.get(state.index);
        state.index = (state.index + 1) % state.endpoints.size();
        if (clientIP != null) {
            Affinity a = state.affinity.computeIfAbsent(clientIP, ip -> new Affinity());
            a.endpoint = endpoint;
            a.lastUsed = now;
        }
        return endpoint;
    }

    /** Drops the affinity records of the Service port that have expired (kube-proxy does it at every sync). */
    public synchronized void cleanupStaleStickySessions(ServicePortName name) {
        BalancerState state = services.get(name);
        if (state != null) {
            Instant now = clock.instant();
            state.affinity.values().removeIf(a -> expired(a, state, now));
        }
    }

    /** Number of clients the Service port currently remembers (for tests and debugging). */
    public synchronized int affinityCount(ServicePortName name) {
        BalancerState state = services.get(name);
        return state == null ? 0 : state.affinity.size();
    }

    private static boolean expired(Affinity a, BalancerState state, Instant now) {
        // kube-proxy: int(time.Since(lastUsed).Seconds()) < ttlSeconds keeps it, i.e. whole seconds, truncated
        return Duration.between(a.lastUsed, now).getSeconds() >= state.ttlSeconds;
    }

    private static String clientIP(InetSocketAddress client) {
        if (client == null) {
            throw new IllegalArgumentException("session affinity needs the client's address");
        }
        InetAddress ip = client.getAddress();
        return ip != null ? ip.getHostAddress() : client.getHostString();
    }

    /** Thrown when a Service port cannot be served: unknown, or without endpoints. */
    public static final class NoEndpointException extends RuntimeException {
        public NoEndpointException(String message) {
            super(message);
        }
    }

    private static final class BalancerState {
        List<String> endpoints = List.of();
        int index;
        boolean clientIPAffinity;
        int ttlSeconds = ServicePortInfo.DEFAULT_STICKY_MAX_AGE_SECONDS;
        final Map<String, Affinity> affinity = new HashMap<>();
    }

    private static final class Affinity {
        String endpoint;
        Instant lastUsed;
    }
}
