package io.kube4j.proxy.model;

/**
 * One endpoint (pod IP and target port) of one Service port, merged from the Service's EndpointSlices
 * (kube-proxy's {@code proxy.Endpoint}).
 *
 * @param ip          the endpoint's IPv4 address
 * @param port        the target port number
 * @param ready       {@code conditions.ready} (nil counts as ready, as in Kubernetes)
 * @param serving     {@code conditions.serving} (nil: same as ready)
 * @param terminating {@code conditions.terminating} (nil: false)
 * @param nodeName    the node the endpoint runs on ({@code nodeName} of the slice endpoint), may be null
 * @param local       true when {@code nodeName} is the node this proxy agent programs
 */
public record EndpointInfo(String ip, int port, boolean ready, boolean serving, boolean terminating, String nodeName,
                           boolean local) {

    /** {@code ip:port}, as kube-proxy names endpoints in comments and hashes. */
    public String address() {
        return ip + ":" + port;
    }

    @Override
    public String toString() {
        return address();
    }
}
