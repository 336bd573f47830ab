package io.kube4j.proxy.userspace;

import java.net.InetSocketAddress;

/**
 * One listening socket of the userspace proxy, serving one Service port (kube-proxy's {@code ProxySocket}): every
 * connection (TCP) or client (UDP) it accepts is proxied to an endpoint the {@link LoadBalancerRR} picks.
 */
interface ProxySocket extends AutoCloseable {

    /** The address it listens on (with the real port when an ephemeral one was asked for). */
    InetSocketAddress address();

    /** Stops listening; TCP connections already proxied stay up, UDP sessions are closed. Idempotent. */
    @Override
    void close();
}
