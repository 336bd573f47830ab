package io.kube4j.proxy.userspace;

import reactor.netty.resources.LoopResources;

import java.time.Duration;

/**
 * What every {@link ProxySocket} of one proxier shares: the load balancer, the event loops, the timeouts, the metrics.
 *
 * @param loadBalancer     picks endpoints
 * @param loops            Reactor Netty event loops of the proxier
 * @param connectTimeout   the first attempt's TCP connect timeout; each retry doubles it
 * @param connectAttempts  endpoints tried per connection before giving up (kube-proxy: 4)
 * @param udpIdleTimeout   a UDP client session closes after this long without a datagram either way
 * @param metrics          the proxier's meters
 */
record ProxyContext(LoadBalancerRR loadBalancer, LoopResources loops, Duration connectTimeout, int connectAttempts,
                    Duration udpIdleTimeout, UserspaceMetrics metrics) {
}
