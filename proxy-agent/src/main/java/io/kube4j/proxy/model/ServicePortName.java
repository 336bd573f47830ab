package io.kube4j.proxy.model;

import java.util.Comparator;
import java.util.Objects;

/**
 * One port of one Service: the unit every proxy mode programs (kube-proxy's {@code proxy.ServicePortName}).
 *
 * @param namespace the Service's namespace
 * @param name      the Service's name
 * @param port      the port's name ({@code ""} for the single unnamed port)
 * @param protocol  {@code TCP}, {@code UDP} or {@code SCTP}
 */
public record ServicePortName(String namespace, String name, String port, String protocol)
        implements Comparable<ServicePortName> {

    private static final Comparator<ServicePortName> ORDER = Comparator.comparing(ServicePortName::namespace)
            .thenComparing(ServicePortName::name).thenComparing(ServicePortName::port)
            .thenComparing(ServicePortName::protocol);

    public ServicePortName {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        port = port == null ? "" : port;
        protocol = protocol == null || protocol.isEmpty() ? "TCP" : protocol;
    }

    /** {@code namespace/name} of the Service. */
    public String serviceKey() {
        return namespace + "/" + name;
    }

    /** kube-proxy's spelling, used in rule comments and hashes: {@code ns/name:port} ({@code ns/name} when unnamed). */
    @Override
    public String toString() {
        return port.isEmpty() ? serviceKey() : serviceKey() + ":" + port;
    }

    @Override
    public int compareTo(ServicePortName o) {
        return ORDER.compare(this, o);
    }
}
