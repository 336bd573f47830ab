package io.kube4j.cli.commands.get;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.cli.testsupport.CliHarness;
import io.kube4j.cli.testsupport.Golden;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code k4j get} against a secure apiserver on etcd: fixture pods whose statuses are written through the status
 * subresource (Running, CrashLoopBackOff, Completed, Init, ContainerCreating), a Deployment with status, a Service,
 * Nodes with status, a ConfigMap and a Secret, compared with golden files.
 */
class GetCommandIT {

    static final String NS = "h1-get-fixtures";
    static final String EMPTY_NS = "h1-get-empty";
    private static ApiServerInstance apiserver;
    private static Path kubeconfig;
    static ApiClient api;

    @BeforeAll
    static void fixtures() {
        apiserver = ApiServerInstance.secureShared();
        kubeconfig = apiserver.kubeconfig(apiserver.pki().admin());
        api = apiserver.client(apiserver.pki().admin());
        if (api.get("/api/v1/namespaces/" + NS).code() == 200) {
            return;
        }
        create("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + NS + "\"}}");
        create("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + EMPTY_NS + "\"}}");
        create("/api/v1/namespaces/" + NS + "/serviceaccounts", "{\"metadata\":{\"name\":\"default\"}}");
        String tenDaysAgo = Instant.now().minus(10, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
        pod("web-running", "app=web,tier=front", "", """
                {"phase":"Running","podIP":"10.244.1.5","podIPs":[{"ip":"10.244.1.5"}],
                 "conditions":[{"type":"Ready","status":"True"}],
                 "containerStatuses":[{"name":"main","image":"nginx","imageID":"","ready":true,"restartCount":0,
                   "state":{"running":{"startedAt":"2026-01-01T00:00:00Z"}}}]}""");
        pod("web-crash", "app=web,tier=back", "", """
                {"phase":"Running","podIP":"10.244.1.6",
                 "containerStatuses":[{"name":"main","image":"nginx","imageID":"","ready":false,"restartCount":4,
                   "lastState":{"terminated":{"exitCode":1,"reason":"Error","finishedAt":"%s"}},
                   "state":{"waiting":{"reason":"CrashLoopBackOff","message":"back-off 40s"}}}]}""".formatted(tenDaysAgo));
        pod("batch-done", "app=batch", "", """
                {"phase":"Succeeded",
                 "containerStatuses":[{"name":"main","image":"nginx","imageID":"","ready":false,"restartCount":0,
                   "state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}""");
        pod("with-init", "app=init", "\"initContainers\":[{\"name\":\"setup\",\"image\":\"busybox\"}],", """
                {"phase":"Pending",
                 "initContainerStatuses":[{"name":"setup","image":"busybox","imageID":"","ready":false,"restartCount":0,
                   "state":{"running":{"startedAt":"2026-01-01T00:00:00Z"}}}],
                 "containerStatuses":[{"name":"main","image":"nginx","imageID":"","ready":false,"restartCount":0,
                   "state":{"waiting":{"reason":"PodInitializing"}}}]}""");
        pod("creating", "app=web", "", """
                {"phase":"Pending",
                 "containerStatuses":[{"name":"main","image":"nginx","imageID":"","ready":false,"restartCount":0,
                   "state":{"waiting":{"reason":"ContainerCreating"}}}]}""");
        create("/apis/apps/v1/namespaces/" + NS + "/deployments", """
                {"metadata":{"name":"web","labels":{"app":"web"}},"spec":{"replicas":3,
                 "selector":{"matchLabels":{"app":"web"}},
                 "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"main","image":"nginx:1.27"},
                   {"name":"side","image":"busybox"}]}}}}""");
        status("/apis/apps/v1/namespaces/" + NS + "/deployments/web", """
                {"observedGeneration":1,"replicas":3,"updatedReplicas":3,"readyReplicas":2,"availableReplicas":2}""");
        create("/api/v1/namespaces/" + NS + "/services", """
                {"metadata":{"name":"web"},"spec":{"selector":{"app":"web"},
                 "ports":[{"name":"http","port":80,"targetPort":8080},{"name":"dns","port":53,"protocol":"UDP"}]}}""");
        create("/api/v1/namespaces/" + NS + "/configmaps",
                "{\"metadata\":{\"name\":\"settings\"},\"data\":{\"a\":\"1\",\"b\":\"2\"}}");
        create("/api/v1/namespaces/" + NS + "/secrets",
                "{\"metadata\":{\"name\":\"creds\"},\"type\":\"Opaque\",\"data\":{\"password\":\"cGFzcw==\"}}");
        create("/api/v1/namespaces/" + NS + "/events", """
                {"metadata":{"name":"web-crash.1"},"involvedObject":{"kind":"Pod","namespace":"%s","name":"web-crash",
                 "fieldPath":"spec.containers{main}"},"reason":"BackOff","message":"Back-off restarting failed container",
                 "type":"Warning","count":7,"firstTimestamp":"%s","lastTimestamp":"%s",
                 "source":{"component":"kubelet","host":"h1-get-node-a"}}""".formatted(NS, tenDaysAgo, tenDaysAgo));
        create("/apis/rbac.authorization.k8s.io/v1/namespaces/" + NS + "/roles", """
                {"metadata":{"name":"reader"},"rules":[{"apiGroups":[""],"resources":["pods"],"verbs":["get"]}]}""");
        create("/apis/rbac.authorization.k8s.io/v1/namespaces/" + NS + "/rolebindings", """
                {"metadata":{"name":"read-pods"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role",
                 "name":"reader"},"subjects":[{"kind":"User","name":"jane"},
                 {"kind":"ServiceAccount","name":"default","namespace":"%s"}]}""".formatted(NS));
        create("/apis/policy/v1/namespaces/" + NS + "/poddisruptionbudgets", """
                {"metadata":{"name":"web"},"spec":{"minAvailable":2,"selector":{"matchLabels":{"app":"web"}}}}""");
        create("/apis/coordination.k8s.io/v1/namespaces/" + NS + "/leases", """
                {"metadata":{"name":"leader"},"spec":{"holderIdentity":"pod-a","leaseDurationSeconds":15}}""");
        node("h1-get-node-a", "\"node-role.kubernetes.io/control-plane\":\"\"", "True", false);
        node("h1-get-node-b", "\"kube4j.io/pool\":\"b\"", "False", true);
    }

    static void create(String path, String json) {
        ApiClient.Response r = api.post(path, json);
        assertThat(r.code()).as("POST %s: %s", path, r.body()).isIn(200, 201);
    }

    static void status(String path, String status) {
        ApiClient.Response r = api.mergePatch(path + "/status", "{\"status\":" + status + "}");
        assertThat(r.code()).as("PATCH %s/status: %s", path, r.body()).isEqualTo(200);
    }

    static void pod(String name, String labels, String extraSpec, String status) {
        StringBuilder l = new StringBuilder();
        for (String kv : labels.split(",")) {
            String[] p = kv.split("=");
            l.append(l.isEmpty() ? "" : ",").append('"').append(p[0]).append("\":\"").append(p[1]).append('"');
        }
        create("/api/v1/namespaces/" + NS + "/pods", """
                {"metadata":{"name":"%s","labels":{%s}},"spec":{%s"nodeName":"h1-get-node-a",
                 "containers":[{"name":"main","image":"nginx"}]}}""".formatted(name, l, extraSpec));
        status("/api/v1/namespaces/" + NS + "/pods/" + name, status);
    }

    static void node(String name, String labels, String ready, boolean unschedulable) {
        create("/api/v1/nodes", """
                {"metadata":{"name":"%s","labels":{%s}},"spec":{"unschedulable":%s}}""".formatted(name, labels,
                unschedulable));
        status("/api/v1/nodes/" + name, """
                {"conditions":[{"type":"Ready","status":"%s","reason":"KubeletReady","message":"ok",
                  "lastHeartbeatTime":"2026-01-01T00:00:00Z","lastTransitionTime":"2026-01-01T00:00:00Z"}],
                 "addresses":[{"type":"InternalIP","address":"192.168.50.%d"},{"type":"Hostname","address":"%s"}],
                 "nodeInfo":{"machineID":"m","systemUUID":"s","bootID":"b","kernelVersion":"6.1.0-test",
                   "osImage":"Debian GNU/Linux 12 (bookworm)","containerRuntimeVersion":"docker://24.0.0",
                   "kubeletVersion":"v1.32.0-kube4j","kubeProxyVersion":"","operatingSystem":"linux",
                   "architecture":"amd64"}}""".formatted(ready, name.endsWith("a") ? 10 : 11, name));
    }

    static CliHarness.Result k4j(String... args) {
        return CliHarness.shared().run(kubeconfig, args);
    }

    static String clusterIps(String s) {
        return s.replaceAll("\\b10\\.(\\d+)\\.(\\d+)\\.(\\d+)\\b(?!/)", "<ip>").replaceAll("<ip>(?= {2,}|$)", "<ip>");
    }

    @Test
    void podsTable() {
        CliHarness.Result r = k4j("get", "pods", "-n", NS).ok();
        Golden.check("get/pods.txt", r.out());
        assertThat(r.err()).isEmpty();
    }

    @Test
    void podsWideWithLabels() {
        Golden.check("get/pods-wide-labels.txt",
                k4j("get", "po", "-n", NS, "-o", "wide", "--show-labels", "-L", "tier").ok().out());
    }

    @Test
    void selectorsAndSortBy() {
        CliHarness.Result r = k4j("get", "pods", "-n", NS, "-l", "app=web", "--sort-by", ".metadata.name",
                "-o", "name").ok();
        assertThat(r.out()).isEqualTo("pod/creating\npod/web-crash\npod/web-running\n");
        r = k4j("get", "pods", "-n", NS, "--field-selector", "status.phase=Succeeded", "--no-headers").ok();
        assertThat(r.out()).startsWith("batch-done   0/1   Completed   0   ");
        r = k4j("get", "pods", "-n", NS, "--sort-by={.status.containerStatuses[0].restartCount}", "-o", "name").ok();
        assertThat(r.out()).endsWith("pod/web-crash\n");
    }

    @Test
    void severalTypesAndAll() {
        Golden.check("get/deploy-svc.txt", k4j("get", "deploy,svc", "-n", NS).ok().out(), GetCommandIT::clusterIps);
        Golden.check("get/deploy-svc-wide.txt", k4j("get", "deployment/web", "service/web", "-n", NS, "-o", "wide")
                .ok().out(), GetCommandIT::clusterIps);
    }

    @Test
    void otherKinds() {
        Golden.check("get/cm-secret.txt", k4j("get", "cm,secrets", "-n", NS).ok().out());
        Golden.check("get/nodes-wide.txt", k4j("get", "nodes", "h1-get-node-a", "h1-get-node-b", "-o", "wide")
                .ok().out());
        Golden.check("get/namespace.txt", k4j("get", "ns", NS).ok().out());
    }

    @Test
    void eventsRbacPdbAndLeases() {
        Golden.check("get/events-wide.txt", k4j("get", "events", "-n", NS, "-o", "wide").ok().out());
        Golden.check("get/misc.txt", k4j("get", "rolebindings,pdb,leases", "-n", NS, "-o", "wide").ok().out(),
                s -> s.replaceAll("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ", "<time>"));
    }

    @Test
    void yamlOfOneObjectIsBareAndJsonOfSeveralIsAList() {
        CliHarness.Result r = k4j("get", "pod", "web-running", "-n", NS, "-o", "yaml").ok();
        Golden.check("get/pod.yaml", r.out(), s -> s.replaceAll("resourceVersion: \"?\\d+\"?", "resourceVersion: <rv>")
                .replaceAll("kube-api-access-[a-z0-9]{5}", "kube-api-access-<id>"));
        r = k4j("get", "configmaps", "-n", NS, "-o", "json").ok();
        assertThat(r.out()).startsWith("{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n")
                .contains("\"kind\": \"ConfigMap\"").endsWith("    \"kind\": \"List\",\n    \"metadata\": {\n"
                        + "        \"resourceVersion\": \"\"\n    }\n}\n");
    }

    @Test
    void jsonPathAndCustomColumns() throws Exception {
        CliHarness.Result r = k4j("get", "pods", "-n", NS, "-o",
                "jsonpath={range .items[*]}{.metadata.name}{\"\\t\"}{.status.phase}{\"\\n\"}{end}").ok();
        Golden.check("get/pods-jsonpath.txt", r.out());
        r = k4j("get", "pods", "-n", NS, "-o", "jsonpath={.items[*].metadata.name}").ok();
        assertThat(r.out()).isEqualTo("batch-done creating web-crash web-running with-init");
        r = k4j("get", "pod", "web-running", "-n", NS, "-o",
                "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}").ok();
        assertThat(r.out()).isEqualTo("True");
        Golden.check("get/pods-custom-columns.txt", k4j("get", "pods", "-n", NS, "-o",
                "custom-columns=NAME:.metadata.name,IMAGES:.spec.containers[*].image,NODE:.spec.nodeName,"
                        + "IP:.status.podIP").ok().out());
        Path file = Files.createTempFile("cols", ".txt");
        Files.writeString(file, "NAME        PHASE\n.metadata.name   .status.phase\n");
        assertThat(k4j("get", "pods", "web-running", "-n", NS, "-o", "custom-columns-file=" + file).ok().out())
                .isEqualTo("NAME          PHASE\nweb-running   Running\n");
    }

    @Test
    void notFoundIsReportedAfterWhatWasFound() {
        CliHarness.Result r = k4j("get", "pods", "web-running", "nope", "-n", NS);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).startsWith("NAME          READY   STATUS    RESTARTS   AGE\nweb-running   1/1     Running   0");
        assertThat(r.err()).isEqualTo("Error from server (NotFound): pods \"nope\" not found\n");
        r = k4j("get", "pods", "nope", "-n", NS, "--ignore-not-found");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEmpty();
    }

    @Test
    void emptyResultsAndBadInput() {
        CliHarness.Result r = k4j("get", "pods", "-n", EMPTY_NS).ok();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("No resources found in " + EMPTY_NS + " namespace.\n");
        r = k4j("get", "pods", "-n", EMPTY_NS, "-o", "yaml").ok();
        assertThat(r.out()).isEqualTo("apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: \"\"\n");
        r = k4j("get", "foos");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: the server doesn't have a resource type \"foos\"\n");
        r = k4j("get", "pods", "-o", "bogus", "-n", NS);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: unable to match a printer suitable for the output format \"bogus\"");
        r = k4j("get", "pods", "x", "-l", "a=b", "-n", NS);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: name cannot be provided when a selector is specified");
        r = k4j("get", "pods", "-n", NS, "-o", "jsonpath={.items[*");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: error parsing jsonpath");
    }

    @Test
    void allNamespacesAddsTheNamespaceColumn() {
        CliHarness.Result r = k4j("get", "configmaps,secrets", "-A", "--field-selector", "metadata.namespace=" + NS).ok();
        Golden.check("get/all-namespaces.txt", r.out());
    }
}
