package io.kube4j.gateway.routing;

import org.springframework.http.server.reactive.ServerHttpRequest;

import java.util.List;
import java.util.Set;

/**
 * Which requests are long-running, as kube-apiserver's {@code LongRunningRequestCheck} decides: watches
 * ({@code ?watch=true|1} or a {@code /watch/} path), followed logs ({@code pods/log?follow=true}), the streaming
 * subresources ({@code exec}, {@code attach}, {@code portforward}, {@code proxy}) and any WebSocket upgrade. They get
 * no response timeout, are never retried once the upstream answered, are counted as active streams, and do not
 * count against request-rate limits beyond their start.
 */
public final class LongRunningRequests {

    private static final Set<String> STREAMING_SUBRESOURCES = Set.of("exec", "attach", "portforward", "proxy");

    private LongRunningRequests() {
    }

    public static boolean is(ServerHttpRequest request) {
        if ("websocket".equalsIgnoreCase(request.getHeaders().getUpgrade())) {
            return true;
        }
        if (isWatch(request)) {
            return true;
        }
        List<String> segments = segments(request.getPath().pathWithinApplication().value());
        if (segments.isEmpty()) {
            return false;
        }
        String last = segments.get(segments.size() - 1);
        if (STREAMING_SUBRESOURCES.contains(last) || segments.contains("proxy")) {
            return true;
        }
        return "log".equals(last) && truthy(request.getQueryParams().getFirst("follow"));
    }

    /** A watch: {@code ?watch=true} (or 1), or the legacy {@code /watch/} path prefix. */
    public static boolean isWatch(ServerHttpRequest request) {
        if (truthy(request.getQueryParams().getFirst("watch"))) {
            return true;
        }
        List<String> s = segments(request.getPath().pathWithinApplication().value());
        // /api/v1/watch/... or /apis/<group>/<version>/watch/...
        return (s.size() > 2 && s.get(0).equals("api") && s.get(2).equals("watch"))
                || (s.size() > 3 && s.get(0).equals("apis") && s.get(3).equals("watch"));
    }

    private static boolean truthy(String v) {
        return v != null && (v.equalsIgnoreCase("true") || v.equals("1"));
    }

    private static List<String> segments(String path) {
        return java.util.Arrays.stream(path.split("/")).filter(x -> !x.isEmpty()).toList();
    }
}
