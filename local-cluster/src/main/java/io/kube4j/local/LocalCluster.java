package io.kube4j.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ConfigurableApplicationContext;

import io.kube4j.addons.dns.DnsApplication;
import io.kube4j.addons.ingress.IngressApplication;
import io.kube4j.addons.logging.LogCollectorApplication;
import io.kube4j.apiserver.ApiServerApplication;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.controller.ControllerManagerApplication;
import io.kube4j.gateway.GatewayApplication;
import io.kube4j.local.logging.RoleConverter;
import io.kube4j.node.NodeAgentApplication;
import io.kube4j.node.status.NodeAddresses;
import io.kube4j.proxy.ProxyAgentApplication;
import io.kube4j.scheduler.SchedulerApplication;
import io.kube4j.security.pki.ClusterPki;

/**
 * The all-in-one local cluster: the apiserver, the api-gateway, the scheduler, the controller manager and N node
 * agents with their proxy agents, each a Spring context of its own ({@link RoleApplication}) with its own port and
 * its own identity from the cluster PKI, talking to the apiserver over HTTPS only, with the settings the script's
 * multi-process mode passes on each command line. The apiserver starts first; the others then start together.
 */
public final class LocalCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LocalCluster.class);

    private final LocalClusterSettings settings;
    private final List<Started> started = Collections.synchronizedList(new ArrayList<>());

    private record Started(RoleApplication role, ConfigurableApplicationContext context) {
    }

    public LocalCluster(LocalClusterSettings settings) {
        this.settings = settings;
    }

    /** Creates or refreshes the PKI and kubeconfigs, then starts every role; a control-plane failure is fatal. */
    public void start() {
        long t0 = System.nanoTime();
        RoleConverter.ROLE.set("cluster");
        ensurePki();
        join(List.of(startAsync(apiserver(), true)));
        List<CompletableFuture<Void>> rest = new ArrayList<>();
        rest.add(startAsync(gateway(), true));
        rest.add(startAsync(scheduler(), true));
        rest.add(startAsync(controllerManager(), true));
        if (settings.dns()) {
            // a DNS that cannot listen (its port taken) leaves the rest running: pods then fail their lookups
            rest.add(startAsync(dns(), false));
        }
        if (settings.ingress()) {
            // nor does an Ingress controller that cannot bind its ports
            rest.add(startAsync(ingress(), false));
        }
        for (int i = 0; i < settings.nodes(); i++) {
            // a node agent that cannot start (e.g. no Docker engine) leaves the control plane running
            rest.add(startAsync(nodeAgent(i), false));
            rest.add(startAsync(proxyAgent(i), false));
            if (settings.logging()) {
                rest.add(startAsync(logCollector(i), false));
            }
        }
        if (settings.nodes() > 0 && !settings.logging()) {
            log.info("no log collectors: they read Docker's log files under /var/lib/docker/containers and run as "
                    + "root only (k4j logs --search needs them; k4j logs POD works without)");
        }
        join(rest);
        log.info("local cluster up in {} ms: apiserver {} ({} store), gateway {}, {} node(s), {} hollow node(s); "
                        + "admin kubeconfig {}", Duration.ofNanos(System.nanoTime() - t0).toMillis(), settings.apiUrl(),
                settings.store(), settings.gatewayUrl(), settings.nodes(), settings.hollowNodes(),
                settings.home().resolve("admin.kubeconfig"));
    }

    private static void join(List<CompletableFuture<Void>> starts) {
        try {
            CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private CompletableFuture<Void> startAsync(RoleApplication role, boolean fatal) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                start(role);
                done.complete(null);
            } catch (RuntimeException e) {
                if (fatal) {
                    done.completeExceptionally(e);
                } else {
                    log.error("{} did not start ({}); the rest of the cluster keeps running", role.name(),
                            rootMessage(e));
                    done.complete(null);
                }
            }
        }, "start-" + role.name());
        t.start();
        return done;
    }

    private void start(RoleApplication role) {
        long t0 = System.nanoTime();
        ConfigurableApplicationContext context = role.start(null);
        started.add(new Started(role, context));
        if (role.family().equals("apiserver") && settings.store().equals("embedded")) {
            requireEmbeddedStore(context);
        }
        log.info("{} started in {} ms", role.name(), Duration.ofNanos(System.nanoTime() - t0).toMillis());
    }

    /** The apiserver must really run on the embedded store, not fall back to etcd's default endpoint. */
    private static void requireEmbeddedStore(ConfigurableApplicationContext apiserver) {
        String storage = apiserver.getBeanProvider(Storage.class).stream().map(s -> s.getClass().getSimpleName())
                .findFirst().orElse("none");
        if (!storage.startsWith("Embedded")) {
            throw new IllegalStateException("--store embedded: this apiserver build does not select the embedded "
                    + "store with kube4j.apiserver.store=embedded (its storage is " + storage + "); use --store etcd");
        }
    }

    /**
     * Closes the roles in stages, the roles of a stage together: agents first (they leave their pods running), then
     * the scheduler and the controller manager, the gateway, the apiserver last (so the others' last writes land).
     */
    @Override
    public void close() {
        List<Started> all;
        synchronized (started) {
            all = new ArrayList<>(started);
            started.clear();
        }
        for (int rank = 0; rank <= 3; rank++) {
            int r = rank;
            List<Thread> stopping = new ArrayList<>();
            for (Started s : all) {
                if (closeRank(s.role()) == r) {
                    Thread t = new Thread(() -> stop(s), "stop-" + s.role().name());
                    stopping.add(t);
                    t.start();
                }
            }
            for (Thread t : stopping) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static void stop(Started s) {
        RoleConverter.ROLE.set(s.role().name());
        try {
            s.context().close();
            log.info("{} stopped", s.role().name());
        } catch (RuntimeException e) {
            log.warn("{} did not stop cleanly: {}", s.role().name(), rootMessage(e));
        }
    }

    private static int closeRank(RoleApplication role) {
        return switch (role.family()) {
            case "proxy", "node", "dns", "ingress", "logging" -> 0;
            case "scheduler", "controller-manager" -> 1;
            case "gateway" -> 2;
            default -> 3;
        };
    }

    /** The contexts running now, by role name (for tests and diagnostics). */
    public List<String> runningRoles() {
        synchronized (started) {
            return started.stream().map(s -> s.role().name()).toList();
        }
    }

    private void ensurePki() {
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < settings.nodes(); i++) {
            nodes.add(settings.nodeName(i));
        }
        String host = LocalClusterSettings.hostName();
        ClusterPki pki = ClusterPki.ensure(settings.pkiDir(), new ClusterPki.Spec(settings.apiUrl(), List.of(host),
                nodes, LocalClusterSettings.hostAddresses(), null, settings.home(), null, null,
                settings.gatewayUrl(), List.of(host)));
        for (ClusterPki.Change c : pki.changes()) {
            if (!"kept".equals(c.action()) || !c.reason().isEmpty()) {
                log.info("pki: {}", c);
            }
        }
    }

    private Path pki(String file) {
        return settings.pkiDir().resolve(file);
    }

    private Path kubeconfig(String name) {
        return settings.home().resolve(name + ".kubeconfig");
    }

    /**
     * Where the apiserver listens, and what it publishes in {@code default/kubernetes}. When node 0's proxy programs
     * netfilter (iptables/ipvs as root), pods reach ClusterIPs, so the apiserver listens on every address (as
     * kube-apiserver's default bind address 0.0.0.0) and advertises node 0's InternalIP: a pod's request to
     * {@code kubernetes.default.svc:443} (10.96.0.1) is DNAT-ed to InternalIP:apiPort, whose serving certificate
     * names 10.96.0.1 and kubernetes.default.svc. With the userspace proxy (an unprivileged cluster) no pod reaches a
     * ClusterIP: the apiserver stays on loopback and the Service has no endpoints.
     */
    List<String> apiserverAddress() {
        if (settings.proxyMode(0).equals("userspace")) {
            return List.of("server.address=127.0.0.1");
        }
        return List.of("server.address=0.0.0.0",
                "kube4j.apiserver.advertise-address=" + NodeAddresses.detectInternalIp());
    }

    RoleApplication apiserver() {
        List<String> p = new ArrayList<>(apiserverAddress());
        p.addAll(List.of(
                "server.port=" + settings.apiPort(),
                "kube4j.apiserver.tls.cert-file=" + pki("apiserver.crt"),
                "kube4j.apiserver.tls.key-file=" + pki("apiserver.key"),
                "kube4j.apiserver.tls.client-ca-file=" + pki("ca.crt"),
                "kube4j.apiserver.authentication.service-account.key-file=" + pki("sa.key"),
                "kube4j.apiserver.authentication.service-account.public-key-files=" + pki("sa.pub"),
                "kube4j.apiserver.authentication.requestheader.client-ca-file=" + pki("front-proxy-ca.crt"),
                "kube4j.apiserver.authentication.requestheader.allowed-names=front-proxy-client",
                "kube4j.apiserver.kubelet.ca-file=" + pki("ca.crt"),
                "kube4j.apiserver.kubelet.client-cert-file=" + pki("apiserver-kubelet-client.crt"),
                "kube4j.apiserver.kubelet.client-key-file=" + pki("apiserver-kubelet-client.key")));
        if (settings.store().equals("etcd")) {
            p.add("kube4j.apiserver.etcd.endpoints=" + settings.etcdEndpoints());
        } else {
            p.add("kube4j.apiserver.store=embedded");
            p.add("kube4j.apiserver.embedded.data-dir=" + settings.dataDir());
        }
        return role("apiserver", "apiserver", ApiServerApplication.class, p, 0);
    }

    RoleApplication gateway() {
        return role("gateway", "gateway", GatewayApplication.class, List.of(
                "server.address=" + settings.gatewayAddress(),
                "server.port=" + settings.gatewayPort(),
                "management.server.port=" + settings.gatewayMgmtPort(),
                "management.server.address=127.0.0.1",
                "kube4j.gateway.tls.cert-file=" + pki("gateway.crt"),
                "kube4j.gateway.tls.key-file=" + pki("gateway.key"),
                "kube4j.gateway.tls.client-ca-file=" + pki("ca.crt"),
                "kube4j.gateway.upstream.servers=" + settings.apiUrl(),
                "kube4j.gateway.upstream.ca-file=" + pki("ca.crt"),
                "kube4j.gateway.upstream.client-cert-file=" + pki("front-proxy-client.crt"),
                "kube4j.gateway.upstream.client-key-file=" + pki("front-proxy-client.key"),
                "kube4j.gateway.authentication.client-ca-file=" + pki("ca.crt"),
                "kube4j.gateway.authentication.service-account.public-key-files=" + pki("sa.pub"),
                "kube4j.gateway.client.kubeconfig=" + kubeconfig("gateway")), 0);
    }

    RoleApplication scheduler() {
        return role("scheduler", "scheduler", SchedulerApplication.class, List.of(
                "server.address=127.0.0.1",
                "server.port=" + settings.schedulerPort(),
                "kube4j.client.kubeconfig=" + kubeconfig("scheduler"),
                "kube4j.client.server="), 2);
    }

    RoleApplication controllerManager() {
        return role("controller-manager", "controller-manager", ControllerManagerApplication.class, List.of(
                "server.address=127.0.0.1",
                "server.port=" + settings.controllerPort(),
                "kube4j.client.kubeconfig=" + kubeconfig("controller-manager"),
                "kube4j.client.server=",
                "kube4j.controller.root-ca-file=" + pki("ca.crt")), 2);
    }

    RoleApplication nodeAgent(int i) {
        String name = settings.nodeName(i);
        return role("node-" + i, "node", NodeAgentApplication.class, List.of(
                "server.address=127.0.0.1",
                "server.port=" + (settings.nodeHealthPortBase() + i),
                "kube4j.client.kubeconfig=" + kubeconfig("node-" + name),
                "kube4j.client.server=",
                "kube4j.node.server.cert-file=" + pki("node-" + name + "-serving.crt"),
                "kube4j.node.server.key-file=" + pki("node-" + name + "-serving.key"),
                "kube4j.node.server.client-ca-file=" + pki("ca.crt"),
                "kube4j.node.name=" + name,
                "kube4j.node.pod-cidr=" + settings.podCidr(i),
                "kube4j.node.cluster-cidr=" + settings.clusterCidr(),
                "kube4j.node.root-dir=" + settings.home().resolve("nodes").resolve(name),
                "kube4j.node.server.port=" + (settings.nodeApiPortBase() + i),
                "kube4j.node.cluster-dns=" + clusterDns(i)), 2);
    }

    /**
     * The nameserver of node i's ClusterFirst pods: the kube-dns Service's ClusterIP when the DNS role runs and the
     * node's proxy agent makes ClusterIPs reachable from pods (iptables/ipvs; the userspace proxy of this cluster
     * serves Services on loopback only, without netfilter, so a pod's packets to 10.96.0.10 would leave the host
     * by its default route); otherwise none, and the pods keep Docker's resolver.
     */
    String clusterDns(int i) {
        return settings.dns() && !settings.proxyMode(i).equals("userspace") ? LocalClusterSettings.CLUSTER_DNS_IP : "";
    }

    /**
     * The cluster DNS (addons/dns) on {@code KUBE4J_DNS_PORT} of every host address, publishing the Service
     * {@code kube-system/kube-dns} (10.96.0.10, port 53 to that port) with node 0's InternalIP as its endpoint.
     */
    RoleApplication dns() {
        return role("dns", "dns", DnsApplication.class, List.of(
                "server.address=127.0.0.1",
                "server.port=" + settings.dnsMetricsPort(),
                "kube4j.client.kubeconfig=" + kubeconfig("dns"),
                "kube4j.client.server=",
                "kube4j.dns.bind-address=0.0.0.0",
                "kube4j.dns.port=" + settings.dnsPort(),
                "kube4j.dns.publish.enabled=true",
                "kube4j.dns.publish.cluster-ip=" + LocalClusterSettings.CLUSTER_DNS_IP,
                "kube4j.dns.publish.node=" + (settings.nodes() > 0 ? settings.nodeName(0) : "")), 2);
    }

    /**
     * The Ingress controller (addons/ingress) on node 0's host: {@code KUBE4J_INGRESS_HTTP_PORT}/{@code _HTTPS_PORT} of
     * every host address, reporting node 0's InternalIP in the Ingresses' status, serving the IngressClass
     * {@code kube4j} (created, as the default class, when missing).
     */
    RoleApplication ingress() {
        return role("ingress", "ingress", IngressApplication.class, List.of(
                "spring.application.name=kube4j-ingress",
                "server.address=127.0.0.1",
                "server.port=" + settings.ingressMetricsPort(),
                "management.endpoints.web.exposure.include=health,info,prometheus",
                "kube4j.client.kubeconfig=" + kubeconfig(ClusterPki.INGRESS),
                "kube4j.client.server=",
                "kube4j.ingress.bind-address=0.0.0.0",
                "kube4j.ingress.http-port=" + settings.ingressHttpPort(),
                "kube4j.ingress.https-port=" + (settings.ingressHttpsPort() > 0 ? settings.ingressHttpsPort() : -1),
                "kube4j.ingress.status-address=" + NodeAddresses.detectInternalIp(),
                "kube4j.ingress.ensure-default-class=true"), 0);
    }

    /**
     * Node i's log collector (addons/logging): its containers' Docker json-file logs into
     * {@code <home>/logs/store/<node>}, searchable at {@code KUBE4J_LOGGING_PORT + i} on the gateway's address (where
     * {@code k4j logs --search} looks by default: the kubeconfig's host). It reads the node's pods as the node.
     */
    RoleApplication logCollector(int i) {
        String name = settings.nodeName(i);
        return role("logging-" + i, "logging", LogCollectorApplication.class, List.of(
                "server.address=" + settings.gatewayAddress(),
                "server.port=" + (settings.loggingPort() + i),
                "kube4j.client.kubeconfig=" + kubeconfig("node-" + name),
                "kube4j.client.server=",
                "kube4j.logging.node-name=" + name,
                "kube4j.logging.data-dir=" + settings.home().resolve("logs").resolve("store").resolve(name)), 1);
    }

    RoleApplication proxyAgent(int i) {
        String mode = settings.proxyMode(i);
        List<String> p = new ArrayList<>(List.of(
                "server.address=127.0.0.1",
                "server.port=" + (settings.proxyPortBase() + i),
                "kube4j.client.kubeconfig=" + kubeconfig("proxy"),
                "kube4j.client.server=",
                "kube4j.proxy.node-name=" + settings.nodeName(i),
                "kube4j.proxy.mode=" + mode,
                "kube4j.proxy.cluster-cidr=" + settings.clusterCidr(),
                "kube4j.proxy.healthz-bind-address=127.0.0.1:" + (settings.proxyHealthzPortBase() + i)));
        if (mode.equals("userspace")) {
            // no netfilter at all (as root the mode would otherwise redirect with iptables, beside proxy 0's
            // iptables rules): each service port is served on this agent's own loopback address
            p.add("kube4j.proxy.userspace.bind-address=127.0.0." + (i + 1));
            p.add("kube4j.proxy.userspace.redirect=false");
        }
        return role("proxy-" + i, "proxy", ProxyAgentApplication.class, p, 1);
    }

    /** The proxy agent's {@code --cleanup}: removes what any proxy mode left on this host, without a web server. */
    public static RoleApplication proxyCleanup() {
        return new RoleApplication("proxy-cleanup", "proxy", ProxyAgentApplication.class,
                List.of("kube4j.proxy.cleanup=true"), 1);
    }

    private RoleApplication role(String name, String family, Class<?> app, List<String> props, int eventLoops) {
        List<String> all = new ArrayList<>(props);
        // --set ROLE:KEY=VALUE replaces a setting of the same key
        for (String extra : settings.extra(family)) {
            String key = extra.substring(0, extra.indexOf('=') + 1);
            all.removeIf(p -> p.startsWith(key));
            all.add(extra);
        }
        return new RoleApplication(name, family, app, all,
                eventLoops > 0 ? eventLoops : Math.max(2, Runtime.getRuntime().availableProcessors()));
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }
}
