package io.kube4j.apiserver.compat;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Real kubectl printing the Tables kube4j's apiserver serves: the columns kubectl shows against Kubernetes for pods
 * ({@code -o wide}), deployments, services, nodes and events, with the dispatcher's kubectl (1.31) and two other
 * versions, and {@code get -w} printing one header and then one row per event.
 */
class KubectlTablesIT {

    private static final String NS = "compat-tables";
    private static final String NODE = "tables-node-1";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path dir;
    private static KubectlRunner kubectl;
    private static ApiClient api;

    @BeforeAll
    static void setUp() throws java.io.IOException {
        ApiServerInstance server = ApiServerInstance.shared();
        api = server.client();
        kubectl = KubectlRunner.forNamespace(server, NS, dir, COMMAND_TIMEOUT);
        created(api.post("/api/v1/nodes", "{\"metadata\":{\"name\":\"" + NODE + "\",\"labels\":"
                + "{\"node-role.kubernetes.io/control-plane\":\"\"}}}"));
        ok(api.mergePatch("/api/v1/nodes/" + NODE + "/status", """
                {"status":{"conditions":[{"type":"Ready","status":"True","reason":"KubeletReady",
                 "lastHeartbeatTime":"%1$s","lastTransitionTime":"%1$s"}],
                 "addresses":[{"type":"InternalIP","address":"172.18.0.2"}],
                 "nodeInfo":{"kubeletVersion":"v1.31.0","osImage":"Debian GNU/Linux 12","kernelVersion":"6.1.0",
                 "containerRuntimeVersion":"docker://27.0.0","machineID":"","systemUUID":"","bootID":"",
                 "kubeProxyVersion":"","operatingSystem":"linux","architecture":"amd64"}}}"""
                .formatted(Instant.now())));
        created(api.post(pods(), """
                {"metadata":{"name":"web"},"spec":{"nodeName":"%s","containers":[{"name":"c","image":"nginx"}]}}"""
                .formatted(NODE)));
        ok(api.mergePatch(pods() + "/web/status", """
                {"status":{"phase":"Pending","podIP":"10.244.0.7","containerStatuses":[{"name":"c","image":"nginx",
                 "imageID":"","ready":false,"restartCount":0,"state":{"waiting":{"reason":"ContainerCreating"}}}]}}"""));
        created(api.post("/apis/apps/v1/namespaces/" + NS + "/deployments", """
                {"metadata":{"name":"app"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"app"}},
                 "template":{"metadata":{"labels":{"app":"app"}},"spec":{"containers":[{"name":"web",
                 "image":"nginx:1.27"}]}}}}"""));
        created(api.post("/api/v1/namespaces/" + NS + "/services", """
                {"metadata":{"name":"app"},"spec":{"selector":{"app":"app"},"ports":[{"port":80,"protocol":"TCP"}]}}"""));
        created(api.post("/api/v1/namespaces/" + NS + "/events", """
                {"metadata":{"name":"web.1"},"involvedObject":{"kind":"Pod","namespace":"%s","name":"web"},
                 "reason":"Scheduled","message":"Successfully assigned %s/web to %s","type":"Normal","count":1,
                 "firstTimestamp":"%4$s","lastTimestamp":"%4$s","source":{"component":"default-scheduler"}}"""
                .formatted(NS, NS, NODE, Instant.now().minusSeconds(30).toString().replaceAll("\\.\\d+Z", "Z"))));
    }

    private static String pods() {
        return "/api/v1/namespaces/" + NS + "/pods";
    }

    private static void created(ApiClient.Response r) {
        assertThat(r.code()).as(r.body()).isEqualTo(201);
    }

    private static void ok(ApiClient.Response r) {
        assertThat(r.code()).as(r.body()).isEqualTo(200);
    }

    private static KubectlRunner runner(String version) {
        return version.equals("dispatcher") ? kubectl : kubectl.versioned(version);
    }

    /** A printed line's cells: kubectl's tabwriter separates columns by at least three spaces. */
    private static List<String> cells(String line) {
        return Arrays.asList(line.strip().split(" {2,}"));
    }

    private static List<String> lines(String out) {
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    private static String lineOf(List<String> lines, String first) {
        return lines.stream().filter(l -> cells(l).get(0).equals(first)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + first + " in " + lines));
    }

    @ParameterizedTest
    @ValueSource(strings = {"dispatcher", "1.29", "1.33"})
    void getPodsWide(String version) {
        List<String> out = lines(runner(version).kubectl("get", "pods", "-o", "wide").ok().out());
        assertThat(cells(out.get(0))).containsExactly("NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE",
                "NOMINATED NODE", "READINESS GATES");
        List<String> web = cells(lineOf(out, "web"));
        assertThat(web.subList(1, 4)).containsExactly("0/1", "ContainerCreating", "0");
        assertThat(web.subList(5, 9)).containsExactly("10.244.0.7", NODE, "<none>", "<none>");

        List<String> narrow = lines(runner(version).kubectl("get", "pods").ok().out());
        assertThat(cells(narrow.get(0))).containsExactly("NAME", "READY", "STATUS", "RESTARTS", "AGE");
        assertThat(api.get(pods() + "/web").json().path("status").path("podIP").asString()).isEqualTo("10.244.0.7");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dispatcher", "1.29", "1.33"})
    void getDeploymentsServicesNodesAndEvents(String version) {
        KubectlRunner k = runner(version);
        List<String> deploy = lines(k.kubectl("get", "deploy").ok().out());
        assertThat(cells(deploy.get(0))).containsExactly("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE");
        assertThat(cells(lineOf(deploy, "app")).subList(1, 4)).containsExactly("0/2", "0", "0");

        List<String> svc = lines(k.kubectl("get", "svc", "app").ok().out());
        assertThat(cells(svc.get(0))).containsExactly("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE");
        List<String> app = cells(lineOf(svc, "app"));
        String clusterIp = api.get("/api/v1/namespaces/" + NS + "/services/app").json().path("spec")
                .path("clusterIP").asString();
        assertThat(clusterIp).startsWith("10.");
        assertThat(app.subList(1, 5)).containsExactly("ClusterIP", clusterIp, "<none>", "80/TCP");

        List<String> nodes = lines(k.kubectl("get", "nodes", "-o", "wide").ok().out());
        assertThat(cells(nodes.get(0))).containsExactly("NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP",
                "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME");
        List<String> node = cells(lineOf(nodes, NODE));
        assertThat(node.subList(1, 3)).containsExactly("Ready", "control-plane");
        assertThat(node.subList(4, 10)).containsExactly("v1.31.0", "172.18.0.2", "<none>", "Debian GNU/Linux 12",
                "6.1.0", "docker://27.0.0");

        List<String> events = lines(k.kubectl("get", "events").ok().out());
        assertThat(cells(events.get(0))).containsExactly("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE");
        List<String> event = cells(events.get(1));
        assertThat(event.get(0)).matches("\\d+s");
        assertThat(event.subList(1, 5)).containsExactly("Normal", "Scheduled", "pod/web",
                "Successfully assigned " + NS + "/web to " + NODE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dispatcher", "1.29"})
    void getWatchPrintsOneHeaderThenARowPerEvent(String version) throws Exception {
        String name = "watched-" + version.replace('.', '-');
        created(api.post(pods(), """
                {"metadata":{"name":"%s"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}""".formatted(name)));
        KubectlRunner k = runner(version);
        Process p = k.startKubectl("get", "pods", name, "-w");
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> lines(KubectlRunner.read(k.out(p))).size() >= 2);
            ok(api.mergePatch(pods() + "/" + name + "/status", """
                    {"status":{"phase":"Running","containerStatuses":[{"name":"c","image":"nginx","imageID":"",
                     "ready":true,"restartCount":0,"state":{"running":{"startedAt":"2026-01-01T00:00:00Z"}}}]}}"""));
            await().atMost(Duration.ofSeconds(30)).until(() -> lines(KubectlRunner.read(k.out(p))).size() >= 3);
            List<String> out = lines(KubectlRunner.read(k.out(p)));
            assertThat(out.stream().filter(l -> l.startsWith("NAME"))).as(String.join("\n", out)).hasSize(1);
            assertThat(cells(out.get(0))).containsExactly("NAME", "READY", "STATUS", "RESTARTS", "AGE");
            assertThat(cells(out.get(1)).subList(0, 3)).containsExactly(name, "0/1", "Pending");
            assertThat(cells(out.get(out.size() - 1)).subList(0, 3)).containsExactly(name, "1/1", "Running");
        } finally {
            p.destroy();
            p.waitFor();
        }
    }
}
