package io.kube4j.proxy.config;

import io.kube4j.proxy.model.Ipv4;
import io.kube4j.api.validation.Validation;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The proxy agent, {@code kube4j.proxy.*}: kube-proxy's {@code KubeProxyConfiguration} with its defaults (the fields
 * a kube4j node needs), validated at start-up so that a bad value stops the agent with one clear line.
 *
 * @param mode              {@code iptables}, {@code ipvs}, {@code userspace}, or empty: iptables when running as root
 *                          with {@code iptables-restore} installed, else userspace (kube-proxy's {@code --proxy-mode})
 * @param ipvsFallback      what to do when mode {@code ipvs} is chosen but the kernel cannot do IPVS: {@code fail}
 *                          (stop with the reason) or {@code iptables} (run the iptables mode instead)
 * @param nodeName          this node's name, to tell local endpoints apart (kube-proxy's {@code --hostname-override};
 *                          default: the host name, lower-cased)
 * @param clusterCidr       the pods' CIDR: traffic to a ClusterIP from outside it is masqueraded (empty: no
 *                          local-traffic detection, as kube-proxy without {@code --cluster-cidr})
 * @param minSyncPeriod     the least time between two syncs; changes arriving faster are coalesced
 * @param syncPeriod        the longest time between two full syncs (which repair rules changed behind our back)
 * @param configSyncPeriod  how often the Service and EndpointSlice informers re-deliver their caches (0: never)
 * @param masqueradeAll     masquerade all traffic to ClusterIPs, not only off-cluster traffic
 * @param masqueradeBit     the fwmark bit (0..31) marking packets for masquerade ({@code 14} is mark {@code 0x4000})
 * @param nodePortAddresses CIDRs whose local addresses serve NodePorts (empty: every local address)
 * @param healthzBindAddress where {@code /healthz} listens, {@code host:port} (port 0: any free port; empty: off)
 * @param iptables          settings of the iptables mode
 * @param ipvs              settings of the IPVS mode
 * @param userspace         settings of the userspace mode
 * @param cleanup           remove everything every mode could have left on this node and exit
 *                          (kube-proxy's {@code --cleanup}; also {@code --cleanup} on the command line)
 */
@ConfigurationProperties("kube4j.proxy")
public record ProxyAgentProperties(
        @DefaultValue("") String mode,
        @DefaultValue("fail") String ipvsFallback,
        String nodeName,
        @DefaultValue("10.244.0.0/16") String clusterCidr,
        @DefaultValue("1s") Duration minSyncPeriod,
        @DefaultValue("30s") Duration syncPeriod,
        @DefaultValue("15m") Duration configSyncPeriod,
        @DefaultValue("false") boolean masqueradeAll,
        @DefaultValue("14") int masqueradeBit,
        @DefaultValue List<String> nodePortAddresses,
        @DefaultValue("0.0.0.0:10256") String healthzBindAddress,
        @DefaultValue Iptables iptables,
        @DefaultValue Ipvs ipvs,
        @DefaultValue Userspace userspace,
        @DefaultValue("false") boolean cleanup) {

    /** The modes {@code kube4j.proxy.mode} accepts (besides empty). */
    public static final List<String> MODES = List.of("iptables", "ipvs", "userspace");

    /** ipvsadm's schedulers (the ones kube-proxy passes through). */
    public static final Set<String> IPVS_SCHEDULERS =
            Set.of("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq");

    private static final Pattern HOST_PORT = Pattern.compile("^(.*):(\\d{1,5})$");
    private static final Pattern PORT_RANGE = Pattern.compile("^(\\d{1,5})([-+])(\\d{1,5})$");

    public ProxyAgentProperties {
        mode = mode == null ? "" : mode.strip().toLowerCase(Locale.ROOT);
        if (!mode.isEmpty() && !MODES.contains(mode)) {
            throw invalid("mode", mode, "must be one of iptables, ipvs, userspace, or empty (iptables when root, "
                    + "else userspace)");
        }
        ipvsFallback = ipvsFallback == null || ipvsFallback.isBlank() ? "fail"
                : ipvsFallback.strip().toLowerCase(Locale.ROOT);
        if (!ipvsFallback.equals("fail") && !ipvsFallback.equals("iptables")) {
            throw invalid("ipvs-fallback", ipvsFallback, "must be fail or iptables");
        }
        nodeName = nodeName == null || nodeName.isBlank() ? hostname() : nodeName.strip().toLowerCase(Locale.ROOT);
        if (!Validation.isDns1123Subdomain(nodeName)) {
            throw invalid("node-name", nodeName, "must be a DNS subdomain (lower-case letters, digits, '-' and '.')");
        }
        clusterCidr = clusterCidr == null ? "" : clusterCidr.strip();
        if (!clusterCidr.isEmpty() && !Ipv4.isValidCidr(clusterCidr)) {
            throw invalid("cluster-cidr", clusterCidr, "must be an IPv4 CIDR such as 10.244.0.0/16, or empty");
        }
        if (minSyncPeriod == null || minSyncPeriod.isNegative()) {
            throw invalid("min-sync-period", minSyncPeriod, "must be zero or positive");
        }
        if (syncPeriod == null || syncPeriod.isNegative() || syncPeriod.isZero()) {
            throw invalid("sync-period", syncPeriod, "must be positive");
        }
        if (minSyncPeriod.compareTo(syncPeriod) > 0) {
            throw new IllegalArgumentException("kube4j.proxy.min-sync-period (" + minSyncPeriod
                    + ") must not be longer than kube4j.proxy.sync-period (" + syncPeriod + ")");
        }
        if (configSyncPeriod == null || configSyncPeriod.isNegative()) {
            throw invalid("config-sync-period", configSyncPeriod, "must be zero or positive");
        }
        if (masqueradeBit < 0 || masqueradeBit > 31) {
            throw invalid("masquerade-bit", masqueradeBit, "must be between 0 and 31");
        }
        nodePortAddresses = nodePortAddresses == null ? List.of()
                : nodePortAddresses.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        for (String cidr : nodePortAddresses) {
            if (!Ipv4.isValidCidr(cidr)) {
                throw invalid("node-port-addresses", cidr, "must list IPv4 CIDRs such as 192.168.0.0/16");
            }
        }
        healthzBindAddress = healthzBindAddress == null ? "" : healthzBindAddress.strip();
        if (!healthzBindAddress.isEmpty()) {
            parseHostPort("healthz-bind-address", healthzBindAddress);
        }
        iptables = iptables == null ? new Iptables(true, Duration.ofMinutes(1)) : iptables;
        ipvs = ipvs == null ? new Ipvs("rr", false, Duration.ZERO, Duration.ZERO, Duration.ZERO) : ipvs;
        userspace = userspace == null ? new Userspace("", "0.0.0.0", Duration.ofMillis(250),
                Duration.ofMillis(250), "") : userspace;
    }

    /** The iptables mode. */
    public record Iptables(
            @DefaultValue("true") boolean localhostNodePorts,
            @DefaultValue("1m") Duration restoreTimeout) {

        /**
         * @param localhostNodePorts NodePorts also answer on 127.0.0.1 (sets {@code route_localnet}, as kube-proxy)
         * @param restoreTimeout     how long one {@code iptables-restore} may take before the sync fails
         */
        public Iptables {
            if (restoreTimeout == null || restoreTimeout.isNegative() || restoreTimeout.isZero()) {
                throw invalid("iptables.restore-timeout", restoreTimeout, "must be positive");
            }
        }
    }

    /**
     * The IPVS mode.
     *
     * @param scheduler     the IPVS scheduler of every virtual server (ipvsadm's names: rr, wrr, lc, wlc, lblc, lblcr,
     *                      dh, sh, sed, nq)
     * @param strictArp     answer ARP only for addresses on the receiving interface (needed by some load balancers)
     * @param tcpTimeout    IPVS TCP session timeout (0: leave the kernel's)
     * @param tcpFinTimeout IPVS TCP session timeout after FIN (0: leave the kernel's)
     * @param udpTimeout    IPVS UDP session timeout (0: leave the kernel's)
     */
    public record Ipvs(
            @DefaultValue("rr") String scheduler,
            @DefaultValue("false") boolean strictArp,
            @DefaultValue("0s") Duration tcpTimeout,
            @DefaultValue("0s") Duration tcpFinTimeout,
            @DefaultValue("0s") Duration udpTimeout) {

        public Ipvs {
            scheduler = scheduler == null || scheduler.isBlank() ? "rr" : scheduler.strip().toLowerCase(Locale.ROOT);
            if (!IPVS_SCHEDULERS.contains(scheduler)) {
                throw invalid("ipvs.scheduler", scheduler, "must be one of " + IPVS_SCHEDULERS.stream().sorted()
                        .toList());
            }
            nonNegative("ipvs.tcp-timeout", tcpTimeout);
            nonNegative("ipvs.tcp-fin-timeout", tcpFinTimeout);
            nonNegative("ipvs.udp-timeout", udpTimeout);
        }
    }

    /**
     * The userspace mode.
     *
     * @param portRange         the host ports the per-service proxies listen on, {@code first-last} or
     *                          {@code first+count} (empty: any free port; used when the proxies are reached through
     *                          iptables REDIRECT)
     * @param bindAddress       the IPv4 address the proxies listen on
     * @param udpIdleTimeout    how long a UDP client's session to its endpoint lives without traffic
     * @param tcpConnectTimeout the first connect attempt's timeout to an endpoint (each retry doubles it)
     * @param redirect          whether iptables redirects service traffic to the proxies: empty (automatic: when
     *                          root with iptables installed), {@code true} (fails without them) or {@code false}
     *                          (never touch netfilter: each service port is served at {@code bindAddress}:NodePort,
     *                          else :port — what {@code ./kube4j up} runs beside the host's one iptables agent)
     */
    public record Userspace(
            @DefaultValue("") String portRange,
            @DefaultValue("0.0.0.0") String bindAddress,
            @DefaultValue("250ms") Duration udpIdleTimeout,
            @DefaultValue("250ms") Duration tcpConnectTimeout,
            @DefaultValue("") String redirect) {

        public Userspace {
            portRange = portRange == null ? "" : portRange.strip();
            if (!portRange.isEmpty()) {
                Matcher m = PORT_RANGE.matcher(portRange);
                int first = m.matches() ? Integer.parseInt(m.group(1)) : -1;
                int last = !m.matches() ? -1 : m.group(2).equals("-") ? Integer.parseInt(m.group(3))
                        : first + Integer.parseInt(m.group(3)) - 1;
                if (first < 1 || last > 65535 || first > last) {
                    throw invalid("userspace.port-range", portRange, "must be empty (any free port), first-last or "
                            + "first+count within 1-65535, such as 36000-36999 or 36000+1000");
                }
            }
            bindAddress = bindAddress == null || bindAddress.isBlank() ? "0.0.0.0" : bindAddress.strip();
            if (!Ipv4.isValid(bindAddress)) {
                throw invalid("userspace.bind-address", bindAddress, "must be an IPv4 address such as 0.0.0.0");
            }
            if (udpIdleTimeout == null || udpIdleTimeout.isNegative() || udpIdleTimeout.isZero()) {
                throw invalid("userspace.udp-idle-timeout", udpIdleTimeout, "must be positive");
            }
            redirect = redirect == null ? "" : redirect.strip().toLowerCase(java.util.Locale.ROOT);
            if (!redirect.isEmpty() && !redirect.equals("true") && !redirect.equals("false")) {
                throw invalid("userspace.redirect", redirect, "must be empty (automatic), true or false");
            }
            if (tcpConnectTimeout == null || tcpConnectTimeout.isNegative() || tcpConnectTimeout.isZero()) {
                throw invalid("userspace.tcp-connect-timeout", tcpConnectTimeout, "must be positive");
            }
        }
    }

    /** The healthz host (empty: all addresses) and port; null when healthz is off. */
    public HostPort healthz() {
        return healthzBindAddress.isEmpty() ? null : parseHostPort("healthz-bind-address", healthzBindAddress);
    }

    /** The masquerade mark, {@code 1 << masqueradeBit} ({@code 0x4000} by default). */
    public int masqueradeMark() {
        return 1 << masqueradeBit;
    }

    /** The cluster CIDR, or null when local-traffic detection is off. */
    public String clusterCidrOrNull() {
        return clusterCidr.isEmpty() ? null : clusterCidr;
    }

    /** A {@code host:port} address. */
    public record HostPort(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    private static HostPort parseHostPort(String property, String value) {
        Matcher m = HOST_PORT.matcher(value);
        if (!m.matches()) {
            throw invalid(property, value, "must be host:port such as 0.0.0.0:10256 (or empty: off)");
        }
        String host = m.group(1).isEmpty() ? "0.0.0.0" : m.group(1);
        int port = Integer.parseInt(m.group(2));
        if (!Ipv4.isValid(host) || port > 65535) {
            throw invalid(property, value, "must be an IPv4 address and a port 0-65535 such as 0.0.0.0:10256");
        }
        return new HostPort(host, port);
    }

    private static void nonNegative(String property, Duration d) {
        if (d == null || d.isNegative()) {
            throw invalid(property, d, "must be zero (the kernel's) or positive");
        }
    }

    private static IllegalArgumentException invalid(String property, Object value, String rule) {
        return new IllegalArgumentException("kube4j.proxy." + property + " " + rule + ", got '" + value + "'");
    }

    /** The host name as kube-proxy takes it ({@code os.Hostname()}, lower-cased): the kernel's, else Java's. */
    static String hostname() {
        try {
            Path kernel = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(kernel)) {
                String h = Files.readString(kernel).strip();
                if (!h.isEmpty()) {
                    return h.toLowerCase(Locale.ROOT);
                }
            }
            return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read this host's name (set kube4j.proxy.node-name): "
                    + e.getMessage(), e);
        }
    }
}
