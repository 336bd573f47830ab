package io.kube4j.local;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * What the local cluster runs and where: the flags of {@code ./kube4j up} ({@code --nodes}, {@code --hollow-nodes},
 * {@code --store}, {@code --etcd-endpoints}, {@code --home}, {@code --set ROLE:KEY=VALUE}) and the script's
 * environment variables for ports and names ({@code KUBE4J_API_PORT}, ... the same names and defaults as
 * {@code ./kube4j}), so the script and the JVM cannot disagree about a port.
 *
 * @param home            {@code KUBE4J_HOME}: PKI in {@code pki/}, kubeconfigs, the embedded store in {@code data/},
 *                        node state in {@code nodes/<name>}
 * @param nodes           node agents (Docker runtime), each with its proxy agent
 * @param hollowNodes     hollow nodes (not supported yet: must be 0)
 * @param store           {@code embedded} or {@code etcd}
 * @param etcdEndpoints   etcd's client URL(s) with {@code --store etcd}
 * @param dnsPort         {@code KUBE4J_DNS_PORT}: the cluster DNS's UDP and TCP port on every host address (unprivileged:
 *                        the proxy agents forward the kube-dns Service's port 53 to it); 0: no DNS role
 * @param dnsMetricsPort  {@code KUBE4J_DNS_METRICS_PORT}: its actuator (health, prometheus) on 127.0.0.1
 * @param ingressHttpPort  {@code KUBE4J_INGRESS_HTTP_PORT}: the Ingress controller's HTTP port on every host address
 *                         (80 as root, else 8080); 0: no ingress role
 * @param ingressHttpsPort {@code KUBE4J_INGRESS_HTTPS_PORT}: its HTTPS port (443 as root, else 8444: 8443 is the
 *                         gateway's); 0: HTTP only
 * @param ingressMetricsPort {@code KUBE4J_INGRESS_METRICS_PORT}: its actuator on 127.0.0.1 (10254)
 * @param loggingPort     {@code KUBE4J_LOGGING_PORT}: node 0's log collector's search API (10265; node i's at + i); the
 *                        collectors run as root only (they read Docker's log files)
 * @param extraProperties per role family (apiserver, gateway, scheduler, controller-manager, node, proxy, dns) extra
 *                        Spring properties, applied last
 */
public record LocalClusterSettings(
        Path home,
        int nodes,
        int hollowNodes,
        String store,
        String etcdEndpoints,
        int apiPort,
        int gatewayPort,
        String gatewayAddress,
        int gatewayMgmtPort,
        int schedulerPort,
        int controllerPort,
        int nodeApiPortBase,
        int nodeHealthPortBase,
        int proxyPortBase,
        int proxyHealthzPortBase,
        String nodeNameBase,
        String clusterCidr,
        String proxyMode,
        int dnsPort,
        int dnsMetricsPort,
        int ingressHttpPort,
        int ingressHttpsPort,
        int ingressMetricsPort,
        int loggingPort,
        boolean root,
        Map<String, List<String>> extraProperties) {

    /** The apiserver's embedded store (no etcd to install); {@code --store etcd} for a real etcd. */
    public static final String DEFAULT_STORE = "embedded";
    static final List<String> ROLE_FAMILIES = List.of("apiserver", "gateway", "scheduler", "controller-manager",
            "node", "proxy", "hollow", "dns", "ingress", "logging");
    /** The kube-dns Service's ClusterIP: the 10th address of the service CIDR (10.96.0.0/12), as kubeadm's. */
    public static final String CLUSTER_DNS_IP = "10.96.0.10";

    public LocalClusterSettings {
        if (nodes < 0 || nodes > 50) {
            throw new IllegalArgumentException("--nodes takes a number from 0 to 50, got " + nodes);
        }
        if (hollowNodes != 0) {
            // a hollow fleet needs an identity per node (the Node authorizer), which the PKI does not issue yet
            throw new IllegalArgumentException("--hollow-nodes is not supported by the local cluster yet; run "
                    + "io.kube4j.node.hollow.HollowFleetApplication against it instead");
        }
        if (!store.equals("embedded") && !store.equals("etcd")) {
            throw new IllegalArgumentException("--store takes embedded or etcd, got '" + store + "'");
        }
        if (!clusterCidr.matches("\\d+\\.\\d+\\.0\\.0/16")) {
            throw new IllegalArgumentException("KUBE4J_CLUSTER_CIDR must be a /16 like 10.244.0.0/16, got '"
                    + clusterCidr + "'");
        }
        if (!proxyMode.isEmpty() && !List.of("iptables", "ipvs", "nftables", "userspace").contains(proxyMode)) {
            throw new IllegalArgumentException("KUBE4J_PROXY_MODE takes iptables, ipvs, nftables or userspace, got '"
                    + proxyMode + "'");
        }
        extraProperties = Map.copyOf(extraProperties);
    }

    /** Parses the command line; anything not given comes from {@code env} (the script's variables) or defaults. */
    public static LocalClusterSettings parse(List<String> args, Function<String, String> env) {
        Map<String, String> flags = new LinkedHashMap<>();
        Map<String, List<String>> extra = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String name = a;
            String value;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            } else {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                value = args.get(++i);
            }
            switch (name) {
                case "--home", "--nodes", "--hollow-nodes", "--store", "--etcd-endpoints" -> flags.put(name, value);
                case "--set" -> {
                    int colon = value.indexOf(':');
                    String role = colon > 0 ? value.substring(0, colon) : "";
                    if (!ROLE_FAMILIES.contains(role) || value.indexOf('=', colon) < 0) {
                        throw new IllegalArgumentException("--set takes ROLE:KEY=VALUE with ROLE one of "
                                + ROLE_FAMILIES + ", got '" + value + "'");
                    }
                    extra.computeIfAbsent(role, r -> new ArrayList<>()).add(value.substring(colon + 1));
                }
                default -> throw new IllegalArgumentException("unknown option " + a + " (options: --nodes N, "
                        + "--hollow-nodes N, --store embedded|etcd, --etcd-endpoints URL, --home DIR, "
                        + "--set ROLE:KEY=VALUE)");
            }
        }
        String homeDefault = env.apply("KUBE4J_HOME") != null ? env.apply("KUBE4J_HOME")
                : Path.of(System.getProperty("user.home"), ".kube4j").toString();
        String store = flags.getOrDefault("--store", or(env.apply("KUBE4J_STORE"), DEFAULT_STORE));
        int etcdPort = port(env, "KUBE4J_ETCD_PORT", 2379);
        return new LocalClusterSettings(
                Path.of(flags.getOrDefault("--home", homeDefault)).toAbsolutePath(),
                number("--nodes", flags.getOrDefault("--nodes", "1")),
                number("--hollow-nodes", flags.getOrDefault("--hollow-nodes", "0")),
                store,
                flags.getOrDefault("--etcd-endpoints", "http://127.0.0.1:" + etcdPort),
                port(env, "KUBE4J_API_PORT", 6443),
                port(env, "KUBE4J_GATEWAY_PORT", 8443),
                or(env.apply("KUBE4J_GATEWAY_ADDRESS"), "127.0.0.1"),
                port(env, "KUBE4J_GATEWAY_MGMT_PORT", 10261),
                port(env, "KUBE4J_SCHEDULER_PORT", 10259),
                port(env, "KUBE4J_CONTROLLER_PORT", 10257),
                port(env, "KUBE4J_NODE_API_PORT", 10250),
                port(env, "KUBE4J_NODE_HEALTH_PORT", 10350),
                port(env, "KUBE4J_PROXY_PORT", 10450),
                port(env, "KUBE4J_PROXY_HEALTHZ_PORT", 10550),
                or(env.apply("KUBE4J_NODE_NAME"), hostName()),
                or(env.apply("KUBE4J_CLUSTER_CIDR"), "10.244.0.0/16"),
                or(env.apply("KUBE4J_PROXY_MODE"), ""),
                dnsPort(env),
                port(env, "KUBE4J_DNS_METRICS_PORT", 9153),
                portOrOff(env, "KUBE4J_INGRESS_HTTP_PORT", isRoot() ? 80 : 8080),
                portOrOff(env, "KUBE4J_INGRESS_HTTPS_PORT", isRoot() ? 443 : 8444),
                port(env, "KUBE4J_INGRESS_METRICS_PORT", 10254),
                port(env, "KUBE4J_LOGGING_PORT", 10265),
                isRoot(),
                extra);
    }

    public Path pkiDir() {
        return home.resolve("pki");
    }

    public Path dataDir() {
        return home.resolve("data");
    }

    public String apiUrl() {
        return "https://127.0.0.1:" + apiPort;
    }

    public String gatewayUrl() {
        return "https://127.0.0.1:" + gatewayPort;
    }

    /** Node i's name: the base for node 0, then {@code <base>-i} (as the script names them). */
    public String nodeName(int i) {
        return i == 0 ? nodeNameBase : nodeNameBase + "-" + i;
    }

    /** Node i's pod CIDR: {@code A.B.(i+1).0/24} of the cluster CIDR. */
    public String podCidr(int i) {
        String[] ab = clusterCidr.split("\\.");
        return ab[0] + "." + ab[1] + "." + (i + 1) + ".0/24";
    }

    /**
     * Proxy i's mode: {@code KUBE4J_PROXY_MODE} when set; else as root node 0's proxy runs iptables for the host's one
     * network namespace (two iptables proxies would rewrite each other's chains) and the others userspace.
     */
    public String proxyMode(int i) {
        if (!proxyMode.isEmpty()) {
            return proxyMode;
        }
        return root && i == 0 ? "iptables" : "userspace";
    }

    public List<String> extra(String family) {
        return extraProperties.getOrDefault(family, List.of());
    }

    /** The host's IPv4 addresses: a node advertises one as its InternalIP, which its serving certificate names. */
    public static List<String> hostAddresses() {
        List<String> out = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address) {
                        out.add(a.getHostAddress());
                    }
                }
            }
        } catch (SocketException e) {
            out.add("127.0.0.1");
        }
        return out;
    }

    /** The host name in lower case (the kernel's, no DNS lookup), {@code kube4j} without one. */
    public static String hostName() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim().toLowerCase(Locale.ROOT);
            if (!h.isEmpty()) {
                return h;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: the JDK's answer
        }
        try {
            return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            return "kube4j";
        }
    }

    private static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String or(String v, String dflt) {
        return v == null || v.isBlank() ? dflt : v.trim();
    }

    private static int number(String flag, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " takes a number, got '" + v + "'");
        }
    }

    /** {@code KUBE4J_DNS_PORT}, 10053 by default; 0 turns the DNS role off. */
    private static int dnsPort(Function<String, String> env) {
        String v = env.apply("KUBE4J_DNS_PORT");
        return v != null && v.trim().equals("0") ? 0 : port(env, "KUBE4J_DNS_PORT", 10053);
    }

    /** A port variable where 0 means off. */
    private static int portOrOff(Function<String, String> env, String name, int dflt) {
        String v = env.apply(name);
        return v != null && v.trim().equals("0") ? 0 : port(env, name, dflt);
    }

    /** Whether the cluster runs the Ingress controller (on node 0's host). */
    public boolean ingress() {
        return ingressHttpPort > 0 && nodes > 0;
    }

    /** Whether the nodes run log collectors: they read Docker's json-file logs under /var/lib/docker, as root only. */
    public boolean logging() {
        return root && loggingPort > 0;
    }

    /** Whether the cluster runs its DNS (and its node agents point ClusterFirst pods at it). */
    public boolean dns() {
        return dnsPort > 0;
    }

    private static int port(Function<String, String> env, String name, int dflt) {
        String v = env.apply(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            int p = Integer.parseInt(v.trim());
            if (p > 0 && p < 65536) {
                return p;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(name + " must be a TCP port (1-65535), got '" + v + "'");
    }
}
