package io.kube4j.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.KubeClient;
import io.kube4j.client.config.KubeConfigLoader;
import io.kube4j.node.testsupport.DockerTestSupport;
import io.kube4j.node.testsupport.TestImages;

/**
 * The one-JVM cluster as {@code ./kube4j up} runs it (the exec jar, a child process): a node gets Ready, a pod runs,
 * kubectl works through the gateway, every role talks to the apiserver as itself (the audit log's users), and the
 * objects and the pod survive a stop and start, and a {@code kill -9} and start (pods' containers removed in between,
 * as {@code ./kube4j down} does: the node agent recreates them).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalClusterIT {

    private static final Duration START = Duration.ofMinutes(5);

    @TempDir
    static Path tmp;

    private static LocalClusterProcess cluster;
    private static KubeClient client;

    @BeforeAll
    static void start() throws Exception {
        Requirements.requireDocker();
        TestImages.busybox();
        Path policy = tmp.resolve("audit-policy.yaml");
        Files.writeString(policy, "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n");
        cluster = new LocalClusterProcess(tmp.resolve("home"), DockerTestSupport.uniqueNodeName("lc"), List.of(
                "--nodes", "1", "--store", "embedded",
                "--set", "apiserver:kube4j.apiserver.audit.policy-file=" + policy,
                "--set", "apiserver:kube4j.apiserver.audit.log-path=" + tmp.resolve("audit.log")));
        cluster.start();
        awaitNodeReady();
        client = KubeClient.create(KubeConfigLoader.load(cluster.kubeconfig(), null));
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (cluster != null) {
            cluster.stop(Duration.ofSeconds(30));
            DockerTestSupport.cleanupNode(cluster.nodeName);
        }
    }

    @Test
    @Order(1)
    void aPodRunsAndKubectlWorksThroughTheGateway() throws Exception {
        assertThat(Files.readString(cluster.kubeconfig())).contains(":" + cluster.port("KUBE4J_GATEWAY_PORT"));
        client.resources(Pod.class).create(new PodBuilder().withNewMetadata().withNamespace("default").withName("sleeper").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage(TestImages.BUSYBOX)
                .withImagePullPolicy("Never").withCommand("sleep", "3600").endContainer().endSpec().build())
                .block(Duration.ofSeconds(30));
        awaitPodRunning();
        KubectlRunner kubectl = KubectlRunner.withKubeconfig(Requirements.requireBinary("kubectl"), cluster.kubeconfig(),
                tmp, Duration.ofSeconds(60));
        assertThat(kubectl.kubectl("get", "pod", "sleeper", "-o", "jsonpath={.status.phase}/{.spec.nodeName}").ok().out())
                .isEqualTo("Running/" + cluster.nodeName);
    }

    /**
     * The DNS role answers on its port and publishes kube-system/kube-dns. This cluster's proxy runs userspace (Services
     * on loopback, no netfilter), so pods could not reach 10.96.0.10: its ClusterFirst pods keep Docker's resolver
     * rather than sending their questions off the host. (Pods resolving through the cluster DNS with the iptables
     * proxy: {@link KubeScriptIT}.)
     */
    @Test
    @Order(2)
    void theClusterDnsAnswersAndPublishesItsService() throws Exception {
        org.xbill.DNS.SimpleResolver resolver = new org.xbill.DNS.SimpleResolver("127.0.0.1");
        resolver.setPort(cluster.port("KUBE4J_DNS_PORT"));
        resolver.setTimeout(Duration.ofSeconds(2));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            org.xbill.DNS.Message answer = resolver.send(org.xbill.DNS.Message.newQuery(org.xbill.DNS.Record.newRecord(
                    org.xbill.DNS.Name.fromString("kubernetes.default.svc.cluster.local."), org.xbill.DNS.Type.A,
                    org.xbill.DNS.DClass.IN)));
            assertThat(answer.getSection(org.xbill.DNS.Section.ANSWER)).extracting(r -> r.rdataToString())
                    .containsExactly("10.96.0.1");
        });
        assertThat(client.resources(io.fabric8.kubernetes.api.model.Service.class).get("kube-system", "kube-dns")
                .block(Duration.ofSeconds(30)).getSpec().getClusterIP()).isEqualTo("10.96.0.10");
        KubectlRunner kubectl = KubectlRunner.withKubeconfig(Requirements.requireBinary("kubectl"), cluster.kubeconfig(),
                tmp, Duration.ofSeconds(60));
        if (!"iptables".equals(cluster.env.get("KUBE4J_PROXY_MODE"))) {
            assertThat(kubectl.kubectl("exec", "sleeper", "--", "cat", "/etc/resolv.conf").ok().out())
                    .doesNotContain("10.96.0.10");
        }
    }

    /**
     * The ingress role serves an Ingress without a class (the IngressClass kube4j it created is the default) by host
     * and path, to a busybox httpd pod's endpoints; another host gets 404.
     */
    @Test
    @Order(3)
    void anIngressRoutesByHostToAServicesPods() throws Exception {
        client.resources(Pod.class).create(new PodBuilder().withNewMetadata().withNamespace("default").withName("web")
                .addToLabels("app", "web").endMetadata().withNewSpec().addNewContainer().withName("httpd")
                .withImage(TestImages.BUSYBOX).withImagePullPolicy("Never").withCommand("sh", "-c",
                        "mkdir -p /www && echo hello-ingress > /www/index.html && exec httpd -f -p 8080 -h /www")
                .endContainer().endSpec().build()).block(Duration.ofSeconds(30));
        client.resources(io.fabric8.kubernetes.api.model.Service.class).create(
                new io.fabric8.kubernetes.api.model.ServiceBuilder().withNewMetadata().withNamespace("default")
                        .withName("web").endMetadata().withNewSpec().addToSelector("app", "web").addNewPort()
                        .withName("http").withPort(80).withNewTargetPort(8080).endPort().endSpec().build())
                .block(Duration.ofSeconds(30));
        client.resources(io.fabric8.kubernetes.api.model.networking.v1.Ingress.class).create(
                new io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder().withNewMetadata()
                        .withNamespace("default").withName("web").endMetadata().withNewSpec().addNewRule()
                        .withHost("web.local").withNewHttp().addNewPath().withPath("/").withPathType("Prefix")
                        .withNewBackend().withNewService().withName("web").withNewPort().withNumber(80).endPort()
                        .endService().endBackend().endPath().endHttp().endRule().endSpec().build())
                .block(Duration.ofSeconds(30));
        assertThat(client.resources(io.fabric8.kubernetes.api.model.networking.v1.IngressClass.class)
                .get(null, "kube4j").block(Duration.ofSeconds(30)).getSpec().getController())
                .isEqualTo("kube4j.io/ingress");
        int port = cluster.port("KUBE4J_INGRESS_HTTP_PORT");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertThat(httpGet(port, "web.local")).startsWith("HTTP/1.1 200").contains("hello-ingress"));
        assertThat(httpGet(port, "other.local")).startsWith("HTTP/1.1 404");
    }

    /** GET / with a Host header of our choosing (java.net.http does not allow setting one). */
    private static String httpGet(int port, String host) throws java.io.IOException {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /**
     * Node 0's log collector (as root only: it reads Docker's log files) keeps every line of a pod deleted right after
     * it wrote them, searchable on {@code KUBE4J_LOGGING_PORT}.
     */
    @Test
    @Order(4)
    void logsOfADeletedPodAreSearchable() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "the log collector runs as root only");
        int lines = 500;
        client.resources(Pod.class).create(new PodBuilder().withNewMetadata().withNamespace("default")
                .withName("counter").endMetadata().withNewSpec().withRestartPolicy("Never").addNewContainer()
                .withName("c").withImage(TestImages.BUSYBOX).withImagePullPolicy("Never").withCommand("sh", "-c",
                        "i=1; while [ $i -le " + lines + " ]; do echo lc-line-$i-end; i=$((i+1)); done")
                .endContainer().endSpec().build()).block(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            Pod p = client.resources(Pod.class).get("default", "counter").block(Duration.ofSeconds(10));
            return p.getStatus() != null && "Succeeded".equals(p.getStatus().getPhase());
        });
        client.resources(Pod.class).delete("default", "counter", null).block(Duration.ofSeconds(30));
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(2)).build();
        java.net.URI uri = java.net.URI.create("http://127.0.0.1:" + cluster.port("KUBE4J_LOGGING_PORT")
                + "/api/v1/logs/search?q=lc-line-&namespace=default&pod=counter&limit=10000");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            String body = http.send(java.net.http.HttpRequest.newBuilder(uri).header("Accept", "application/x-ndjson")
                    .timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            java.util.Set<String> found = new java.util.HashSet<>();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("lc-line-(\\d+)-end").matcher(body);
            while (m.find()) {
                found.add(m.group(1));
            }
            assertThat(found).hasSize(lines);
        });
    }

    @Test
    @Order(5)
    void everyRoleUsesItsOwnIdentity() throws Exception {
        Lease nodeLease = client.resources(Lease.class).get("kube-node-lease", cluster.nodeName).block(Duration.ofSeconds(30));
        assertThat(nodeLease.getSpec().getHolderIdentity()).isEqualTo(cluster.nodeName);
        for (String lease : List.of("kube-scheduler", "kube-controller-manager")) {
            assertThat(client.resources(Lease.class).get("kube-system", lease).block(Duration.ofSeconds(30))
                    .getSpec().getHolderIdentity()).isNotBlank();
        }
        // the audit log names who sent each request: every role its own certificate's user (the gateway forwards
        // the admin's requests as kube4j-admin, through its front-proxy connection)
        Path audit = tmp.resolve("audit.log");
        List<String> users = List.of("system:node:" + cluster.nodeName, "system:kube-scheduler",
                "system:kube-controller-manager", "system:kube-proxy", "system:kube-dns", "system:kube4j-ingress-controller",
                "kube4j-admin");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            String log = Files.readString(audit);
            for (String user : users) {
                assertThat(log).as("audit events of %s", user).contains("\"username\":\"" + user + "\"");
            }
        });
    }

    @Test
    @Order(6)
    void objectsAndPodsSurviveAStopAndAKill() throws Exception {
        String uid = client.resources(Pod.class).get("default", "sleeper").block(Duration.ofSeconds(30))
                .getMetadata().getUid();
        for (boolean kill : new boolean[] {false, true}) {
            if (kill) {
                cluster.kill();
            } else {
                cluster.stop(Duration.ofSeconds(30));
            }
            DockerTestSupport.cleanupNode(cluster.nodeName);   // what ./kube4j down does to the pods' containers
            cluster.start();
            awaitNodeReady();
            assertThat(client.resources(Pod.class).get("default", "sleeper").block(Duration.ofSeconds(30))
                    .getMetadata().getUid()).isEqualTo(uid);
            // the node agent recreates the pod's containers (the status may still say Running from before)
            await().atMost(Duration.ofMinutes(2)).until(() -> DockerTestSupport.client().listContainersCmd()
                    .withLabelFilter(Map.of("io.kube4j.node", cluster.nodeName)).exec().size() >= 2);
            awaitPodRunning();
        }
    }

    private static void awaitNodeReady() throws Exception {
        await().atMost(START).pollInterval(Duration.ofMillis(500)).until(() -> {
            assertThat(cluster.alive()).as("cluster process alive (log %s)", cluster.log()).isTrue();
            if (!Files.exists(cluster.kubeconfig())) {
                return false;
            }
            try (KubeClient c = KubeClient.create(KubeConfigLoader.load(cluster.kubeconfig(), null))) {
                Node n = c.resources(Node.class).get(null, cluster.nodeName).block(Duration.ofSeconds(10));
                return n.getStatus().getConditions().stream()
                        .anyMatch(x -> "Ready".equals(x.getType()) && "True".equals(x.getStatus()));
            } catch (ApiStatusException | IllegalStateException e) {
                return false;
            } catch (RuntimeException e) {
                return false;   // not listening yet
            }
        });
    }

    private static void awaitPodRunning() {
        await().atMost(Duration.ofMinutes(2)).until(() -> {
            Pod p = client.resources(Pod.class).get("default", "sleeper").block(Duration.ofSeconds(10));
            return p.getStatus() != null && "Running".equals(p.getStatus().getPhase())
                    && p.getStatus().getContainerStatuses() != null
                    && p.getStatus().getContainerStatuses().stream().allMatch(s -> Boolean.TRUE.equals(s.getReady()));
        });
    }
}
