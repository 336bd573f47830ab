package io.kube4j.gateway.ratelimit;

import org.springframework.web.server.ServerWebExchange;

import java.net.InetSocketAddress;

/**
 * The client's IP address as the gateway's socket sees it (forwarding headers are not trusted: the gateway is the
 * edge).
 */
final class ClientAddress {

    private ClientAddress() {
    }

    static String of(ServerWebExchange exchange) {
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        if (remote == null) {
            return "unknown";
        }
        return remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
    }
}
