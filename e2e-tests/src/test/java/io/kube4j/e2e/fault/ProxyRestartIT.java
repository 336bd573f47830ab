package io.kube4j.e2e.fault;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.EtcdServer;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.KubeClient;
import io.kube4j.client.config.ClientConfig;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 15, proxy: {@code kill -9} of the proxy agent. The agent (its exec jar, iptables mode) runs in a network
 * namespace of the test's own, reaching an apiserver (own etcd) on the host through a veth pair; a Service's
 * endpoints are busybox httpd servers on addresses of that namespace's loopback, and a shell loop in the namespace
 * fetches the ClusterIP with curl over and over (one new connection per request). The agent is SIGKILLed: its rules
 * keep serving; the EndpointSlice changes while it is down; a new agent resyncs (its sync metric
 * {@code kubeproxy_sync_proxy_rules_last_timestamp_seconds} is set after its first, full sync), applies the change,
 * and the loop sees no failed request over the whole run.
 */
class ProxyRestartIT {

    private static final String TAG = "[ProxyRestartIT]";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String NS = "proxy-restart";
    private static final int BACKEND_PORT = 8080;
    private static final int LOOP_MAX_REQUESTS = 20_000; // the loop's own bound, besides the stop file
    private static final Path LOGS = Path.of("target", "proxy-restart-logs");

    private final Cleanups cleanups = new Cleanups(TAG);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private String netns;
    private String hostIp;
    private String nsIp;

    /** One answer of the client loop, timestamped when the test read it. */
    record Answer(long atNanos, boolean ok, String body) {
    }

    @Test
    void killedProxyAgentKeepsServingAndResyncsWithoutAFailedRequest() throws Exception {
        Requirements.require("root".equals(System.getProperty("user.name")),
                "network namespaces and netfilter need root (running as " + System.getProperty("user.name") + ")");
        Requirements.requireBinary("ip");
        Requirements.requireBinary("busybox"); // httpd (its wget crashes on some builds: the client is curl)
        Requirements.requireBinary("curl");
        Requirements.requireBinary("iptables-restore");
        Requirements.requireBinary("etcd");
        Path jar = ChildJvm.execJar("proxy-agent");
        long t0 = System.nanoTime();
        Path work = Files.createTempDirectory("kube4j-proxy-restart");
        try {
            cleanups.add(() -> deleteTree(work));
            run(jar, work);
        } finally {
            cleanups.closeAll();
            System.out.printf("%s wall time %.1f s%n", TAG, (System.nanoTime() - t0) / 1e9);
        }
    }

    private void run(Path jar, Path work) throws Exception {
        setUpNetwork();
        EtcdServer etcd = new EtcdServer();
        cleanups.add(etcd::destroy);
        etcd.start();
        // the apiserver listens on the host's end of the veth pair only, where the namespace reaches it
        ApiServerInstance apiserver = ApiServerInstance.start(etcd.endpoint(), "server.address=" + hostIp);
        cleanups.add(apiserver);
        String url = "http://" + hostIp + ":" + apiserver.port();
        KubeClient kube = KubeClient.create(ClientConfig.of(url).withRequestTimeout(Duration.ofSeconds(10)));
        cleanups.add(kube::close);

        // three HTTP servers in the namespace, each answering its own name
        for (int i = 11; i <= 13; i++) {
            Path root = Files.createDirectories(work.resolve("www-" + i));
            Files.writeString(root.resolve("index.html"), "backend-" + i + "\n");
            Process httpd = new ProcessBuilder("ip", "netns", "exec", netns, "busybox", "httpd", "-f",
                    "-p", backend(i) + ":" + BACKEND_PORT, "-h", root.toString())
                    .redirectErrorStream(true).redirectOutput(work.resolve("httpd-" + i + ".log").toFile()).start();
            cleanups.add(killer(httpd));
        }

        kube.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata()
                .build()).block(WAIT);
        Service svc = kube.resources(Service.class).create(new ServiceBuilder()
                .withNewMetadata().withNamespace(NS).withName("web").endMetadata()
                .withNewSpec().withSelector(Map.of("app", "web"))
                .addNewPort().withName("http").withPort(80).withNewTargetPort(BACKEND_PORT).withProtocol("TCP")
                .endPort().endSpec().build()).block(WAIT);
        String clusterIp = svc.getSpec().getClusterIP();
        EndpointSlice slice = kube.resources(EndpointSlice.class).create(slice(null, 11, 12)).block(WAIT);

        // the first agent
        int healthzPort = freePort();
        long start1 = System.nanoTime();
        ChildJvm agent1 = startAgent(jar, "proxy-agent-1", url, healthzPort);
        cleanups.add(agent1);
        awaitSynced(agent1, healthzPort);
        long firstSyncMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start1);
        assertThat(iptablesNat()).contains("-d " + clusterIp + "/32", "--to-destination " + backend(11) + ":"
                + BACKEND_PORT);

        // the client loop
        Path stop = work.resolve("stop");
        ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
        Process loop = startLoop(clusterIp, stop, answers);
        cleanups.add(killer(loop));
        awaitAnswers(answers, 20, "before the kill");
        assertThat(answers).as("answers before the kill").allMatch(Answer::ok)
                .anyMatch(a -> a.body().equals("backend-11")).anyMatch(a -> a.body().equals("backend-12"));

        // kill -9: the rules stay, and keep serving
        agent1.kill();
        long killedAt = System.nanoTime();
        int beforeKill = answers.size();
        awaitAnswers(answers, answers.size() + 20, "with the agent dead");
        // the Service's endpoints change while no agent runs: 11 leaves, 13 joins
        kube.resources(EndpointSlice.class).update(slice(kube.resources(EndpointSlice.class).get(NS, "web-1")
                .block(WAIT).getMetadata().getResourceVersion(), 12, 13)).block(WAIT);
        long changedAt = System.nanoTime();
        awaitAnswers(answers, answers.size() + 10, "with the agent dead, after the endpoints changed");
        assertThat(iptablesNat()).as("rules while the agent is down (it never ran again)")
                .contains("--to-destination " + backend(11) + ":" + BACKEND_PORT);

        // restart: the new agent's first sync is full, from the apiserver's current state
        long start2 = System.nanoTime();
        ChildJvm agent2 = startAgent(jar, "proxy-agent-2", url, healthzPort);
        cleanups.add(agent2);
        awaitSynced(agent2, healthzPort);
        long resyncedAt = System.nanoTime();
        long resyncMs = TimeUnit.NANOSECONDS.toMillis(resyncedAt - start2);
        long downMs = TimeUnit.NANOSECONDS.toMillis(resyncedAt - killedAt);
        int whileDown = (int) answers.stream().filter(a -> a.atNanos() > killedAt && a.atNanos() <= resyncedAt)
                .count();
        String rules = iptablesNat();
        assertThat(rules).as("rules after the resync").contains("--to-destination " + backend(13) + ":"
                + BACKEND_PORT).doesNotContain("--to-destination " + backend(11) + ":" + BACKEND_PORT);
        await("backend-13 answers after the resync").atMost(WAIT).until(() -> answers.stream()
                .anyMatch(a -> a.atNanos() > resyncedAt && a.body().equals("backend-13")));
        long firstNewMs = TimeUnit.NANOSECONDS.toMillis(answers.stream()
                .filter(a -> a.atNanos() > resyncedAt && a.body().equals("backend-13"))
                .mapToLong(Answer::atNanos).min().orElseThrow() - resyncedAt);
        int afterResync = answers.size();
        awaitAnswers(answers, afterResync + 20, "after the resync");

        Files.writeString(stop, "");
        assertThat(loop.waitFor(10, TimeUnit.SECONDS)).as("the client loop stops").isTrue();
        List<Answer> all = new ArrayList<>(answers);
        all.sort(Comparator.comparingLong(Answer::atNanos));
        long failed = all.stream().filter(a -> !a.ok()).count();
        long maxGap = 0;
        for (int i = 1; i < all.size(); i++) {
            maxGap = Math.max(maxGap, all.get(i).atNanos() - all.get(i - 1).atNanos());
        }
        double seconds = (all.get(all.size() - 1).atNanos() - all.get(0).atNanos()) / 1e9;
        System.out.printf("%s requests %d in %.1f s (%.0f/s), failed %d, longest gap between answers %d ms%n", TAG,
                all.size(), seconds, all.size() / seconds, failed, TimeUnit.NANOSECONDS.toMillis(maxGap));
        System.out.printf("%s agent dead for %d ms (kill to healthz 200 of the new agent), %d requests answered "
                        + "meanwhile by the rules left behind; first agent synced %d ms after start, the restarted "
                        + "one %d ms; first answer of the new endpoint %d ms after the resync%n", TAG, downMs,
                whileDown, firstSyncMs, resyncMs, firstNewMs);
        // where a failure fell: the answer's time (when curl gave up, 2 s after it started) against the run's events
        all.stream().filter(a -> !a.ok()).limit(10).forEach(a -> System.out.printf(
                "%s failed request answered %+d ms from the kill, %+d ms from the endpoint change, %+d ms from the "
                        + "resync: %s%n", TAG, TimeUnit.NANOSECONDS.toMillis(a.atNanos() - killedAt),
                TimeUnit.NANOSECONDS.toMillis(a.atNanos() - changedAt),
                TimeUnit.NANOSECONDS.toMillis(a.atNanos() - resyncedAt), a.body()));
        assertThat(all.stream().filter(a -> !a.ok()).limit(10).toList()).as("failed requests").isEmpty();
        assertThat(beforeKill).isPositive();
        // requests begun after the resync (the loop runs one at a time: skip the one in flight) never reach 11
        List<Answer> late = all.stream().filter(a -> a.atNanos() > resyncedAt).skip(1).toList();
        assertThat(late).as("answers after the resync").isNotEmpty()
                .noneMatch(a -> a.body().equals("backend-11"));
    }

    // ------------------------------------------------------------------------------------------------ network

    /** The namespace ({@link Netns}) and the backends' addresses on its loopback. */
    private void setUpNetwork() {
        Netns ns = Netns.create("kube4j-prx", "k4p");
        cleanups.add(ns);
        netns = ns.name;
        hostIp = ns.hostIp;
        nsIp = ns.nsIp;
        // on the namespace's loopback (a dummy interface needs a kernel module that a container may lack)
        for (int i = 11; i <= 13; i++) {
            ns.exec("ip", "addr", "add", backend(i) + "/32", "dev", "lo");
        }
    }

    private static String backend(int i) {
        return "10.251.0." + i;
    }

    private String iptablesNat() {
        return Netns.sh("ip", "netns", "exec", netns, "iptables-save", "-t", "nat");
    }

    // ------------------------------------------------------------------------------------------------ processes

    private ChildJvm startAgent(Path jar, String name, String apiserverUrl, int healthzPort)
            throws IOException {
        return ChildJvm.start(name, List.of("ip", "netns", "exec", netns), nsIp, jar, LOGS, List.of(
                "--kube4j.client.server=" + apiserverUrl,
                "--kube4j.proxy.node-name=node-proxy-restart",
                "--kube4j.proxy.mode=iptables",
                "--kube4j.proxy.cluster-cidr=",
                "--kube4j.proxy.healthz-bind-address=" + nsIp + ":" + healthzPort,
                "--kube4j.proxy.min-sync-period=100ms"));
    }

    /**
     * Until the agent has synced its rules: its {@code kubeproxy_sync_proxy_rules_last_timestamp_seconds} is set (the
     * first sync is a full one), and its {@code /healthz} answers 200 (which it does from the start, as kube-proxy's).
     */
    private void awaitSynced(ChildJvm agent, int healthzPort) {
        HttpRequest metrics = HttpRequest.newBuilder(URI.create("http://" + nsIp + ":" + agent.port
                + "/actuator/prometheus")).timeout(Duration.ofSeconds(2)).build();
        HttpRequest healthz = HttpRequest.newBuilder(URI.create("http://" + nsIp + ":" + healthzPort + "/healthz"))
                .timeout(Duration.ofSeconds(2)).build();
        await(agent.name + " synced (log " + agent.log() + ")").atMost(WAIT).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> {
                    agent.assertAlive();
                    HttpResponse<String> r = http.send(metrics, HttpResponse.BodyHandlers.ofString());
                    return r.statusCode() == 200 && lastSync(r.body()) > 0
                            && http.send(healthz, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                });
    }

    private static double lastSync(String prometheus) {
        return prometheus.lines().filter(l -> l.startsWith("kubeproxy_sync_proxy_rules_last_timestamp_seconds"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).max().orElse(0);
    }

    /**
     * A shell loop in the namespace: {@code curl} of the ClusterIP, one request (and connection) at a time,
     * each bounded by a 2 s timeout, printing {@code OK <body>} or {@code FAIL <error>}, until the stop file exists
     * (or {@link #LOOP_MAX_REQUESTS} requests).
     */
    private Process startLoop(String clusterIp, Path stop, ConcurrentLinkedQueue<Answer> answers) throws IOException {
        String script = "i=0; while [ $i -lt " + LOOP_MAX_REQUESTS + " ] && [ ! -e " + stop + " ]; do "
                + "i=$((i+1)); "
                + "if out=$(curl -sS --max-time 2 http://" + clusterIp + ":80/ 2>&1); then echo \"OK $out\"; "
                + "else echo \"FAIL $out\" | tr '\\n' ' '; echo; fi; done";
        Process p = new ProcessBuilder("ip", "netns", "exec", netns, "busybox", "sh", "-c", script)
                .redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    long now = System.nanoTime();
                    if (line.startsWith("OK ")) {
                        answers.add(new Answer(now, true, line.substring(3).strip()));
                    } else if (!line.isBlank()) {
                        answers.add(new Answer(now, false, line));
                    }
                }
            } catch (IOException ignored) {
                // the loop was killed
            }
        }, "proxy-restart-loop");
        reader.setDaemon(true);
        reader.start();
        return p;
    }

    private static void awaitAnswers(ConcurrentLinkedQueue<Answer> answers, int count, String when) {
        await(count + " answers " + when).atMost(WAIT).until(() -> answers.size() >= count);
    }

    private static AutoCloseable killer(Process p) {
        Thread hook = new Thread(p::destroyForcibly, "kill-" + p.pid());
        Runtime.getRuntime().addShutdownHook(hook);
        return () -> {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            removeHook(hook);
        };
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // it runs anyway
        }
    }

    private static EndpointSlice slice(String resourceVersion, int... backends) {
        EndpointSliceBuilder b = new EndpointSliceBuilder()
                .withNewMetadata().withNamespace(NS).withName("web-1").withResourceVersion(resourceVersion)
                .addToLabels("kubernetes.io/service-name", "web").endMetadata()
                .withAddressType("IPv4")
                .addNewPort().withName("http").withPort(BACKEND_PORT).withProtocol("TCP").endPort();
        for (int i : backends) {
            b.addNewEndpoint().withAddresses(backend(i)).withNewConditions().withReady(true).endConditions()
                    .withNodeName("node-proxy-restart").endEndpoint();
        }
        return b.build();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
