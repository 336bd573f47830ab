package io.kube4j.node.env;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;

/**
 * The kubelet's service environment variables ({@code getServiceEnvVarMap} and {@code envvars.FromServices}): for the
 * {@code kubernetes} Service of {@code default} always, and for every Service of the pod's namespace when
 * {@code enableServiceLinks} is true (the default), {@code <NAME>_SERVICE_HOST}, {@code <NAME>_SERVICE_PORT},
 * {@code <NAME>_SERVICE_PORT_<PORTNAME>} and the Docker link variables ({@code <NAME>_PORT},
 * {@code <NAME>_PORT_<port>_<PROTO>[_PROTO|_PORT|_ADDR]}). Headless Services and those without a ClusterIP give none.
 */
public final class ServiceEnv {

    static final String MASTER_NAMESPACE = "default";
    static final String MASTER_SERVICE = "kubernetes";

    private ServiceEnv() {
    }

    /**
     * The variables of {@code services} (any namespace; the selection is made here) for a pod in {@code namespace}.
     * A Service of the pod's namespace wins over the master Service of the same name, as in the kubelet.
     */
    public static Map<String, String> forPod(String namespace, boolean enableServiceLinks, List<Service> services) {
        Map<String, Service> byName = new TreeMap<>();
        for (Service s : services) {
            if (!clusterIpSet(s)) {
                continue;
            }
            String name = s.getMetadata().getName();
            String ns = s.getMetadata().getNamespace();
            if (MASTER_NAMESPACE.equals(ns) && MASTER_SERVICE.equals(name)) {
                byName.putIfAbsent(name, s);
            } else if (enableServiceLinks && namespace.equals(ns)) {
                byName.put(name, s);
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Service s : byName.values()) {
            fromService(s, out);
        }
        return out;
    }

    private static boolean clusterIpSet(Service s) {
        String ip = s.getSpec() == null ? null : s.getSpec().getClusterIP();
        return ip != null && !ip.isEmpty() && !"None".equals(ip) && s.getSpec().getPorts() != null
                && !s.getSpec().getPorts().isEmpty();
    }

    static void fromService(Service s, Map<String, String> out) {
        String prefix = variableName(s.getMetadata().getName());
        String ip = s.getSpec().getClusterIP();
        List<ServicePort> ports = s.getSpec().getPorts();
        out.put(prefix + "_SERVICE_HOST", ip);
        out.put(prefix + "_SERVICE_PORT", String.valueOf(ports.get(0).getPort()));
        for (ServicePort p : ports) {
            if (p.getName() != null && !p.getName().isEmpty()) {
                out.put(prefix + "_SERVICE_PORT_" + variableName(p.getName()), String.valueOf(p.getPort()));
            }
        }
        List<String[]> links = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            ServicePort p = ports.get(i);
            String protocol = p.getProtocol() == null || p.getProtocol().isEmpty() ? "TCP" : p.getProtocol();
            String lower = protocol.toLowerCase(Locale.ROOT);
            String hostPort = (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + p.getPort();
            if (i == 0) {
                links.add(new String[] {prefix + "_PORT", lower + "://" + hostPort});
            }
            String portPrefix = prefix + "_PORT_" + p.getPort() + "_" + protocol.toUpperCase(Locale.ROOT);
            links.add(new String[] {portPrefix, lower + "://" + hostPort});
            links.add(new String[] {portPrefix + "_PROTO", lower});
            links.add(new String[] {portPrefix + "_PORT", String.valueOf(p.getPort())});
            links.add(new String[] {portPrefix + "_ADDR", ip});
        }
        links.forEach(l -> out.put(l[0], l[1]));
    }

    /** Kubernetes' {@code makeEnvVariableName}: upper case, '-' as '_'. */
    static String variableName(String s) {
        return s.replace('-', '_').toUpperCase(Locale.ROOT);
    }
}
