package io.kube4j.apiserver.config;

import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * {@code /healthz}, {@code /livez} (the process serves) and {@code /readyz}: the watch cache is in sync, and the
 * storage answers within {@link #STORAGE_TIMEOUT} (kube-apiserver's {@code etcd} readiness check and its
 * {@code --etcd-healthcheck-timeout}), so that an apiserver cut off from etcd leaves a load balancer's rotation
 * instead of answering every request with a 503 after the etcd request deadline. Liveness leaves the storage out, as
 * kube-apiserver's does: restarting an apiserver does not bring etcd back.
 */
public final class HealthHandler {

    /** How long the storage probe may take (kube-apiserver's {@code --etcd-healthcheck-timeout} default). */
    public static final Duration STORAGE_TIMEOUT = Duration.ofSeconds(2);
    /** Probes within this time share one storage round trip, so that many probers do not load etcd. */
    static final Duration PROBE_REUSE = Duration.ofSeconds(1);

    private final BooleanSupplier cachesReady;
    private final Supplier<Mono<?>> storageProbe;
    private final Duration storageTimeout;
    private volatile Mono<Boolean> lastProbe;
    private volatile long lastProbeNanos;

    /**
     * @param cachesReady    whether the watch caches are in sync with the storage
     * @param storageProbe   one cheap storage round trip (the current revision)
     * @param storageTimeout how long that round trip may take before the storage counts as unreachable
     */
    public HealthHandler(BooleanSupplier cachesReady, Supplier<Mono<?>> storageProbe, Duration storageTimeout) {
        this.cachesReady = cachesReady;
        this.storageProbe = storageProbe;
        this.storageTimeout = storageTimeout;
    }

    public Mono<ServerResponse> healthz(ServerRequest r) {
        return ServerResponse.ok().contentType(MediaType.TEXT_PLAIN).bodyValue("ok");
    }

    public Mono<ServerResponse> readyz(ServerRequest r) {
        if (!cachesReady.getAsBoolean()) {
            return notReady("[-]watch-cache failed: not synced with storage yet");
        }
        return storageReachable().flatMap(ok -> ok
                ? ServerResponse.ok().contentType(MediaType.TEXT_PLAIN).bodyValue("ok")
                : notReady("[-]etcd failed: the storage did not answer within " + storageTimeout.toMillis() + "ms"));
    }

    private static Mono<ServerResponse> notReady(String check) {
        return ServerResponse.status(503).contentType(MediaType.TEXT_PLAIN)
                .bodyValue(check + "\nreadyz check failed");
    }

    private Mono<Boolean> storageReachable() {
        long now = System.nanoTime();
        Mono<Boolean> probe = lastProbe;
        if (probe == null || now - lastProbeNanos > PROBE_REUSE.toNanos()) {
            // a race here costs one extra round trip at most
            probe = Mono.defer(storageProbe).timeout(storageTimeout).map(x -> true).onErrorReturn(false)
                    .defaultIfEmpty(true).cache();
            lastProbe = probe;
            lastProbeNanos = now;
        }
        return probe;
    }
}
