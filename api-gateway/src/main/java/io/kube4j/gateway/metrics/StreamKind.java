package io.kube4j.gateway.metrics;

import io.kube4j.gateway.routing.LongRunningRequests;
import org.springframework.http.server.reactive.ServerHttpRequest;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The kinds of long-running request counted by {@code gateway_active_streams{kind}}. */
public enum StreamKind {
    WATCH, EXEC, ATTACH, PORTFORWARD, LOG, PROXY;

    /** The tag value ({@code watch}, {@code exec}, ...). */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind of a long-running request, or empty for an ordinary one ({@link LongRunningRequests}). */
    public static Optional<StreamKind> of(ServerHttpRequest request) {
        if (!LongRunningRequests.is(request)) {
            return Optional.empty();
        }
        if (LongRunningRequests.isWatch(request)) {
            return Optional.of(WATCH);
        }
        List<String> segments = java.util.Arrays.stream(request.getPath().pathWithinApplication().value().split("/"))
                .filter(s -> !s.isEmpty()).toList();
        String last = segments.isEmpty() ? "" : segments.get(segments.size() - 1);
        return Optional.of(switch (last) {
            case "exec" -> EXEC;
            case "attach" -> ATTACH;
            case "portforward" -> PORTFORWARD;
            case "log" -> LOG;
            default -> PROXY; // pods/services/nodes proxy, any other WebSocket upgrade
        });
    }
}
