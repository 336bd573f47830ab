package io.kube4j.gateway.streaming;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.apiserver.testsupport.TestPki;
import io.kube4j.gateway.testsupport.GatewayInstance;
import io.kube4j.node.agent.NodeAgentHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A watch and exec sessions through the gateway stay open through a long idle time (2 minutes by default: twice the
 * longest timeout on the gateway's path, the 60 s response timeout, and four times the 30 s pool idle time; system
 * property {@value #IDLE_PROPERTY}, an ISO-8601 duration, sets it: {@code PT5M} for the gateway issue's 5 minutes,
 * which the suite no longer waits because it outlasted every other class of the module by three minutes) and then still
 * deliver: the watch every event written before and after the pause, a raw WebSocket exec (no pings at all, so
 * nothing crosses the connection for the whole pause) and kubectl's {@code exec -i} (which sends WebSocket pings)
 * echo input given after it. No timeout of the gateway (response timeout, pool idle time, read timeouts) may end
 * them.
 *
 * <p>It runs concurrently with the module's other ITs (JUnit parallel execution is on in the failsafe
 * configuration, every other class runs in the same thread as before), so the pause overlaps their run.
 */
@Execution(ExecutionMode.CONCURRENT)
class LongLivedStreamsIT {

    static final String IDLE_PROPERTY = "kube4j.gateway.it.idle";
    static final Duration IDLE = Duration.parse(System.getProperty(IDLE_PROPERTY, "PT2M"));
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    static NodeAgentHarness node;
    static ApiServerInstance apiserver;
    static TestPki pki;
    static GatewayInstance gateway;
    static ApiClient direct;
    static Pod pod;

    @BeforeAll
    static void start() {
        Requirements.requireBinary("kubectl");
        node = NodeAgentHarness.docker("idle");
        apiserver = ApiServerInstance.secureShared();
        pki = apiserver.pki();
        direct = apiserver.client(pki.admin());
        gateway = GatewayInstance.start(pki, List.of(apiserver.url()));
        pod = node.createPod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: sleeper}
                spec:
                  containers:
                  - name: main
                    image: IMAGE
                    command: [sh, -c, 'exec sleep 100000']
                """.replace("IMAGE", node.busyboxImage()));
        node.awaitPhase(pod, "Running");
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (node != null) {
            node.close();
        }
    }

    static void createConfigMap(String ns, String name) {
        ApiClient.Response r = direct.post("/api/v1/namespaces/" + ns + "/configmaps",
                "{\"metadata\":{\"name\":\"" + name + "\"}}");
        assertThat(r.code()).as(r.body()).isEqualTo(201);
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void watchAndExecSurviveALongIdleTime() throws Exception {
        String ns = node.namespace();
        String exec = "/api/v1/namespaces/" + ns + "/pods/sleeper/exec?container=main&stdin=true&stdout=true"
                + "&stderr=true&command=cat";
        String cms = "/api/v1/namespaces/" + ns + "/configmaps";
        String rv = direct.get(cms).json().at("/metadata/resourceVersion").asString();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(pki.sslContext(pki.admin())).build();
        KubectlRunner kubectl = KubectlRunner.withKubeconfig(Requirements.requireBinary("kubectl"),
                gateway.kubeconfig(pki.admin()), dir, TIMEOUT);
        Process kubectlExec = kubectl.start(KubectlRunner.OPEN_STDIN, kubectl.kubectl().toString(), "exec", "-i",
                "sleeper", "-n", ns, "-c", "main", "--", "cat");
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        try (StreamLines watch = StreamLines.open(http, HttpRequest.newBuilder(
                     URI.create(gateway.url() + cms + "?watch=true&resourceVersion=" + rv)).build());
             ExecSession session = ExecSession.open(pki, pki.admin(), gateway.url(), exec)) {
            OutputStream kubectlIn = kubectlExec.getOutputStream();
            // everything works before the pause
            assertThat(watch.response().statusCode()).isEqualTo(200);
            assertThat(session.protocol(TIMEOUT)).isEqualTo(ExecSession.V5);
            createConfigMap(ns, "before-" + suffix);
            assertThat(watch.next(l -> l.contains("before-" + suffix), Duration.ofSeconds(10))).isNotNull();
            session.stdin("hello before\n");
            await().atMost(TIMEOUT).until(() -> session.stdout().contains("hello before\n"));
            kubectlIn.write("kubectl before\n".getBytes(StandardCharsets.UTF_8));
            kubectlIn.flush();
            await().atMost(TIMEOUT).until(() -> KubectlRunner.read(kubectl.out(kubectlExec)).contains("kubectl before\n"));

            Thread.sleep(IDLE.toMillis()); // the point of this test: nothing is sent for this long

            assertThat(watch.ended()).as("the watch ended during the idle time").isFalse();
            assertThat(session.isClosed()).as("the exec session closed during the idle time: %s", session.error())
                    .isFalse();
            assertThat(kubectlExec.isAlive()).as("kubectl exec ended during the idle time: %s",
                    KubectlRunner.read(kubectl.err(kubectlExec))).isTrue();
            createConfigMap(ns, "after-" + suffix);
            long written = System.nanoTime();
            StreamLines.Line after = watch.next(l -> l.contains("after-" + suffix), Duration.ofSeconds(10));
            assertThat(after).as("the event written after the idle time").isNotNull();
            assertThat(Duration.ofNanos(after.nanos() - written)).isLessThan(Duration.ofSeconds(1));
            session.stdin("hello after\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> session.stdout().contains("hello after\n"));
            kubectlIn.write("kubectl after\n".getBytes(StandardCharsets.UTF_8));
            kubectlIn.flush();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> KubectlRunner.read(kubectl.out(kubectlExec)).contains("kubectl after\n"));
            kubectlIn.close();
            assertThat(kubectlExec.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(kubectlExec.exitValue()).as(KubectlRunner.read(kubectl.err(kubectlExec))).isZero();
        } finally {
            kubectlExec.destroy();
        }
    }
}
