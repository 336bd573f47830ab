package io.kube4j.cli.commands.cluster;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.cli.testsupport.CliHarness;
import io.kube4j.cli.testsupport.Golden;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code k4j cluster status} and {@code cluster-info} against a secure apiserver on etcd, with Lease and Node objects
 * written as a running scheduler, controller manager and node agents would write them.
 */
class ClusterStatusIT {

    private static final String NS = "cluster-status-it";
    private static ApiServerInstance apiserver;
    private static ApiClient api;
    private static Path kubeconfig;

    @BeforeAll
    static void start() {
        apiserver = ApiServerInstance.secureShared();
        CliHarness.shared();
        kubeconfig = apiserver.kubeconfig(apiserver.pki().admin());
        api = apiserver.client(apiserver.pki().admin());
        api.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"kube-system\"}}");
        api.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + NS + "\"}}");
        node("status-it-a", "True", "{\"node-role.kubernetes.io/control-plane\":\"\"}");
        node("status-it-b", "False", "{}");
        // no service-account controller runs here: the pod's service account is created by hand
        api.post("/api/v1/namespaces/" + NS + "/serviceaccounts", "{\"metadata\":{\"name\":\"default\"}}");
        ApiClient.Response pod = api.post("/api/v1/namespaces/" + NS + "/pods", """
                {"metadata":{"name":"p1"},"spec":{"nodeName":"status-it-a","containers":[{"name":"c","image":"busybox"}]}}
                """);
        assertThat(pod.code()).as(pod.body()).isEqualTo(201);
    }

    @AfterAll
    static void cleanUp() {
        api.delete("/api/v1/nodes/status-it-a");
        api.delete("/api/v1/nodes/status-it-b");
        api.delete("/api/v1/namespaces/" + NS);
    }

    private static void node(String name, String ready, String labels) {
        api.post("/api/v1/nodes", "{\"metadata\":{\"name\":\"" + name + "\",\"labels\":" + labels + "}}");
        String status = "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"" + ready
                + "\",\"reason\":\"KubeletReady\"}],\"nodeInfo\":{\"kubeletVersion\":\"v1.32.0-k4j\"}}}";
        assertThat(api.mergePatch("/api/v1/nodes/" + name + "/status", status).code()).isEqualTo(200);
    }

    /** Creates or replaces lease kube-system/{@code name} renewed {@code agoSeconds} ago. */
    private static void lease(String name, String holder, long agoSeconds, int durationSeconds) {
        String path = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases";
        api.delete(path + "/" + name);
        String renew = Instant.now().minusSeconds(agoSeconds).truncatedTo(ChronoUnit.MICROS).toString();
        assertThat(api.post(path, "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"holderIdentity\":\"" + holder
                + "\",\"leaseDurationSeconds\":" + durationSeconds + ",\"renewTime\":\"" + renew + "\"}}").code()).isEqualTo(201);
    }

    /** The output without other tests' nodes (the apiserver is shared) and with the server URL replaced. */
    private static String own(String out) {
        return out.lines().filter(l -> !l.startsWith("node") || l.startsWith("status-it-"))
                .filter(l -> !l.matches("^[a-z0-9][-a-z0-9.]*\\s{3,}(Ready|NotReady).*") || l.startsWith("status-it-"))
                .map(l -> l.replaceAll("https://[^ )]+", "<server>").replaceAll("\\(v\\d+\\.\\d+\\.\\d+[^)]*\\)", "(<version>)"))
                .map(l -> l.replaceAll("^Nodes: \\d+ Ready, \\d+ NotReady$", "Nodes: <counts>"))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    @Test
    void showsComponentsLeadersAndNodes() {
        // a lease duration far above this loaded machine's pauses keeps "Healthy" stable; 2 h past 15 s is stale
        lease("kube-scheduler", "scheduler-0_abc", 3, 3600);
        lease("kube-controller-manager", "cm-0_def", 7200, 15);
        CliHarness.Result r = CliHarness.shared().run(kubeconfig, "cluster", "status");
        // a stale controller-manager lease and a NotReady node are problems: exit 1
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        Golden.check("cluster/status.txt", own(r.out()));
        assertThat(r.out()).contains("NotReady");
    }

    @Test
    void aMissingLeaseIsUnknown() {
        api.delete("/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler");
        CliHarness.Result r = CliHarness.shared().run(kubeconfig, "cluster", "status");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).containsPattern("scheduler +Unknown +<none> +- +no lease kube-system/kube-scheduler");
    }

    @Test
    void clusterInfoNamesTheControlPlane() {
        CliHarness.Result r = CliHarness.shared().run(kubeconfig, "cluster-info").ok();
        assertThat(r.out()).startsWith("Kubernetes control plane is running at " + apiserver.url()
                + "\n");
    }
}
