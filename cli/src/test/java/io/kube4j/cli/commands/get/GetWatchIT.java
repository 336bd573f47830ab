package io.kube4j.cli.commands.get;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.cli.output.Io;
import io.kube4j.cli.testsupport.CliHarness;
import io.kube4j.controller.deployment.DeploymentControllerFactory;
import io.kube4j.controller.deployment.DeploymentControllerProperties;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.replicaset.ReplicaSetControllerFactory;
import io.kube4j.controller.replicaset.ReplicaSetControllerProperties;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code k4j get -w} over the SSE watch while the real Deployment and ReplicaSet controllers (controller-service,
 * in-process, on the same etcd as the secure apiserver) scale a Deployment up: the pods of the scale-up appear as rows
 * under the one header. No scheduler or nodes run, so the new pods stay Pending.
 */
class GetWatchIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern POD_ROW = Pattern.compile("(?m)^(web-[a-z0-9]+-[a-z0-9]{5}) +0/1 +Pending ");
    private static ApiServerInstance apiserver;
    private static Path kubeconfig;
    private static ApiClient api;
    private static ControllerManager controllers;
    private static final String NS = "h1-get-watch";

    @BeforeAll
    static void start() {
        apiserver = ApiServerInstance.secureShared();
        kubeconfig = apiserver.kubeconfig(apiserver.pki().admin());
        api = apiserver.client(apiserver.pki().admin());
        GetCommandIT.api = api;
        GetCommandIT.create("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + NS + "\"}}");
        GetCommandIT.create("/api/v1/namespaces/" + NS + "/serviceaccounts", "{\"metadata\":{\"name\":\"default\"}}");
        controllers = ControllerTestEnv.start(new ReplicaSetControllerFactory(ReplicaSetControllerProperties.defaults()),
                new DeploymentControllerFactory(DeploymentControllerProperties.defaults()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (controllers != null) {
            controllers.stop();
        }
    }

    /** A k4j run in a thread whose output can be read while it runs. */
    static final class Running {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final AtomicInteger code = new AtomicInteger(-1);
        final Thread thread;

        Running(String... args) {
            Io io = new Io(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), false,
                    Map.of("KUBECONFIG", kubeconfig.toString(), "HOME", System.getProperty("java.io.tmpdir")),
                    Path.of("").toAbsolutePath());
            GetCommand get = CliHarness.shared().bean(GetCommand.class);
            thread = new Thread(() -> code.set(get.execute(List.of(args), io)), "k4j-get-w");
            thread.start();
        }

        String out() {
            return out.toString(StandardCharsets.UTF_8);
        }

        int stop() throws InterruptedException {
            thread.interrupt();
            thread.join(WAIT.toMillis());
            assertThat(thread.isAlive()).as("k4j get -w stopped").isFalse();
            return code.get();
        }
    }

    static Set<String> podRows(String out) {
        Matcher m = POD_ROW.matcher(out);
        return m.results().map(r -> r.group(1)).collect(Collectors.toSet());
    }

    @Test
    void watchPrintsTheRowsOfAScaleUp() throws Exception {
        GetCommandIT.create("/apis/apps/v1/namespaces/" + NS + "/deployments", """
                {"metadata":{"name":"web"},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},
                 "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"main","image":"nginx"}]}}}}""");
        await().atMost(WAIT).until(() -> api.get("/api/v1/namespaces/" + NS + "/pods").json().path("items").size() == 1);

        Running w = new Running("pods", "-n", NS, "-w");
        await().atMost(WAIT).until(() -> podRows(w.out()).size() == 1);
        assertThat(w.out()).startsWith("NAME ").contains("READY   STATUS    RESTARTS   AGE\n");

        ApiClient.Response scaled = api.mergePatch("/apis/apps/v1/namespaces/" + NS + "/deployments/web",
                "{\"spec\":{\"replicas\":3}}");
        assertThat(scaled.code()).isEqualTo(200);
        await().atMost(WAIT).until(() -> podRows(w.out()).size() == 3);
        assertThat(w.stop()).isZero();
        String out = w.out();
        assertThat(out.split("NAME ", -1)).as("one header:\n%s", out).hasSize(2);
        assertThat(w.err.toString(StandardCharsets.UTF_8)).isEmpty();
        // every row is aligned under the header (the widths seen so far are remembered)
        int ageColumn = out.indexOf("AGE");
        for (String line : out.split("\n")) {
            assertThat(line.length()).as(line).isGreaterThan(ageColumn);
        }
    }

    @Test
    void watchOnlyEndsAtTheRequestTimeoutAndPrintsNewObjectsOnly() throws Exception {
        Running w = new Running("configmaps", "-n", NS, "--watch-only", "--request-timeout=4s", "-o", "name");
        await().atMost(WAIT).pollInterval(Duration.ofMillis(700)).untilAsserted(() -> {
            GetCommandIT.create("/api/v1/namespaces/" + NS + "/configmaps",
                    "{\"metadata\":{\"generateName\":\"late-\"}}");
            assertThat(w.out()).contains("configmap/late-");
        });
        w.thread.join(WAIT.toMillis());
        assertThat(w.code.get()).isZero();
        assertThat(w.out()).doesNotContain("kube-root-ca.crt").matches("(configmap/late-[a-z0-9]+\n)+");
    }
}
