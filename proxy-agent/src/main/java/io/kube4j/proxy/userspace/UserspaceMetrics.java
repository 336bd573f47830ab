package io.kube4j.proxy.userspace;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The userspace proxy's own metrics. kube-proxy's userspace mode had none; these names are kube4j's:
 * {@code kubeproxy_userspace_active_connections{protocol=tcp|udp}} (TCP connections being proxied, UDP client
 * sessions open) and {@code kubeproxy_userspace_connection_errors_total{reason=no_endpoints|dial|io}} (connections
 * refused for want of an endpoint, failed attempts to reach an endpoint, I/O errors while proxying) and
 * {@code kubeproxy_userspace_unserved_service_ports} (service ports whose listener or node port cannot be opened).
 */
final class UserspaceMetrics {

    final AtomicInteger tcpActive = new AtomicInteger();
    final AtomicInteger udpActive = new AtomicInteger();
    final AtomicInteger unserved = new AtomicInteger();
    private final Counter noEndpoints;
    private final Counter dial;
    private final Counter io;

    UserspaceMetrics(MeterRegistry registry) {
        Gauge.builder("kubeproxy_userspace_active_connections", tcpActive, AtomicInteger::get)
                .description("Connections (TCP) and client sessions (UDP) the userspace proxy is carrying")
                .tag("protocol", "tcp").register(registry);
        Gauge.builder("kubeproxy_userspace_active_connections", udpActive, AtomicInteger::get)
                .description("Connections (TCP) and client sessions (UDP) the userspace proxy is carrying")
                .tag("protocol", "udp").register(registry);
        Gauge.builder("kubeproxy_userspace_unserved_service_ports", unserved, AtomicInteger::get)
                .description("Service ports the userspace proxy cannot serve now (port taken, cannot bind)")
                .register(registry);
        noEndpoints = counter(registry, "no_endpoints");
        dial = counter(registry, "dial");
        io = counter(registry, "io");
    }

    private static Counter counter(MeterRegistry registry, String reason) {
        return Counter.builder("kubeproxy_userspace_connection_errors")
                .description("Connections the userspace proxy could not carry, by reason")
                .tag("reason", reason).register(registry);
    }

    void noEndpoints() {
        noEndpoints.increment();
    }

    void dialFailed() {
        dial.increment();
    }

    void ioError() {
        io.increment();
    }
}
