package io.kube4j.node.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.EtcdServer;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.apiserver.testsupport.TestPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node API as a cluster runs it: HTTPS with a serving certificate of the cluster CA, and only the apiserver's
 * kubelet-client certificate may call it. Direct calls without it are refused at the handshake; kubectl logs and
 * exec through an apiserver configured with that client certificate (and verifying the node's certificate) work,
 * against real containers on Docker.
 */
class NodeApiClientCertIT {

    private static final String NS = "nodeapi-mtls";
    private static final String POD = "mtls";
    private static final String NODE = "nodeapi-mtls-" + UUID.randomUUID().toString().substring(0, 8);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    private static TestPki pki;
    private static DockerTestRuntime runtime;
    private static NodeApiServer server;
    private static ApiServerInstance apiserver;
    private static ApiClient api;
    private static KubectlRunner kubectl;
    private static String base;

    @BeforeAll
    static void setUp() throws IOException {
        Requirements.requireDocker();
        Path binary = Requirements.requireBinary("kubectl");
        pki = TestPki.create();
        TestPki.Credential serving = pki.nodeServing();
        runtime = new DockerTestRuntime(NODE);
        NodeApiFixtures.FixedPods pods = new NodeApiFixtures.FixedPods();
        server = new NodeApiServer(NodeApiFixtures.context(NODE, NodeApiFixtures.properties(Map.of(
                "kube4j.node.server.cert-file", serving.certFile().toString(),
                "kube4j.node.server.key-file", serving.keyFile().toString(),
                "kube4j.node.server.client-ca-file", pki.caFile().toString())), runtime, dir.resolve("node")), pods);
        int port = server.start();
        base = "https://127.0.0.1:" + port;

        // the kubelet leg is what this test is about: the apiserver itself is a development one (plain HTTP)
        apiserver = ApiServerInstance.start(EtcdServer.shared().endpoint(),
                "kube4j.apiserver.kubelet.ca-file=" + pki.caFile(),
                "kube4j.apiserver.kubelet.client-cert-file=" + pki.kubeletClient().certFile(),
                "kube4j.apiserver.kubelet.client-key-file=" + pki.kubeletClient().keyFile());
        api = apiserver.client();
        kubectl = new KubectlRunner(binary, apiserver.url(), NS, dir, TIMEOUT);
        assertThat(api.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + NS + "\"}}").code()).isIn(201, 409);
        assertThat(api.post("/api/v1/nodes", "{\"metadata\":{\"name\":\"" + NODE + "\"}}").code()).isEqualTo(201);
        String rv = api.get("/api/v1/nodes/" + NODE).json().path("metadata").path("resourceVersion").asString();
        assertThat(api.put("/api/v1/nodes/" + NODE + "/status", """
                {"apiVersion":"v1","kind":"Node","metadata":{"name":"%s","resourceVersion":"%s"},
                 "status":{"addresses":[{"type":"InternalIP","address":"127.0.0.1"}],
                           "daemonEndpoints":{"kubeletEndpoint":{"Port":%d}}}}
                """.formatted(NODE, rv, port)).code()).isEqualTo(200);
        ApiClient.Response created = api.post("/api/v1/namespaces/" + NS + "/pods", """
                {"metadata":{"name":"%s"},"spec":{"nodeName":"%s","containers":[{"name":"app","image":"%s"}]}}
                """.formatted(POD, NODE, NodeApiTestImages.BUSYBOX));
        assertThat(created.code()).as(created.body()).isEqualTo(201);
        String uid = created.json().path("metadata").path("uid").asString();
        NodeApiTestImages.runContainer(NODE, uid, POD, NS, "app", 0, "sh", "-c", "echo hello over mtls; sleep 3600");
        pods.pods.add(Codecs.json().treeToValue(created.json(), Pod.class));
    }

    @AfterAll
    static void tearDown() {
        if (api != null) {
            api.delete("/api/v1/namespaces/" + NS + "/pods/" + POD + "?gracePeriodSeconds=0");
            api.delete("/api/v1/nodes/" + NODE);
        }
        if (apiserver != null) {
            apiserver.close();
        }
        if (server != null) {
            server.stop();
        }
        if (runtime != null) {
            runtime.close();
        }
        NodeApiTestImages.removeContainers(NODE);
    }

    private static int get(TestPki.Credential who, String path) throws Exception {
        HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(pki.sslContext(who))
                .connectTimeout(Duration.ofSeconds(5)).build();
        return c.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void onlyTheApiserversClientCertificateMayCallTheNodeApi() throws Exception {
        assertThat(get(pki.kubeletClient(), "/healthz")).isEqualTo(200);
        for (TestPki.Credential refused : List.of(TestPki.Credential.anonymous(), pki.admin(),
                pki.foreignClientCert("kube-apiserver-kubelet-client"))) {
            assertThatThrownBy(() -> get(refused, "/pods")).as(refused.name()).isInstanceOf(IOException.class);
        }
    }

    @Test
    void kubectlLogsAndExecGoThroughTheApiserversClientCertificate() {
        await().atMost(TIMEOUT).untilAsserted(() ->
                assertThat(kubectl.kubectl("logs", POD, "-c", "app").ok().out()).contains("hello over mtls"));
        assertThat(kubectl.kubectl("exec", POD, "-c", "app", "--", "echo", "exec-ok").ok().out().trim())
                .isEqualTo("exec-ok");
    }
}
