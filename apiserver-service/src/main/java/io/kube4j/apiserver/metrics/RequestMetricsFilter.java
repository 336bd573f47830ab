package io.kube4j.apiserver.metrics;

import io.kube4j.apiserver.rest.ResourceHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records {@code apiserver_request_total{verb,resource,code}} and
 * {@code apiserver_request_duration_seconds{verb,resource}} for every API request (watches are counted, and
 * timed until they end, under verb WATCH, as Kubernetes does). Meters are looked up once per tag combination.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class RequestMetricsFilter implements WebFilter {

    private record CounterKey(String verb, String resource, int code) {
    }

    private record TimerKey(String verb, String resource) {
    }

    private final MeterRegistry meters;
    private final Map<CounterKey, Counter> counters = new ConcurrentHashMap<>();
    private final Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();

    public RequestMetricsFilter(MeterRegistry meters) {
        this.meters = meters;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        long start = System.nanoTime();
        return chain.filter(exchange).doFinally(s -> {
            Object verb = exchange.getAttribute(ResourceHandler.VERB_ATTRIBUTE);
            if (verb == null) {
                return;
            }
            String resource = String.valueOf(exchange.getAttributes().get(ResourceHandler.RESOURCE_ATTRIBUTE));
            String v = verb.toString().toUpperCase();
            var status = exchange.getResponse().getStatusCode();
            int code = status == null ? 200 : status.value();
            counters.computeIfAbsent(new CounterKey(v, resource, code), k -> Counter.builder("apiserver_request_total")
                    .description("Counter of apiserver requests")
                    .tag("verb", k.verb()).tag("resource", k.resource()).tag("code", Integer.toString(k.code()))
                    .register(meters)).increment();
            timers.computeIfAbsent(new TimerKey(v, resource), k -> Timer.builder("apiserver_request_duration_seconds")
                    .description("Response latency distribution")
                    .tag("verb", k.verb()).tag("resource", k.resource())
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(60))
                    .register(meters)).record(Duration.ofNanos(System.nanoTime() - start));
        });
    }
}
