package io.kube4j.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's own meters (Prometheus names): {@code gateway_requests_total{route,method,code}},
 * {@code gateway_request_duration_seconds{route,method}} (a histogram; time to the response headers),
 * {@code gateway_active_streams{kind}} and {@code gateway_rate_limited_total{reason}}.
 */
public final class GatewayMetrics {

    /** The route tag of the gateway's own answers and paths (no Spring Cloud Gateway route handled them). */
    public static final String NO_ROUTE = "none";
    public static final String RATE_LIMITED_USER = "user";
    public static final String RATE_LIMITED_FAILED_AUTH = "failed-auth";

    private final MeterRegistry registry;
    private final Map<StreamKind, AtomicInteger> active = new EnumMap<>(StreamKind.class);

    public GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (StreamKind kind : StreamKind.values()) {
            AtomicInteger n = new AtomicInteger();
            active.put(kind, n);
            Gauge.builder("gateway.active.streams", n, AtomicInteger::get)
                    .description("Long-running requests (watches, exec/attach/port-forward sessions, followed logs,"
                            + " proxies) open now")
                    .tag("kind", kind.tag()).register(registry);
        }
        rateLimitedCounter(RATE_LIMITED_USER);
        rateLimitedCounter(RATE_LIMITED_FAILED_AUTH);
    }

    /** One finished (or, for a long-running request, answered) request. */
    public void request(String route, String method, int code, Duration duration) {
        Counter.builder("gateway.requests").description("Requests the gateway answered")
                .tag("route", route).tag("method", method).tag("code", Integer.toString(code))
                .register(registry).increment();
        Timer.builder("gateway.request.duration")
                .description("Time until the response headers (for long-running requests too)")
                .tag("route", route).tag("method", method)
                .publishPercentileHistogram()
                .register(registry).record(duration);
    }

    /** A request refused with 429 ({@link #RATE_LIMITED_USER} or {@link #RATE_LIMITED_FAILED_AUTH}). */
    public void rateLimited(String reason) {
        rateLimitedCounter(reason).increment();
    }

    /** A stream of this kind started; the caller calls {@link #streamEnded} exactly once. */
    public void streamStarted(StreamKind kind) {
        active.get(kind).incrementAndGet();
    }

    public void streamEnded(StreamKind kind) {
        active.get(kind).decrementAndGet();
    }

    /** The number of open streams of this kind. */
    public int activeStreams(StreamKind kind) {
        return active.get(kind).get();
    }

    private Counter rateLimitedCounter(String reason) {
        return Counter.builder("gateway.rate.limited").description("Requests refused with 429 by the gateway")
                .tag("reason", reason).register(registry);
    }
}
