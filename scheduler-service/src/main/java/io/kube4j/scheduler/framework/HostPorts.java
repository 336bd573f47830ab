package io.kube4j.scheduler.framework;

import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;

/**
 * Host ports as Kubernetes' {@code HostPortInfo} treats them: an empty host IP means 0.0.0.0 (all addresses), an empty
 * protocol means TCP, and a port conflicts with a used one of the same protocol and number on the same IP, or on any IP
 * when either side binds 0.0.0.0.
 */
public final class HostPorts {

    public static final String ALL_IPS = "0.0.0.0";

    /** One host port a container binds, sanitized. */
    public record HostPort(String ip, String protocol, int port) {

        public static HostPort of(String ip, String protocol, int port) {
            return new HostPort(ip == null || ip.isEmpty() ? ALL_IPS : ip,
                    protocol == null || protocol.isEmpty() ? "TCP" : protocol, port);
        }

        /** Whether this wanted port conflicts with {@code used}. */
        public boolean conflictsWith(HostPort used) {
            if (port != used.port || !protocol.equals(used.protocol)) {
                return false;
            }
            return ip.equals(used.ip) || ip.equals(ALL_IPS) || used.ip.equals(ALL_IPS);
        }
    }

    private HostPorts() {
    }

    /** The host ports (hostPort > 0) of {@code pod}'s containers; an empty list (not a new one) when there are none. */
    public static List<HostPort> of(Pod pod) {
        if (pod.getSpec() == null || pod.getSpec().getContainers() == null) {
            return List.of();
        }
        List<HostPort> out = null;
        for (Container c : pod.getSpec().getContainers()) {
            if (c.getPorts() == null) {
                continue;
            }
            for (ContainerPort p : c.getPorts()) {
                if (p.getHostPort() != null && p.getHostPort() > 0) {
                    if (out == null) {
                        out = new ArrayList<>(2);
                    }
                    out.add(HostPort.of(p.getHostIP(), p.getProtocol(), p.getHostPort()));
                }
            }
        }
        return out == null ? List.of() : List.copyOf(out);
    }

    /** Whether any of {@code wanted} conflicts with any of {@code used}. */
    public static boolean conflict(List<HostPort> wanted, List<HostPort> used) {
        for (HostPort w : wanted) {
            for (HostPort u : used) {
                if (w.conflictsWith(u)) {
                    return true;
                }
            }
        }
        return false;
    }
}
