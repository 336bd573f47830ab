package io.kube4j.addons.ingress.proxy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code kube4j_ingress_requests_total{ingress,namespace,host,status}} and
 * {@code kube4j_ingress_request_duration_seconds{ingress,namespace,host}}. The host label is the rule's host as
 * written (a wildcard stays {@code *.example.com}, the default backend is {@code *}, unrouted requests are {@code _}),
 * never the request's Host header, so clients cannot blow up the label cardinality.
 */
public final class IngressMetrics {

    public static final String REQUESTS = "kube4j.ingress.requests";
    public static final String DURATION = "kube4j.ingress.request.duration";

    private final MeterRegistry registry;
    /** Meters by label values: the registry's own lookup builds and sorts tags on every call, per request here. */
    private final Map<CounterKey, Counter> counters = new ConcurrentHashMap<>();
    private final Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();

    private record CounterKey(String namespace, String ingress, String host, int status) {
    }

    private record TimerKey(String namespace, String ingress, String host) {
    }

    public IngressMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void record(String namespace, String ingress, String host, int status, long nanos) {
        counters.computeIfAbsent(new CounterKey(namespace, ingress, host, status), k -> Counter.builder(REQUESTS)
                .description("Requests served by the ingress controller")
                .tags("ingress", k.ingress(), "namespace", k.namespace(), "host", k.host(),
                        "status", Integer.toString(k.status()))
                .register(registry)).increment();
        timers.computeIfAbsent(new TimerKey(namespace, ingress, host), k -> Timer.builder(DURATION)
                .description("Time from request to the end of the proxied response")
                .tags("ingress", k.ingress(), "namespace", k.namespace(), "host", k.host())
                .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }
}
