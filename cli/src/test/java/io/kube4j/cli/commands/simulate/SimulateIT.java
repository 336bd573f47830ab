package io.kube4j.cli.commands.simulate;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.cli.testsupport.CliHarness;
import io.kube4j.scheduler.SchedulerApplication;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code k4j simulate -f pod.yaml} against a real scheduler (in this JVM, on the shared etcd through the insecure
 * apiserver) whose cache holds two nodes: a big one the pod fits and a small one it does not.
 */
class SimulateIT {

    private static ApiClient api;
    private static ConfigurableApplicationContext scheduler;
    private static String url;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() {
        ApiServerInstance secure = ApiServerInstance.secureShared();
        api = secure.client(secure.pki().admin());
        node("sim-it-big", "4", "8Gi");
        node("sim-it-small", "100m", "8Gi");
        scheduler = SpringApplication.run(SchedulerApplication.class, "--server.port=0",
                "--kube4j.client.server=" + ApiServerInstance.shared().url(),
                "--kube4j.scheduler.leader-election.enabled=false");
        url = "http://127.0.0.1:" + scheduler.getEnvironment().getProperty("local.server.port");
    }

    @AfterAll
    static void stop() {
        if (scheduler != null) {
            scheduler.close();
        }
        api.delete("/api/v1/nodes/sim-it-big");
        api.delete("/api/v1/nodes/sim-it-small");
    }

    private static void node(String name, String cpu, String memory) {
        api.post("/api/v1/nodes", "{\"metadata\":{\"name\":\"" + name + "\"}}");
        String res = "{\"cpu\":\"" + cpu + "\",\"memory\":\"" + memory + "\",\"pods\":\"110\"}";
        assertThat(api.mergePatch("/api/v1/nodes/" + name + "/status", "{\"status\":{\"capacity\":" + res
                + ",\"allocatable\":" + res + ",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}").code())
                .isEqualTo(200);
    }

    private static Path pod(String name, String cpu) throws IOException {
        Path f = dir.resolve(name + ".yaml");
        Files.writeString(f, """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: %s
                spec:
                  containers:
                  - name: c
                    image: busybox
                    resources:
                      requests:
                        cpu: "%s"
                """.formatted(name, cpu));
        return f;
    }

    private static CliHarness.Result simulate(Path pod) {
        return CliHarness.shared().run(Map.of("K4J_SCHEDULER_URL", url), "", "simulate", "-f", pod.toString());
    }

    /** The rows of this test's nodes (the cluster is shared with other tests). */
    private static String ownRows(String out) {
        return out.lines().filter(l -> l.startsWith("NODE ") || l.startsWith("sim-it-"))
                .map(l -> l.replaceAll(" {3,}", "   ").replaceAll("   \\d+   ", "   <score>   "))
                .collect(Collectors.joining("\n"));
    }

    @Test
    void aPodThatFitsOneNodeShowsWhyTheOtherIsRejected() throws IOException {
        Path pod = pod("web", "1");
        // the scheduler's cache fills from its informers: wait until it knows both nodes
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(simulate(pod).out()).contains("sim-it-big").contains("sim-it-small"));
        CliHarness.Result r = simulate(pod);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("Pod default/web (default-scheduler): ");
        assertThat(ownRows(r.out())).isEqualTo("""
                NODE   FITS   SCORE   REASONS
                sim-it-big   yes   <score>   -
                sim-it-small   no   -   NodeResourcesFit: Insufficient cpu""");
    }

    @Test
    void aPodThatFitsNowhereExitsOne() throws IOException {
        CliHarness.Result r = simulate(pod("huge", "64"));
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).contains("0 of ").containsPattern("sim-it-big +no +- +NodeResourcesFit: Insufficient cpu");
    }

    @Test
    void anUnreachableSchedulerIsAClearError() throws IOException {
        CliHarness.Result r = CliHarness.shared().run(Map.of(), "", "simulate", "-f", pod("x", "1").toString(),
                "--scheduler", "http://127.0.0.1:1");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: the scheduler at http://127.0.0.1:1 is not reachable (connection "
                + "refused): pass --scheduler URL or set K4J_SCHEDULER_URL\n");
    }
}
