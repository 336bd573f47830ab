package io.kube4j.proxy.userspace;

import io.kube4j.proxy.model.Ipv4;
import io.kube4j.proxy.Proxier;
import io.kube4j.proxy.ProxySyncException;
import io.kube4j.proxy.SyncResult;
import io.kube4j.proxy.exec.CommandRunner;
import io.kube4j.proxy.model.EndpointInfo;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.model.ServicePortInfo;
import io.kube4j.proxy.model.ServicePortName;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.resources.LoopResources;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.TreeMap;

/**
 * The userspace proxy mode (kube-proxy's pkg/proxy/userspace, removed upstream in 1.26): one Reactor Netty listener
 * per Service port that accepts connections (TCP) or datagrams (UDP) and carries them to an endpoint picked by
 * {@link LoadBalancerRR}. Two ways of getting traffic to the listeners:
 * <ul>
 *   <li>{@code redirect=true} (needs root): each listener gets a proxy port ({@code portRange}, else ephemeral) on
 *   {@code bindAddress}, and iptables sends the Service's ClusterIP:port, its externalIPs, load-balancer IPs and
 *   NodePort there ({@link UserspaceRules}: the five chains rewritten by one {@code iptables-restore -w --noflush}
 *   per sync, the jumps to them checked with {@code iptables -C} and added when missing). NodePorts (and externalIPs
 *   that are local addresses) are also held open by a bound socket, as kube-proxy did, so that no other program
 *   takes them; a port that cannot be held gets no rules and is reported.</li>
 *   <li>{@code redirect=false} (no netfilter at all, no root needed): each Service port is served directly on
 *   {@code bindAddress} at its NodePort when it has one, else at its Service port (the "configured host ports").
 *   ClusterIPs and externalIPs are then not intercepted: clients use {@code <node address>:<that port>}. Two Service
 *   ports wanting the same port and protocol cannot both be served; the second is reported.</li>
 * </ul>
 *
 * <p>Endpoints are updated in place (the listener stays open); a listener is only reopened when what it listens on
 * changes (protocol, or the port in {@code redirect=false}). Only ready endpoints receive traffic, as in kube-proxy's
 * userspace mode; {@code internalTrafficPolicy}/{@code externalTrafficPolicy: Local} are not applied (kube-proxy's
 * userspace mode predates them). SCTP Service ports are skipped (userspace had TCP and UDP only).
 *
 * <p>Listeners are diffed at every sync. The chains are rewritten at every full sync, and at a partial one only
 * when their rules changed (an endpoint change only touches the load balancer). A failed {@code iptables-restore}
 * makes {@link #sync} throw after everything else has been applied. A service port that cannot be served (its port
 * taken by another Service or process, a bind refused) is that Service's problem, not the node's: it is logged once
 * (and again when it is solved), counted in {@code kubeproxy_userspace_unserved_service_ports}, and the sync still
 * succeeds, as kube-proxy's userspace mode carried on past a portal it could not open. What the proxier remembers is
 * always what is actually open, so every later sync retries just what is missing.
 *
 * <p>The listeners run on the proxier's own Reactor Netty event loops (daemon threads, as long-lived as the agent).
 */
public final class UserspaceProxier implements Proxier {

    private static final Logger log = LoggerFactory.getLogger(UserspaceProxier.class);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final int CONNECT_ATTEMPTS = 4;

    /**
     * Configuration of the userspace mode.
     *
     * @param nodeName          the node this agent runs on (logs)
     * @param bindAddress       the IPv4 address the listeners bind to; {@code 0.0.0.0} (default) = every address.
     *                          With {@code redirect} it may not be a loopback address (kube-proxy's rule: traffic
     *                          DNATed there from other hosts would be dropped)
     * @param portRange         proxy ports for {@code redirect}: {@code ""} = ephemeral, {@code "36000-36999"},
     *                          {@code "36000+1000"}; unused without redirect
     * @param redirect          true: iptables sends Service traffic to the listeners (root); false: listen on the
     *                          NodePort, else the Service port, directly
     * @param udpIdleTimeout    a UDP client session closes after this long without traffic (default 250 ms, as
     *                          kube-proxy's {@code --udp-timeout})
     * @param tcpConnectTimeout the first connect attempt's timeout to an endpoint; each of the 4 attempts doubles
     *                          it (default 250 ms: 250 ms, 500 ms, 1 s, 2 s as kube-proxy)
     * @param hostIP            the local address host traffic is DNATed to when {@code bindAddress} is 0.0.0.0;
     *                          null = the address of the default route's interface (kube-proxy's
     *                          {@code ChooseHostInterface})
     */
    public record Config(String nodeName, String bindAddress, String portRange, boolean redirect,
                         Duration udpIdleTimeout, Duration tcpConnectTimeout, String hostIP) {

        public Config {
            bindAddress = bindAddress == null || bindAddress.isBlank() ? "0.0.0.0" : bindAddress.strip();
            portRange = portRange == null ? "" : portRange.strip();
            udpIdleTimeout = udpIdleTimeout == null ? Duration.ofMillis(250) : udpIdleTimeout;
            tcpConnectTimeout = tcpConnectTimeout == null ? Duration.ofMillis(250) : tcpConnectTimeout;
            if (!Ipv4.isValid(bindAddress)) {
                throw new IllegalArgumentException("userspace bindAddress \"" + bindAddress + "\" is not an IPv4 address");
            }
            if (redirect && bindAddress.startsWith("127.")) {
                throw new IllegalArgumentException("userspace bindAddress " + bindAddress
                        + " is a loopback address: with redirect the proxy cannot listen on localhost only "
                        + "(use 0.0.0.0 or a node address)");
            }
            if (hostIP != null && !Ipv4.isValid(hostIP)) {
                throw new IllegalArgumentException("userspace hostIP \"" + hostIP + "\" is not an IPv4 address");
            }
            if (udpIdleTimeout.isNegative() || udpIdleTimeout.isZero()) {
                throw new IllegalArgumentException("userspace udpIdleTimeout must be positive, got " + udpIdleTimeout);
            }
            if (tcpConnectTimeout.isNegative() || tcpConnectTimeout.isZero()) {
                throw new IllegalArgumentException("userspace tcpConnectTimeout must be positive, got " + tcpConnectTimeout);
            }
            PortAllocator.parse(portRange, new Random()); // validates
        }

        /** Defaults: every address, ephemeral proxy ports, 250 ms UDP idle timeout and first connect timeout. */
        public static Config defaults(String nodeName, boolean redirect) {
            return new Config(nodeName, "0.0.0.0", "", redirect, null, null, null);
        }
    }

    private record ClaimKey(String ip, int port, String protocol) {
        @Override
        public String toString() {
            return ip + ":" + port + "/" + protocol;
        }
    }

    private record Claim(ServicePortName owner, NetworkChannel socket) {
    }

    private static final class Entry {
        ServicePortInfo info;
        ProxySocket socket;
        int proxyPort;
    }

    private final Config config;
    private final CommandRunner runner;
    private final LoadBalancerRR loadBalancer;
    private final PortAllocator ports;
    private final ProxyContext ctx;
    private final UserspaceRules rules;
    private final Map<ServicePortName, Entry> entries = new TreeMap<>();
    private Set<String> reportedUnserved = Set.of();
    private final Map<ClaimKey, Claim> claims = new LinkedHashMap<>();
    /** The chains' rules (without jumps) last applied successfully; null: unknown, apply at the next sync. */
    private UserspaceRules.Rendered lastApplied;
    /** How many times the chains were rewritten (tells a sync whether it rewrote them). */
    private int applies;

    public UserspaceProxier(Config config, CommandRunner runner, MeterRegistry meters) {
        this(config, runner, meters, new LoadBalancerRR());
    }

    UserspaceProxier(Config config, CommandRunner runner, MeterRegistry meters, LoadBalancerRR loadBalancer) {
        this.config = config;
        this.runner = runner;
        this.loadBalancer = loadBalancer;
        this.ports = PortAllocator.parse(config.portRange(), new Random());
        LoopResources loops = LoopResources.create("kube4j-userspace", 1, Math.max(2, Runtime.getRuntime().availableProcessors()), true);
        this.ctx = new ProxyContext(loadBalancer, loops, config.tcpConnectTimeout(), CONNECT_ATTEMPTS,
                config.udpIdleTimeout(), new UserspaceMetrics(meters));
        String hostIP = config.hostIP();
        if (config.redirect() && hostIP == null && "0.0.0.0".equals(config.bindAddress())) {
            hostIP = chooseHostIP();
        }
        this.rules = new UserspaceRules(config.bindAddress(), hostIP);
        log.info("userspace proxier on node {}: listeners on {}, {}, proxy ports {}, udp idle timeout {}, connect timeout {}",
                config.nodeName(), config.bindAddress(),
                config.redirect() ? "iptables redirect (host traffic DNATed to " + hostIP + ")" : "no netfilter (NodePort, else Service port, served directly)",
                config.portRange().isEmpty() ? "ephemeral" : config.portRange(), config.udpIdleTimeout(),
                config.tcpConnectTimeout());
    }

    @Override
    public String mode() {
        return "userspace";
    }

    /** Where the listener of {@code name} is bound, or null when it has none. */
    public synchronized InetSocketAddress listenAddress(ServicePortName name) {
        Entry e = entries.get(name);
        return e == null ? null : e.socket.address();
    }

    LoadBalancerRR loadBalancer() {
        return loadBalancer;
    }

    @Override
    public synchronized SyncResult sync(ProxyState state, boolean full) {
        long t0 = System.nanoTime();
        List<String> errors = new ArrayList<>();
        List<String> unserved = new ArrayList<>();
        Map<ServicePortName, ServicePortInfo> wanted = new TreeMap<>();
        state.services().forEach((name, info) -> {
            if ("TCP".equals(info.protocol()) || "UDP".equals(info.protocol())) {
                wanted.put(name, info);
            } else {
                log.debug("userspace mode does not proxy {} ({})", name, info.protocol());
            }
        });

        // listeners of gone Service ports, or listening somewhere else now
        Set<String> staleUdpIPs = new HashSet<>();
        for (Iterator<Map.Entry<ServicePortName, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<ServicePortName, Entry> me = it.next();
            ServicePortInfo want = wanted.get(me.getKey());
            if (want == null || !sameListener(me.getValue().info, want)) {
                stop(me.getKey(), me.getValue());
                it.remove();
                if ("UDP".equals(me.getValue().info.protocol())) {
                    staleUdpIPs.add(me.getValue().info.clusterIP());
                }
            }
        }
        loadBalancer.retainServices(wanted.keySet()); // also those whose listener never opened
        // endpoints first, so that a new listener never serves an empty balancer
        wanted.forEach((name, info) -> {
            loadBalancer.newService(name, info.clientIPAffinity(), info.stickyMaxAgeSeconds());
            loadBalancer.updateEndpoints(name, readyEndpoints(state.endpointsOf(name)));
            loadBalancer.cleanupStaleStickySessions(name);
        });
        long t1 = System.nanoTime();

        Map<String, ServicePortName> served = new TreeMap<>(); // listen port/protocol -> owner (redirect=false)
        entries.forEach((name, e) -> served.put(listenKey(e.info), name));
        wanted.forEach((name, info) -> {
            Entry e = entries.get(name);
            if (e != null) {
                e.info = info;
                return;
            }
            if (!config.redirect()) {
                ServicePortName owner = served.get(listenKey(info));
                if (owner != null) {
                    unserved.add(name + " cannot be served on " + config.bindAddress() + ":" + listenKey(info)
                            + ": that port is already served for " + owner);
                    return;
                }
            }
            try {
                e = open(name, info);
                entries.put(name, e);
                served.put(listenKey(info), name);
            } catch (RuntimeException ex) {
                unserved.add(ex.getMessage());
            }
        });

        long tListeners = System.nanoTime();
        int iptablesRules = 0;
        boolean rewritten = full;
        if (config.redirect()) {
            // listing the interfaces is slow on a node with many veths: only when an externalIP may be local
            Set<String> local = entries.values().stream().anyMatch(e -> !e.info.externalIPs().isEmpty())
                    ? localAddresses() : Set.of();
            syncClaims(local, unserved);
            try {
                int before = applies;
                iptablesRules = applyRules(local, full);
                rewritten = applies != before;
            } catch (ProxySyncException ex) {
                lastApplied = null;
                errors.add(ex.getMessage());
            }
            clearUdpConntrack(staleUdpIPs);
        }
        long t2 = System.nanoTime();
        log.debug("userspace sync: {} listeners ({} ms), iptables {} ms", entries.size(),
                (tListeners - t1) / 1_000_000, (t2 - tListeners) / 1_000_000);
        reportUnserved(unserved);
        if (!errors.isEmpty()) {
            throw new ProxySyncException("userspace sync: " + String.join("; ", errors));
        }
        return new SyncResult(rewritten, entries.size() + iptablesRules,
                config.redirect() ? UserspaceRules.NAT_CHAINS.size() + UserspaceRules.FILTER_CHAINS.size() : 0,
                Duration.ofNanos(t1 - t0), Duration.ofNanos(t2 - t1));
    }

    @Override
    public synchronized void cleanup() {
        lastApplied = null;
        entries.forEach(this::stop);
        entries.keySet().forEach(loadBalancer::deleteService);
        entries.clear();
        claims.values().forEach(c -> closeQuietly(c.socket()));
        claims.clear();
        if (!runner.available("iptables-save") || !runner.available("iptables-restore")) {
            return; // nothing of ours can be in a netfilter nobody can program
        }
        StringBuilder text = new StringBuilder();
        for (String table : List.of("nat", "filter")) {
            List<String> ours = "nat".equals(table) ? UserspaceRules.NAT_CHAINS : UserspaceRules.FILTER_CHAINS;
            CommandRunner.Result saved = runner.run(List.of("iptables-save", "-t", table), new byte[0], COMMAND_TIMEOUT);
            if (!saved.ok()) {
                if (config.redirect()) {
                    throw new ProxySyncException("userspace cleanup: iptables-save -t " + table + " exited "
                            + saved.exitCode() + ": " + saved.stderr().strip());
                }
                log.warn("userspace cleanup: cannot read the {} table ({}), leaving it alone", table, saved.stderr().strip());
                continue;
            }
            List<String> jumps = new ArrayList<>();
            List<String> chains = new ArrayList<>();
            for (String line : saved.stdout().split("\n")) {
                if (line.startsWith(":")) {
                    String chain = line.substring(1).split(" ", 2)[0];
                    if (ours.contains(chain)) {
                        chains.add(chain);
                    }
                } else if (line.startsWith("-A ")) {
                    String chain = line.split(" ", 3)[1];
                    String target = line.contains(" -j ") ? line.substring(line.lastIndexOf(" -j ") + 4).split(" ")[0] : "";
                    if (!ours.contains(chain) && ours.contains(target)) {
                        jumps.add("-D " + line.substring(3));
                    }
                }
            }
            if (jumps.isEmpty() && chains.isEmpty()) {
                continue;
            }
            text.append('*').append(table).append('\n');
            jumps.forEach(j -> text.append(j).append('\n'));
            chains.forEach(c -> text.append(':').append(c).append(" - [0:0]\n"));
            chains.forEach(c -> text.append("-X ").append(c).append('\n'));
            text.append("COMMIT\n");
        }
        if (text.isEmpty()) {
            return;
        }
        CommandRunner.Result r = runner.run(List.of("iptables-restore", "-w", "--noflush"),
                text.toString().getBytes(StandardCharsets.UTF_8), COMMAND_TIMEOUT);
        if (!r.ok()) {
            throw new ProxySyncException("userspace cleanup: iptables-restore exited " + r.exitCode() + ": "
                    + r.stderr().strip() + "\ninput:\n" + text);
        }
        log.info("userspace cleanup removed the jumps to and the chains of the userspace mode");
    }

    private Entry open(ServicePortName name, ServicePortInfo info) {
        Entry e = new Entry();
        e.info = info;
        int tries = config.redirect() && !ports.ephemeral() ? Math.min(16, ports.size()) : 1;
        RuntimeException last = null;
        for (int i = 0; i < tries; i++) {
            int port = config.redirect() ? ports.allocateNext() : listenPort(info);
            InetSocketAddress bind = new InetSocketAddress(config.bindAddress(), port);
            try {
                e.socket = "UDP".equals(info.protocol()) ? new UdpProxySocket(name, bind, ctx) : new TcpProxySocket(name, bind, ctx);
                e.proxyPort = e.socket.address().getPort();
                log.info("proxying {} ({}/{}{}) on {}", name, info.clusterIP(), info.port(),
                        info.nodePort() > 0 ? ", nodePort " + info.nodePort() : "", e.socket.address());
                return e;
            } catch (RuntimeException ex) {
                last = ex;
                if (config.redirect()) {
                    ports.release(port);
                }
            }
        }
        throw new ProxySyncException("cannot listen on " + config.bindAddress() + ":"
                + (config.redirect() ? "<proxy port>" : listenPort(info)) + "/" + info.protocol() + " for " + name + ": "
                + rootMessage(last), last);
    }

    private void stop(ServicePortName name, Entry e) {
        try {
            e.socket.close();
        } catch (RuntimeException ex) {
            log.warn("closing the listener of {} on {} failed: {}", name, e.socket.address(), ex.toString());
        }
        if (config.redirect()) {
            ports.release(e.proxyPort);
        }
        log.info("stopped proxying {} on port {}", name, e.proxyPort);
    }

    /** Holds NodePorts and local externalIP ports open (kube-proxy's claimNodePort), releasing ones not needed. */
    /** Logs each problem once when it appears and once when it is gone; the gauge says how many there are now. */
    private void reportUnserved(List<String> now) {
        Set<String> current = new TreeSet<>(now);
        for (String p : current) {
            if (!reportedUnserved.contains(p)) {
                log.warn("userspace: {} (retried at every sync)", p);
            }
        }
        for (String p : reportedUnserved) {
            if (!current.contains(p)) {
                log.info("userspace: solved: {}", p);
            }
        }
        reportedUnserved = current;
        ctx.metrics().unserved.set(current.size());
    }

    /** What cannot be served now (as last reported), for logs and tests. */
    public synchronized Set<String> unserved() {
        return Set.copyOf(reportedUnserved);
    }

    private void syncClaims(Set<String> local, List<String> errors) {
        Map<ClaimKey, ServicePortName> wanted = new LinkedHashMap<>();
        entries.forEach((name, e) -> {
            if (e.info.nodePort() > 0) {
                wanted.putIfAbsent(new ClaimKey("0.0.0.0", e.info.nodePort(), e.info.protocol()), name);
            }
            for (String ip : e.info.externalIPs()) {
                if (local.contains(ip)) {
                    wanted.putIfAbsent(new ClaimKey(ip, e.info.port(), e.info.protocol()), name);
                }
            }
        });
        for (Iterator<Map.Entry<ClaimKey, Claim>> it = claims.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<ClaimKey, Claim> c = it.next();
            if (!c.getValue().owner().equals(wanted.get(c.getKey()))) {
                closeQuietly(c.getValue().socket());
                it.remove();
            }
        }
        wanted.forEach((key, owner) -> {
            if (claims.containsKey(key)) {
                return;
            }
            try {
                NetworkChannel ch = "UDP".equals(key.protocol()) ? DatagramChannel.open() : ServerSocketChannel.open();
                try {
                    ch.bind(new InetSocketAddress(key.ip(), key.port()));
                } catch (IOException ex) {
                    closeQuietly(ch);
                    throw ex;
                }
                claims.put(key, new Claim(owner, ch));
            } catch (IOException ex) {
                errors.add("can't open node port for " + key + " (" + owner + "): " + ex.getMessage());
            }
        });
    }

    private int applyRules(Set<String> local, boolean full) {
        List<UserspaceRules.Portal> portals = new ArrayList<>();
        entries.forEach((name, e) -> {
            ServicePortInfo i = e.info;
            boolean nodePortHeld = i.nodePort() > 0 && name.equals(ownerOf(new ClaimKey("0.0.0.0", i.nodePort(), i.protocol())));
            List<String> ext = i.externalIPs().stream()
                    // a local externalIP gets rules only while its port is held
                    .filter(ip -> !local.contains(ip) || name.equals(ownerOf(new ClaimKey(ip, i.port(), i.protocol()))))
                    .toList();
            portals.add(new UserspaceRules.Portal(name, i.protocol(), e.proxyPort, i.clusterIP(), i.port(), ext,
                    i.loadBalancerIPs(), nodePortHeld ? i.nodePort() : 0));
        });
        if (!full && lastApplied != null && lastApplied.equals(rules.render(portals, List.of()))) {
            // endpoint changes only touch the load balancer: the rules are what was applied last; a full sync
            // (the periodic one) still checks the jumps and rewrites the chains in case someone tampered with them
            return lastApplied.rules();
        }
        List<UserspaceRules.Jump> missing = new ArrayList<>();
        for (UserspaceRules.Jump j : UserspaceRules.JUMPS) {
            if (!runner.run(j.command("-C"), new byte[0], COMMAND_TIMEOUT).ok()) {
                missing.add(j);
            }
        }
        UserspaceRules.Rendered r = rules.render(portals, missing);
        CommandRunner.Result res = runner.run(List.of("iptables-restore", "-w", "--noflush"),
                r.text().getBytes(StandardCharsets.UTF_8), COMMAND_TIMEOUT);
        if (!res.ok()) {
            throw new ProxySyncException("iptables-restore -w --noflush exited " + res.exitCode() + ": " + res.stderr().strip());
        }
        lastApplied = missing.isEmpty() ? r : rules.render(portals, List.of());
        applies++;
        return r.rules();
    }

    private ServicePortName ownerOf(ClaimKey key) {
        Claim c = claims.get(key);
        return c == null ? null : c.owner();
    }

    private void clearUdpConntrack(Set<String> ips) {
        if (ips.isEmpty() || !runner.available("conntrack")) {
            return;
        }
        for (String ip : ips) {
            // exit 1 with "0 flow entries have been deleted" is the normal case of nothing to clear
            CommandRunner.Result r = runner.run(List.of("conntrack", "-D", "--orig-dst", ip, "-p", "udp"), new byte[0], COMMAND_TIMEOUT);
            if (!r.ok() && !r.stderr().contains("0 flow entries")) {
                log.warn("clearing UDP conntrack entries of {} failed: {}", ip, r.stderr().strip());
            }
        }
    }

    private boolean sameListener(ServicePortInfo had, ServicePortInfo want) {
        return had.protocol().equals(want.protocol()) && (config.redirect() || listenPort(had) == listenPort(want));
    }

    private static int listenPort(ServicePortInfo info) {
        return info.nodePort() > 0 ? info.nodePort() : info.port();
    }

    private static String listenKey(ServicePortInfo info) {
        return listenPort(info) + "/" + info.protocol();
    }

    private static List<String> readyEndpoints(List<EndpointInfo> endpoints) {
        List<String> ready = new ArrayList<>();
        for (EndpointInfo e : endpoints) {
            if (e.ready()) {
                ready.add(e.address());
            }
        }
        return ready;
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }

    private static void closeQuietly(NetworkChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            log.debug("closing {} failed: {}", ch, e.toString());
        }
    }

    private static Set<String> localAddresses() {
        Set<String> out = new HashSet<>();
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    if (a instanceof Inet4Address) {
                        out.add(a.getHostAddress());
                    }
                }
            }
        } catch (SocketException e) {
            log.warn("cannot list local addresses ({}), assuming no externalIP is local", e.toString());
        }
        return out;
    }

    /** The IPv4 address of the default route's interface (from /proc/net/route), else the first non-loopback one. */
    static String chooseHostIP() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/net/route"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 2 && "00000000".equals(f[1])) {
                    NetworkInterface ni = NetworkInterface.getByName(f[0]);
                    if (ni != null) {
                        for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                            if (a instanceof Inet4Address) {
                                return a.getHostAddress();
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            log.debug("cannot read /proc/net/route: {}", e.toString());
        }
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (ni.isUp() && !ni.isLoopback()) {
                    for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                        if (a instanceof Inet4Address) {
                            return a.getHostAddress();
                        }
                    }
                }
            }
        } catch (SocketException e) {
            throw new IllegalStateException("cannot list network interfaces to choose the host IP: " + e.getMessage(), e);
        }
        throw new IllegalStateException("no non-loopback IPv4 address to DNAT host traffic to; set the userspace hostIP");
    }
}
