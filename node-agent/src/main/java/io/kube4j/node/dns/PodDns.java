package io.kube4j.node.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.PodDNSConfigOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pod's resolver settings by its {@code dnsPolicy} and {@code dnsConfig}, as the kubelet's
 * {@code pkg/kubelet/network/dns} {@code GetPodDNS}:
 * <ul>
 *   <li>{@code ClusterFirst} (the default; for a hostNetwork pod it means {@code Default}) and
 *       {@code ClusterFirstWithHostNet}: the cluster DNS servers, searches {@code <ns>.svc.<domain> svc.<domain>
 *       <domain>} followed by the node's own searches, {@code options ndots:5}. A node without cluster DNS servers
 *       configured falls back to {@code Default}, as the kubelet does (with a warning).</li>
 *   <li>{@code Default}: the node's resolution — the nameservers, searches and options of its {@code resolv.conf}.</li>
 *   <li>{@code None}: nothing but the pod's {@code dnsConfig}.</li>
 * </ul>
 * The pod's {@code dnsConfig} is then merged in: its nameservers appended, its searches first, its options
 * overriding those of the same name; then Kubernetes' limits apply (3 nameservers, 32 searches of 2048 characters
 * in all).
 * <p>
 * The node's resolution without a {@code dnsConfig} is {@link Settings#runtimeDefault()}: the runtime keeps its own
 * resolver (Docker copies the node's resolv.conf, or on the pod network points at its embedded resolver, which
 * forwards to the node's nameservers), so a loopback resolver of the node (systemd-resolved's 127.0.0.53) keeps
 * working. With a {@code dnsConfig}, the node's loopback nameservers are left out for pods on the pod network (they
 * cannot be reached from its network namespace); when no nameserver is left, the runtime's resolver stays.
 */
public final class PodDns {

    private static final Logger log = LoggerFactory.getLogger(PodDns.class);

    static final int MAX_NAMESERVERS = 3;
    static final int MAX_SEARCHES = 32;
    static final int MAX_SEARCH_CHARS = 2048;

    private final List<String> clusterDns;
    private final String clusterDomain;
    private final HostConfig host;

    /**
     * @param clusterDns    the cluster DNS servers (the kube-dns Service's ClusterIP); empty: ClusterFirst pods get the
     *                      node's resolution
     * @param clusterDomain the cluster's domain ({@code cluster.local})
     * @param resolvConf    the node's resolv.conf (blank: none)
     */
    public PodDns(List<String> clusterDns, String clusterDomain, String resolvConf) {
        this(clusterDns, clusterDomain, HostConfig.read(resolvConf));
    }

    PodDns(List<String> clusterDns, String clusterDomain, HostConfig host) {
        this.clusterDns = List.copyOf(clusterDns);
        this.clusterDomain = clusterDomain == null || clusterDomain.isBlank() ? "cluster.local"
                : stripDot(clusterDomain.strip());
        this.host = host;
    }

    /** The nameservers, searches and options a pod's resolv.conf gets. */
    public record Settings(List<String> nameservers, List<String> searches, List<String> options) {

        public Settings {
            nameservers = List.copyOf(nameservers);
            searches = List.copyOf(searches);
            options = List.copyOf(options);
        }

        /** Keep the runtime's own resolver (no nameserver to write). */
        public static Settings runtimeDefault() {
            return new Settings(List.of(), List.of(), List.of());
        }

        public boolean isRuntimeDefault() {
            return nameservers.isEmpty();
        }
    }

    /** The resolver settings of {@code pod}. */
    public Settings configure(Pod pod) {
        boolean hostNetwork = pod.getSpec() != null && Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
        String policy = pod.getSpec() == null || pod.getSpec().getDnsPolicy() == null ? "ClusterFirst"
                : pod.getSpec().getDnsPolicy();
        Type type = switch (policy) {
            case "None" -> Type.NONE;
            case "ClusterFirstWithHostNet" -> Type.CLUSTER;
            case "Default" -> Type.HOST;
            default -> hostNetwork ? Type.HOST : Type.CLUSTER; // ClusterFirst
        };
        if (type == Type.CLUSTER && clusterDns.isEmpty()) {
            log.debug("pod {}/{} has dnsPolicy {} but this node has no cluster DNS configured"
                    + " (kube4j.node.cluster-dns): it gets the node's resolution", ns(pod), name(pod), policy);
            type = Type.HOST;
        }
        List<String> servers = new ArrayList<>();
        List<String> searches = new ArrayList<>();
        Map<String, String> options = new LinkedHashMap<>();
        switch (type) {
            case CLUSTER -> {
                servers.addAll(clusterDns);
                searches.add(ns(pod) + ".svc." + clusterDomain);
                searches.add("svc." + clusterDomain);
                searches.add(clusterDomain);
                searches.addAll(host.searches());
                options.put("ndots", "5");
            }
            case HOST -> {
                if (pod.getSpec() == null || pod.getSpec().getDnsConfig() == null) {
                    return Settings.runtimeDefault(); // the runtime's resolver: the node's resolution, reachable
                }
                for (String s : host.nameservers()) {
                    if (hostNetwork || !isLoopback(s)) {
                        servers.add(s);
                    }
                }
                searches.addAll(host.searches());
                host.options().forEach(o -> putOption(options, o));
            }
            case NONE -> {
            }
        }
        PodDNSConfig config = pod.getSpec() == null ? null : pod.getSpec().getDnsConfig();
        if (config != null) {
            if (config.getNameservers() != null) {
                servers.addAll(config.getNameservers());
            }
            if (config.getSearches() != null) {
                searches.addAll(0, config.getSearches());
            }
            if (config.getOptions() != null) {
                for (PodDNSConfigOption o : config.getOptions()) {
                    if (o.getName() != null) {
                        options.put(o.getName(), o.getValue());
                    }
                }
            }
        }
        List<String> nameservers = limit(distinct(servers), MAX_NAMESERVERS);
        if (nameservers.isEmpty()) {
            return Settings.runtimeDefault();
        }
        List<String> optionList = new ArrayList<>();
        options.forEach((k, v) -> optionList.add(v == null || v.isEmpty() ? k : k + ":" + v));
        return new Settings(nameservers, fitSearches(distinct(searches)), optionList);
    }

    private enum Type { CLUSTER, HOST, NONE }

    /** What the node's resolv.conf says. */
    record HostConfig(List<String> nameservers, List<String> searches, List<String> options) {

        static final HostConfig EMPTY = new HostConfig(List.of(), List.of(), List.of());

        static HostConfig read(String file) {
            if (file == null || file.isBlank()) {
                return EMPTY;
            }
            try {
                return parse(Files.readAllLines(Path.of(file)));
            } catch (IOException e) {
                log.warn("cannot read the node's resolv.conf {}: {}; pods get no node nameservers or searches",
                        file, e.toString());
                return EMPTY;
            }
        }

        /** resolv.conf(5): the last {@code search}/{@code domain} line wins; comments start with # or ;. */
        static HostConfig parse(List<String> lines) {
            List<String> servers = new ArrayList<>();
            List<String> searches = List.of();
            List<String> options = new ArrayList<>();
            for (String raw : lines) {
                String line = raw;
                int hash = indexOfComment(line);
                if (hash >= 0) {
                    line = line.substring(0, hash);
                }
                String[] f = line.strip().split("\\s+");
                if (f.length < 2) {
                    continue;
                }
                switch (f[0]) {
                    case "nameserver" -> servers.add(f[1]);
                    case "search", "domain" -> {
                        List<String> s = new ArrayList<>();
                        for (int i = 1; i < f.length; i++) {
                            s.add(stripDot(f[i]));
                        }
                        searches = s;
                    }
                    case "options" -> {
                        for (int i = 1; i < f.length; i++) {
                            options.add(f[i]);
                        }
                    }
                    default -> {
                    }
                }
            }
            return new HostConfig(servers, searches, options);
        }

        private static int indexOfComment(String line) {
            int a = line.indexOf('#');
            int b = line.indexOf(';');
            return a < 0 ? b : b < 0 ? a : Math.min(a, b);
        }
    }

    private static void putOption(Map<String, String> options, String option) {
        int colon = option.indexOf(':');
        if (colon < 0) {
            options.put(option, null);
        } else {
            options.put(option.substring(0, colon), option.substring(colon + 1));
        }
    }

    private static List<String> fitSearches(List<String> searches) {
        List<String> out = new ArrayList<>();
        int chars = 0;
        for (String s : searches) {
            if (out.size() == MAX_SEARCHES || chars + s.length() + (out.isEmpty() ? 0 : 1) > MAX_SEARCH_CHARS) {
                break;
            }
            chars += s.length() + (out.isEmpty() ? 0 : 1);
            out.add(s);
        }
        return out;
    }

    private static List<String> distinct(List<String> l) {
        return new ArrayList<>(new LinkedHashSet<>(l));
    }

    private static List<String> limit(List<String> l, int n) {
        return l.size() <= n ? l : l.subList(0, n);
    }

    static boolean isLoopback(String address) {
        try {
            return address.indexOf(':') < 0 && !address.matches("[0-9.]+") ? false
                    : InetAddress.getByName(address).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    private static String stripDot(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static String ns(Pod pod) {
        return pod.getMetadata().getNamespace() == null ? "default" : pod.getMetadata().getNamespace();
    }

    private static String name(Pod pod) {
        return pod.getMetadata().getName();
    }
}
