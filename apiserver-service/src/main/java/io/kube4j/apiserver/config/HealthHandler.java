package io.kube4j.apiserver.config;

import io.kube4j.apiserver.watch.WatchCacheManager;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** {@code /healthz}, {@code /livez} (the process serves) and {@code /readyz} (the watch cache is in sync). */
public final class HealthHandler {

    private final WatchCacheManager caches;

    public HealthHandler(WatchCacheManager caches) {
        this.caches = caches;
    }

    public Mono<ServerResponse> healthz(ServerRequest r) {
        return ServerResponse.ok().contentType(MediaType.TEXT_PLAIN).bodyValue("ok");
    }

    public Mono<ServerResponse> readyz(ServerRequest r) {
        if (caches.isReady()) {
            return ServerResponse.ok().contentType(MediaType.TEXT_PLAIN).bodyValue("ok");
        }
        return ServerResponse.status(503).contentType(MediaType.TEXT_PLAIN)
                .bodyValue("[-]watch-cache failed: not synced with storage yet\nreadyz check failed");
    }
}
