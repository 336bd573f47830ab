package io.kube4j.proxy.userspace;

import io.kube4j.proxy.model.ServicePortName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.BiFunction;

/**
 * kube-proxy's {@code tryConnect}: asks the load balancer for an endpoint and connects to it; when that fails, asks
 * for the next one (with {@code sessionAffinityReset}, so a client pinned to a dead endpoint is re-pinned) with a
 * doubled timeout, up to {@link ProxyContext#connectAttempts()} endpoints (kube-proxy: 250 ms, 500 ms, 1 s, 2 s).
 */
final class EndpointDialer {

    private static final Logger log = LoggerFactory.getLogger(EndpointDialer.class);

    private EndpointDialer() {
    }

    /**
     * @param connect opens a connection to an endpoint within a timeout
     * @return the first connection that succeeds; an error when the service has no endpoint
     *         ({@link LoadBalancerRR.NoEndpointException}) or every attempt failed
     */
    static <T> Mono<T> dial(ServicePortName service, InetSocketAddress client, ProxyContext ctx,
                            BiFunction<InetSocketAddress, Duration, Mono<T>> connect) {
        return Mono.defer(() -> attempt(service, client, ctx, connect, 0, false));
    }

    private static <T> Mono<T> attempt(ServicePortName service, InetSocketAddress client, ProxyContext ctx,
                                       BiFunction<InetSocketAddress, Duration, Mono<T>> connect, int n, boolean reset) {
        String endpoint;
        try {
            endpoint = ctx.loadBalancer().nextEndpoint(service, client, reset);
        } catch (LoadBalancerRR.NoEndpointException e) {
            ctx.metrics().noEndpoints();
            return Mono.error(e);
        }
        Duration timeout = ctx.connectTimeout().multipliedBy(1L << n);
        return connect.apply(parse(endpoint), timeout).onErrorResume(e -> {
            ctx.metrics().dialFailed();
            log.debug("service {}: connecting to endpoint {} for {} failed (attempt {}): {}", service, endpoint, client,
                    n + 1, e.toString());
            if (n + 1 >= ctx.connectAttempts()) {
                return Mono.error(new DialException("service " + service + ": failed to connect to an endpoint after "
                        + ctx.connectAttempts() + " attempts, the last to " + endpoint + ": " + e.getMessage(), e));
            }
            return attempt(service, client, ctx, connect, n + 1, true);
        });
    }

    /** Every attempt to reach an endpoint failed; the message names the service and the last endpoint tried. */
    static final class DialException extends RuntimeException {
        DialException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** {@code ip:port} to a resolved address (the ip is a literal: no name lookup). */
    static InetSocketAddress parse(String endpoint) {
        int colon = endpoint.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("endpoint \"" + endpoint + "\" is not ip:port");
        }
        return new InetSocketAddress(endpoint.substring(0, colon), Integer.parseInt(endpoint.substring(colon + 1)));
    }
}
