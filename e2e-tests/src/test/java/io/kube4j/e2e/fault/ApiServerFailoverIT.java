package io.kube4j.e2e.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.kube4j.apiserver.testsupport.EtcdServer;
import io.kube4j.apiserver.testsupport.TestPki;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.config.KubeConfigLoader;
import io.kube4j.node.config.NodeAgentProperties;
import io.kube4j.node.config.PodLifecycleProperties;
import io.kube4j.node.hollow.HollowFleet;
import io.kube4j.node.runtime.hollow.HollowRuntime;
import io.kube4j.node.testsupport.NodeTestSupport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, apiserver: two apiserver replicas (each its own JVM from the exec jar, TLS and front-proxy
 * authentication as deployed) on one etcd, behind the api-gateway (its exec jar, both replicas as upstreams, a fast
 * health check). The scheduler and the controller manager (their exec jars), a hollow fleet (in this JVM) and the
 * test's own client all reach the cluster through the gateway only, each with a client certificate of its own so the
 * apiservers' audit logs tell them apart. During a Deployment's rolling update the replica carrying the most
 * requests is killed with SIGKILL. Checked: the rollout completes; no request of the test failed except ones the
 * gateway answered with a retriable 5xx that the test sent again (and that then worked); every role's informers
 * resumed without relisting more than once each (LISTs per user and resource after the kill, from the audit logs,
 * at most as many as that role made to sync at start); the restarted replica is taken back by the gateway and
 * serves requests again.
 */
class ApiServerFailoverIT {

    private static final String TAG = "[ApiServerFailoverIT]";
    private static final Path LOGS = Path.of("target", "apiserver-failover-logs");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final String NS = "apinet";
    private static final int REPLICAS = 20;
    private static final int HOLLOW_NODES = 3;
    private static final List<String> ROLES = List.of("apinet-scheduler", "apinet-controller-manager", "apinet-fleet");
    private static final Pattern USER = Pattern.compile("\"user\":\\{\"username\":\"([^\"]+)\"");
    private static final Pattern RESOURCE = Pattern.compile("\"objectRef\":\\{\"resource\":\"([^\"]+)\"");
    private static final Pattern RECEIVED = Pattern.compile("\"requestReceivedTimestamp\":\"([^\"]+)\"");

    private static final Cleanups cleanups = new Cleanups(TAG);

    @AfterAll
    static void cleanUp() {
        cleanups.closeAll();
    }

    /** One request of the test's loop that failed: what it was, the status (0: no status), and when. */
    record Failure(String what, int code, String message, Instant at) {
        boolean retriable() {
            return code == 502 || code == 503 || code == 504 || code == 429;
        }
    }

    @Test
    void aRolloutCompletesWhenAnApiServerReplicaIsKilledAndInformersDoNotRelist() throws Exception {
        long t0 = System.nanoTime();
        EtcdServer etcd = new EtcdServer(); // skips (fails under KUBE4J_REQUIRE_ALL=1) without an etcd binary
        cleanups.add(etcd::destroy);
        Runtime.getRuntime().addShutdownHook(new Thread(etcd::destroy, "apiserver-failover-etcd"));
        etcd.start();
        TestPki pki = TestPki.create();
        cleanups.add(() -> deleteTree(pki.dir()));
        Files.createDirectories(LOGS);
        try (Stream<Path> old = Files.list(LOGS)) {
            for (Path f : old.filter(p -> p.getFileName().toString().endsWith("-audit.log")).toList()) {
                Files.delete(f); // a previous run's
            }
        }
        Path policy = LOGS.resolve("audit-policy.yaml").toAbsolutePath();
        // only LISTs: the informers' (re)lists, and little else to write
        Files.writeString(policy, """
                apiVersion: audit.k8s.io/v1
                kind: Policy
                omitStages: ["RequestReceived"]
                rules:
                - level: Metadata
                  verbs: ["list"]
                """);
        HttpClient https = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(pki.sslContext(pki.admin())).connectTimeout(Duration.ofSeconds(2)).build();

        // two apiserver replicas on one etcd, on ports fixed up front (the gateway's upstream list)
        Path apiJar = ChildJvm.execJar("apiserver-service");
        int[] apiPorts = {ChildJvm.freePort(), ChildJvm.freePort()};
        String[] apiUrls = {"https://127.0.0.1:" + apiPorts[0], "https://127.0.0.1:" + apiPorts[1]};
        String[] apiNames = {"apiserver-a", "apiserver-b"};
        ChildJvm[] api = new ChildJvm[2];
        for (int i = 0; i < 2; i++) {
            api[i] = startApiServer(apiJar, apiNames[i], apiPorts[i], etcd, pki, policy);
        }

        // the gateway in front of both
        int gwMgmt = ChildJvm.freePort();
        ChildJvm gateway = ChildJvm.start("gateway", List.of(), "127.0.0.1", ChildJvm.execJar("api-gateway"), LOGS,
                List.of("--management.server.port=" + gwMgmt, "--management.server.address=127.0.0.1",
                        "--kube4j.gateway.tls.cert-file=" + pki.gatewayServing().certFile(),
                        "--kube4j.gateway.tls.key-file=" + pki.gatewayServing().keyFile(),
                        "--kube4j.gateway.tls.client-ca-file=" + pki.caFile(),
                        "--kube4j.gateway.authentication.client-ca-file=" + pki.caFile(),
                        "--kube4j.gateway.upstream.servers=" + apiUrls[0] + "," + apiUrls[1],
                        "--kube4j.gateway.upstream.ca-file=" + pki.caFile(),
                        "--kube4j.gateway.upstream.client-cert-file=" + pki.frontProxyClient().certFile(),
                        "--kube4j.gateway.upstream.client-key-file=" + pki.frontProxyClient().keyFile(),
                        "--kube4j.gateway.upstream.health-check-interval=500ms",
                        "--kube4j.gateway.upstream.health-check-timeout=2s",
                        "--kube4j.gateway.upstream.unhealthy-threshold=2",
                        "--kube4j.gateway.rate-limit.enabled=false"));
        cleanups.add(gateway);
        String gw = "https://127.0.0.1:" + gateway.port;
        String gwMetrics = "http://127.0.0.1:" + gwMgmt + "/actuator/prometheus";

        // the scheduler and the controller manager, through the gateway, as users of their own
        ChildJvm scheduler = ChildJvm.start("scheduler", ChildJvm.execJar("scheduler-service"), LOGS,
                // the server too: the roles' application.yaml names a default one, which wins over the kubeconfig's
                List.of("--kube4j.client.server=" + gw,
                        "--kube4j.client.kubeconfig=" + kubeconfig(pki, gw, "apinet-scheduler")));
        cleanups.add(scheduler);
        ChildJvm controllers = ChildJvm.start("controller-manager", ChildJvm.execJar("controller-service"), LOGS,
                List.of("--kube4j.client.server=" + gw,
                        "--kube4j.client.kubeconfig=" + kubeconfig(pki, gw, "apinet-controller-manager"),
                        "--kube4j.controller.controllers=replicaset,deployment"));
        cleanups.add(controllers);

        for (int i = 0; i < 2; i++) {
            api[i].awaitHttpOk(apiUrls[i] + "/readyz", https, START_TIMEOUT);
        }
        gateway.awaitHttpOk("http://127.0.0.1:" + gwMgmt + "/actuator/health", HttpClient.newHttpClient(),
                START_TIMEOUT);
        scheduler.awaitReady(START_TIMEOUT);
        controllers.awaitReady(START_TIMEOUT);

        KubeClient client = KubeClient.create(KubeConfigLoader.load(kubeconfig(pki, gw, "apinet-test"), null)
                .withRequestTimeout(Duration.ofSeconds(15)));
        cleanups.add(client::close);
        client.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata()
                .build()).block(Duration.ofSeconds(30));

        // the hollow fleet: full node agents on a simulated runtime, in this JVM
        KubeClient fleetClient = KubeClient.create(KubeConfigLoader.load(kubeconfig(pki, gw, "apinet-fleet"), null));
        cleanups.add(fleetClient::close);
        String prefix = "apinet-hollow-";
        NodeAgentProperties fleetProps = NodeTestSupport.properties("hollow.name-prefix=" + prefix,
                "lease.renew-interval=2s", "status-update-frequency=5s");
        ExecutorService podWorkers = Executors.newFixedThreadPool(4);
        cleanups.add(podWorkers::shutdownNow);
        HollowFleet fleet = new HollowFleet(fleetClient, fleetProps, HOLLOW_NODES, HollowRuntime.Resources.DEFAULT,
                new SimpleMeterRegistry(), HollowFleet.fullAgents(PodLifecycleProperties.defaults(), podWorkers));
        cleanups.add(fleet::close);
        fleet.start();
        await("the hollow nodes Ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> client.resources(Node.class).list(null, ListOptions.all()).block(Duration.ofSeconds(10))
                        .getItems().stream().filter(n -> n.getMetadata().getName().startsWith(prefix))
                        .filter(ApiServerFailoverIT::ready).count() == HOLLOW_NODES);

        client.resources(Deployment.class).create(deployment("hollow/web:1")).block(Duration.ofSeconds(30));
        awaitRolledOut(client, Duration.ofSeconds(90));
        long setUpS = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);

        // the test's own requests through the gateway, all along: reads and read-modify-writes
        RequestLoop loop = new RequestLoop(client);
        cleanups.add(loop::stop);
        loop.start();
        await("the request loop running").atMost(Duration.ofSeconds(30)).until(() -> loop.ok.get() >= 10);

        // the rollout: a new image, 2 pods at a time, each Ready for 1 s before it counts
        long rolloutStart = System.nanoTime();
        client.resources(Deployment.class).updateWithRetry(NS, "web", d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("hollow/web:2");
            return d;
        }, false).block(Duration.ofSeconds(30));
        // (at the new generation: until the controller has seen it, the status is the previous rollout's)
        DeploymentStatus during = await("the rollout under way").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100)).until(() -> {
                    Deployment d = client.resources(Deployment.class).get(NS, "web").block(Duration.ofSeconds(15));
                    DeploymentStatus s = d.getStatus();
                    return s != null && Objects.equals(s.getObservedGeneration(), d.getMetadata().getGeneration())
                            && s.getUpdatedReplicas() != null && s.getUpdatedReplicas() >= 4 ? s : null;
                }, Objects::nonNull);
        assertThat(during.getUpdatedReplicas()).as("updated replicas when the apiserver is killed")
                .isLessThan(REPLICAS);

        // kill -9 the replica with the most requests in flight (watches included)
        Map<String, Double> outstanding = metric(gwMetrics, "gateway_upstream_outstanding");
        int victim = outstanding.getOrDefault(apiUrls[1], 0.0) > outstanding.getOrDefault(apiUrls[0], 0.0) ? 1 : 0;
        int survivor = 1 - victim;
        Instant killedAt = Instant.now();
        long killedNanos = System.nanoTime();
        api[victim].kill();
        // passive marking (a refused connection) or the health check, whichever comes first
        await("the gateway marking " + apiNames[victim] + " down").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> metric(gwMetrics, "gateway_upstream_healthy").getOrDefault(apiUrls[victim], 1.0) == 0.0);
        long markedDownMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNanos);

        DeploymentStatus done = awaitRolledOut(client, Duration.ofSeconds(90));
        long rolloutMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - rolloutStart);
        long afterKillMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedNanos);
        List<Pod> pods = client.resources(Pod.class).list(NS, ListOptions.all()).block(Duration.ofSeconds(30))
                .getItems();
        assertThat(pods).as("the Deployment's pods after the rollout").hasSize(REPLICAS)
                .allSatisfy(p -> assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo("hollow/web:2"));

        // restart it where the gateway expects it: the gateway takes it back and sends it requests again
        long restartAt = System.nanoTime();
        api[victim] = startApiServer(apiJar, apiNames[victim] + "-restarted", apiPorts[victim], etcd, pki, policy);
        api[victim].awaitHttpOk(apiUrls[victim] + "/readyz", https, START_TIMEOUT);
        long restartReadyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartAt);
        long readyAt = System.nanoTime();
        await("the gateway taking " + apiNames[victim] + " back").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> metric(gwMetrics, "gateway_upstream_healthy").getOrDefault(apiUrls[victim], 0.0) == 1.0);
        long backMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - readyAt);
        double servedBefore = metric(gwMetrics, "gateway_upstream_requests_total").getOrDefault(apiUrls[victim], 0.0);
        await("requests reaching the restarted " + apiNames[victim]).atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100)).until(() -> metric(gwMetrics, "gateway_upstream_requests_total")
                        .getOrDefault(apiUrls[victim], 0.0) >= servedBefore + 5);
        long okBeforeEnd = loop.ok.get();
        await("the request loop running after the restart").atMost(Duration.ofSeconds(30))
                .until(() -> loop.ok.get() >= okBeforeEnd + 10);
        loop.stop();

        // LISTs per role and resource, from both replicas' audit logs: at start (the informers' first sync) and after
        // the kill (relists)
        Map<String, Integer> before = new TreeMap<>();
        Map<String, Integer> after = new TreeMap<>();
        try (Stream<Path> files = Files.list(LOGS)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith("-audit.log")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    String user = group(USER, line);
                    String resource = group(RESOURCE, line);
                    String received = group(RECEIVED, line);
                    if (user == null || resource == null || received == null || !ROLES.contains(user)
                            || !line.contains("\"verb\":\"list\"")) {
                        continue;
                    }
                    String key = user + " " + resource;
                    (Instant.parse(received).isBefore(killedAt) ? before : after).merge(key, 1, Integer::sum);
                }
            }
        }
        List<Failure> failures = new ArrayList<>(loop.failures);
        long retriable = failures.stream().filter(Failure::retriable).count();
        System.out.printf("%s set-up %d s; rollout of %d hollow pods (maxSurge 2, minReadySeconds 1) %d ms, of which"
                        + " %d ms after the kill -9 of %s (requests in flight %s; updated %d at the kill); the gateway"
                        + " marked it down after"
                        + " %d ms; the restarted replica ready after %d ms and back in the gateway %d ms later%n", TAG,
                setUpS, REPLICAS, rolloutMs, afterKillMs, apiNames[victim], outstanding, during.getUpdatedReplicas(),
                markedDownMs, restartReadyMs, backMs);
        System.out.printf("%s test requests %d ok, %d failed (%d retriable, retried: %s); gateway retries %s%n", TAG,
                loop.ok.get(), failures.size(), retriable, failures,
                metric(gwMetrics, "gateway_upstream_retries_total"));
        System.out.printf("%s LISTs per role and resource: at start %s, after the kill %s (test %d s)%n", TAG,
                before, after, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));

        assertThat(done.getObservedGeneration()).isNotNull();
        assertThat(failures.stream().filter(f -> !f.retriable()).toList()).as("failed test requests").isEmpty();
        assertThat(loop.errors).as("request loop errors").isEmpty();
        assertThat(api[survivor].isAlive()).isTrue();
        assertThat(before).as("the roles' LISTs at start").isNotEmpty()
                .containsKeys("apinet-scheduler pods", "apinet-controller-manager replicasets", "apinet-fleet pods");
        // at most one relist per informer: no more LISTs per role and resource than its informers' first sync made
        for (Map.Entry<String, Integer> e : after.entrySet()) {
            assertThat(e.getValue()).as("LISTs after the kill by " + e.getKey() + " (at start: "
                    + before.get(e.getKey()) + ")").isLessThanOrEqualTo(before.getOrDefault(e.getKey(), 0));
        }
    }

    private static ChildJvm startApiServer(Path jar, String name, int port, EtcdServer etcd, TestPki pki, Path policy)
            throws IOException {
        List<String> args = new ArrayList<>(List.of("--kube4j.apiserver.etcd.endpoints=" + etcd.endpoint(),
                // no controller creates the namespaces' "default" ServiceAccounts here
                "--kube4j.apiserver.admission.disabled-plugins=ServiceAccount",
                "--kube4j.apiserver.audit.policy-file=" + policy,
                "--kube4j.apiserver.audit.log-path=" + LOGS.resolve(name + "-audit.log").toAbsolutePath()));
        pki.apiServerProperties().forEach(p -> args.add("--" + p));
        ChildJvm jvm = ChildJvm.start(name, List.of(), "127.0.0.1", port, jar, LOGS, args);
        cleanups.add(jvm);
        return jvm;
    }

    private static Path kubeconfig(TestPki pki, String server, String user) {
        return pki.kubeconfig(server, pki.clientCert(user, "system:masters"));
    }

    private static Deployment deployment(String image) {
        return new DeploymentBuilder().withNewMetadata().withNamespace(NS).withName("web").endMetadata().withNewSpec()
                .withReplicas(REPLICAS).withMinReadySeconds(1).withNewSelector().addToMatchLabels("app", "web")
                .endSelector().withNewStrategy().withType("RollingUpdate").withNewRollingUpdate().withNewMaxSurge(2)
                .withNewMaxUnavailable(0).endRollingUpdate().endStrategy()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata().withNewSpec()
                .withTerminationGracePeriodSeconds(0L)
                .addNewContainer().withName("web").withImage(image).endContainer()
                .endSpec().endTemplate().endSpec().build();
    }

    /** Until updated == available == replicas == spec.replicas at the Deployment's current generation. */
    private static DeploymentStatus awaitRolledOut(KubeClient client, Duration timeout) {
        // a failed GET fails the test: the gateway retries reads on the other replica itself
        return await("the Deployment rolled out").atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> {
                    Deployment d = client.resources(Deployment.class).get(NS, "web").block(Duration.ofSeconds(15));
                    DeploymentStatus s = d.getStatus();
                    return s != null && Objects.equals(s.getObservedGeneration(), d.getMetadata().getGeneration())
                            && Objects.equals(s.getUpdatedReplicas(), REPLICAS)
                            && Objects.equals(s.getAvailableReplicas(), REPLICAS)
                            && Objects.equals(s.getReplicas(), REPLICAS) ? s : null;
                }, Objects::nonNull);
    }

    private static boolean ready(Node n) {
        return n.getStatus() != null && n.getStatus().getConditions() != null && n.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** A Prometheus series per {@code server} label (or one under "" without it), from the gateway's actuator. */
    private static Map<String, Double> metric(String url, String name) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Double> out = new TreeMap<>();
        Pattern server = Pattern.compile("server=\"([^\"]+)\"");
        for (String line : r.body().lines().toList()) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                Matcher m = server.matcher(line);
                out.put(m.find() ? m.group(1) : "", Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return out;
    }

    private static String group(Pattern p, String line) {
        Matcher m = p.matcher(line);
        return m.find() ? m.group(1) : null;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    /**
     * The test's requests through the gateway, one at a time: a GET of the Deployment, a LIST of its pods and a
     * read-modify-write of a ConfigMap, over and over. A step answered with a retriable status (502/503/504, 429) is
     * recorded and sent again (the write from a fresh read); anything else is a failure.
     */
    private static final class RequestLoop {
        final KubeClient client;
        final AtomicLong ok = new AtomicLong();
        final List<Failure> failures = new CopyOnWriteArrayList<>();
        final List<String> errors = new CopyOnWriteArrayList<>();
        final AtomicBoolean stop = new AtomicBoolean();
        private Thread thread;

        RequestLoop(KubeClient client) {
            this.client = client;
        }

        void start() {
            client.resources(ConfigMap.class).create(new ConfigMapBuilder().withNewMetadata().withNamespace(NS)
                    .withName("ticker").endMetadata().addToData("n", "0").build()).block(Duration.ofSeconds(30));
            thread = new Thread(this::run, "apiserver-failover-requests");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            long n = 0;
            while (!stop.get()) {
                long next = n + 1;
                step("get deployment", () -> client.resources(Deployment.class).get(NS, "web")
                        .block(Duration.ofSeconds(20)));
                step("list pods", () -> client.resources(Pod.class).list(NS, ListOptions.all())
                        .block(Duration.ofSeconds(20)));
                step("update configmap", () -> {
                    ConfigMap cm = client.resources(ConfigMap.class).get(NS, "ticker").block(Duration.ofSeconds(20));
                    cm.getData().put("n", Long.toString(next));
                    return client.resources(ConfigMap.class).update(cm).block(Duration.ofSeconds(20));
                });
                n = next;
            }
        }

        /** Runs {@code call} until it works (retriable failures, at most 20 times) or fails otherwise. */
        private void step(String what, java.util.concurrent.Callable<?> call) {
            for (int attempt = 0; attempt < 20 && !stop.get(); attempt++) {
                try {
                    call.call();
                    ok.incrementAndGet();
                    return;
                } catch (ApiStatusException e) {
                    Failure f = new Failure(what, e.code(), e.getMessage(), Instant.now());
                    failures.add(f);
                    if (!f.retriable()) {
                        return;
                    }
                    backOff();
                } catch (Exception e) {
                    failures.add(new Failure(what, 0, e.toString(), Instant.now()));
                    return;
                }
            }
            if (!stop.get()) {
                errors.add(what + ": still failing after 20 attempts");
            }
        }

        /** A short pause before sending a retriable request again (a back-off, not a synchronisation). */
        private static void backOff() {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        void stop() throws InterruptedException {
            stop.set(true);
            if (thread != null) {
                thread.join(30_000);
            }
        }
    }
}
