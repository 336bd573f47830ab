package io.kube4j.proxy.health;

import io.kube4j.proxy.SyncResult;
import io.kube4j.proxy.model.EndpointInfo;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.model.ServicePortInfo;
import io.kube4j.proxy.model.ServicePortName;
import io.kube4j.proxy.sync.SyncListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerResponse;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Health checks for load balancers (kube-proxy's {@code pkg/proxy/healthcheck/service_health.go}): for every Service
 * with {@code externalTrafficPolicy: Local} and a {@code healthCheckNodePort}, an HTTP listener on that port that
 * answers any path with 200 when this node has ready local endpoints for the Service (and the proxy is healthy), 503
 * otherwise, so that a load balancer only sends traffic to nodes that will not have to drop it:
 * {@code {"service": {"namespace": ..., "name": ...}, "localEndpoints": N, "serviceProxyHealthy": ...}} and header
 * {@code X-Load-Balancing-Endpoint-Weight: N}.
 *
 * <p>Driven by the applied {@link ProxyState} after each successful sync ({@link SyncListener}); listeners are opened
 * and closed as Services come and go. A port that cannot be bound (in use) is logged and retried at the next sync,
 * the other Services keep theirs, as kube-proxy does.
 */
public final class ServiceHealthServer implements SyncListener {

    private static final Logger log = LoggerFactory.getLogger(ServiceHealthServer.class);

    private final String host;
    private final BooleanSupplier proxyHealthy;
    /** serviceKey → its listener. */
    private final Map<String, Listener> listeners = new HashMap<>();
    /** serviceKey → ready local endpoints (distinct IPs across the Service's ports). */
    private final Map<String, Integer> localEndpoints = new ConcurrentHashMap<>();

    private record Listener(int port, DisposableServer server) {
    }

    /**
     * @param host         address to bind ({@code 0.0.0.0}: the node's addresses, where the load balancer probes)
     * @param proxyHealthy whether the proxy as a whole is healthy (kube-proxy answers 503 for every Service when not)
     */
    public ServiceHealthServer(String host, BooleanSupplier proxyHealthy) {
        this.host = Objects.requireNonNull(host, "host");
        this.proxyHealthy = Objects.requireNonNull(proxyHealthy, "proxyHealthy");
    }

    @Override
    public void syncSucceeded(ProxyState state, SyncResult result) {
        update(state);
    }

    /** Opens, closes and updates the listeners to match {@code state}. */
    public synchronized void update(ProxyState state) {
        Map<String, Integer> ports = new TreeMap<>();
        for (ServicePortInfo info : state.services().values()) {
            if (info.externalPolicyLocal() && info.healthCheckNodePort() > 0) {
                ports.put(info.name().serviceKey(), info.healthCheckNodePort());
            }
        }
        Map<String, Set<String>> localIPs = new HashMap<>();
        for (Map.Entry<ServicePortName, java.util.List<EndpointInfo>> e : state.endpoints().entrySet()) {
            String key = e.getKey().serviceKey();
            if (!ports.containsKey(key)) {
                continue;
            }
            for (EndpointInfo ep : e.getValue()) {
                if (ep.local() && ep.ready()) {
                    localIPs.computeIfAbsent(key, k -> new HashSet<>()).add(ep.ip());
                }
            }
        }
        for (String key : ports.keySet()) {
            localEndpoints.put(key, localIPs.getOrDefault(key, Set.of()).size());
        }
        localEndpoints.keySet().retainAll(ports.keySet());

        for (var it = listeners.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Listener> e = it.next();
            Integer want = ports.get(e.getKey());
            if (want == null || want != e.getValue().port()) {
                close(e.getKey(), e.getValue());
                it.remove();
            }
        }
        ports.forEach((key, port) -> {
            if (!listeners.containsKey(key)) {
                Listener l = open(key, port);
                if (l != null) {
                    listeners.put(key, l);
                }
            }
        });
    }

    /** serviceKey → the port its health check listens on (the ones actually bound). */
    public synchronized Map<String, Integer> listening() {
        Map<String, Integer> out = new TreeMap<>();
        listeners.forEach((k, l) -> out.put(k, l.port()));
        return out;
    }

    /** Closes every listener. */
    public synchronized void stop() {
        listeners.forEach(this::close);
        listeners.clear();
        localEndpoints.clear();
    }

    private Listener open(String key, int port) {
        try {
            DisposableServer server = HttpServer.create().host(host).port(port)
                    .handle((req, res) -> answer(key, res))
                    .bindNow(Duration.ofSeconds(10));
            log.info("health check for Service {} listening on {}:{}", key, host, port);
            return new Listener(port, server);
        } catch (RuntimeException e) {
            log.error("cannot open the health check port {}:{} of Service {} (retried at the next sync): {}",
                    host, port, key, e.getMessage());
            return null;
        }
    }

    private void close(String key, Listener l) {
        l.server().disposeNow(Duration.ofSeconds(5));
        log.info("health check for Service {} on port {} closed", key, l.port());
    }

    private Mono<Void> answer(String key, HttpServerResponse res) {
        int count = localEndpoints.getOrDefault(key, 0);
        boolean healthy = proxyHealthy.getAsBoolean();
        int slash = key.indexOf('/');
        String body = "{\"service\": {\"namespace\": " + quote(key.substring(0, slash)) + ", \"name\": "
                + quote(key.substring(slash + 1)) + "}, \"localEndpoints\": " + count
                + ", \"serviceProxyHealthy\": " + healthy + "}";
        return res.status(count > 0 && healthy ? 200 : 503)
                .header("Content-Type", "application/json")
                .header("X-Content-Type-Options", "nosniff")
                .header("X-Load-Balancing-Endpoint-Weight", Integer.toString(count))
                .sendString(Mono.just(body), StandardCharsets.UTF_8).then();
    }

    /** Namespaces and names are DNS labels, but quote them properly anyway. */
    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
