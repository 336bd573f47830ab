package io.kube4j.cli.commands.apply;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.cli.testsupport.CliHarness;
import io.kube4j.cli.testsupport.Golden;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code k4j apply} against a real secure apiserver on etcd: create, unchanged, configured, removals, other writers. */
class ApplyCommandIT {

    private static ApiServerInstance apiserver;
    private static Path kubeconfig;
    private static ApiClient admin;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        apiserver = ApiServerInstance.secureShared();
        kubeconfig = apiserver.kubeconfig(apiserver.pki().admin());
        admin = apiserver.client(apiserver.pki().admin());
    }

    static void namespace(String name) {
        ApiClient.Response r = admin.post("/api/v1/namespaces",
                "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + name + "\"}}");
        assertThat(r.code()).as(r.body()).isIn(201, 409);
    }

    private Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static CliHarness.Result k4j(String... args) {
        return CliHarness.shared().run(kubeconfig, args);
    }

    private static String deployment(String env) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: web
                  labels: {app: web}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers:
                      - name: web
                        image: nginx:1.25
                        ports: [{containerPort: 80}]
                %s
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: settings}
                data: {mode: fast, level: "3"}
                """.formatted(env);
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void applyTwiceIsUnchangedTheSecondTime() throws IOException {
        namespace("apply-twice");
        Path f = file("app.yaml", deployment("        env: [{name: A, value: x}]"));
        CliHarness.Result first = k4j("apply", "-f", f.toString(), "-n", "apply-twice").ok();
        Golden.check("apply/created.txt", first.out());
        CliHarness.Result second = k4j("apply", "-f", f.toString(), "-n", "apply-twice").ok();
        Golden.check("apply/unchanged.txt", second.out());
        assertThat(second.err()).isEmpty();

        JsonNode cm = admin.get("/api/v1/namespaces/apply-twice/configmaps/settings").json();
        JsonNode last = tools.jackson.databind.json.JsonMapper.shared().readTree(
                cm.path("metadata").path("annotations").path(ApplyCommand.LAST_APPLIED).asString());
        assertThat(last.path("data").path("mode").asString()).isEqualTo("fast");
        assertThat(last.path("metadata").path("namespace").asString()).isEqualTo("apply-twice");
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void aFieldRemovedFromTheFileIsRemovedOnTheServer() throws IOException {
        namespace("apply-remove");
        Path f = file("app.yaml", deployment("        env: [{name: A, value: x}]"));
        k4j("apply", "-f", f.toString(), "-n", "apply-remove").ok();

        Files.writeString(f, deployment("").replace("data: {mode: fast, level: \"3\"}", "data: {mode: fast}")
                .replace("  labels: {app: web}\nspec", "spec"));
        CliHarness.Result r = k4j("apply", "-f", f.toString(), "-n", "apply-remove").ok();
        assertThat(r.out()).isEqualTo("deployment.apps/web configured\nconfigmap/settings configured\n");

        JsonNode cm = admin.get("/api/v1/namespaces/apply-remove/configmaps/settings").json();
        assertThat(cm.path("data").has("level")).isFalse();
        assertThat(cm.path("data").path("mode").asString()).isEqualTo("fast");
        JsonNode d = admin.get("/apis/apps/v1/namespaces/apply-remove/deployments/web").json();
        assertThat(d.path("metadata").path("labels").has("app")).isFalse();
        JsonNode c = d.path("spec").path("template").path("spec").path("containers").get(0);
        assertThat(c.has("env")).isFalse();
        assertThat(c.path("image").asString()).isEqualTo("nginx:1.25");

        assertThat(k4j("apply", "-f", f.toString(), "-n", "apply-remove").ok().out())
                .isEqualTo("deployment.apps/web unchanged\nconfigmap/settings unchanged\n");
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void aFieldAnotherWriterSetIsKept() throws IOException {
        namespace("apply-others");
        Path f = file("app.yaml", deployment(""));
        k4j("apply", "-f", f.toString(), "-n", "apply-others").ok();
        assertThat(admin.mergePatch("/api/v1/namespaces/apply-others/configmaps/settings",
                "{\"metadata\":{\"labels\":{\"owner\":\"ops\"}},\"data\":{\"extra\":\"1\"}}").code()).isEqualTo(200);

        Files.writeString(f, deployment("").replace("mode: fast", "mode: slow"));
        assertThat(k4j("apply", "-f", f.toString(), "-n", "apply-others").ok().out())
                .isEqualTo("deployment.apps/web unchanged\nconfigmap/settings configured\n");
        JsonNode cm = admin.get("/api/v1/namespaces/apply-others/configmaps/settings").json();
        assertThat(cm.path("data").path("mode").asString()).isEqualTo("slow");
        assertThat(cm.path("data").path("extra").asString()).isEqualTo("1");
        assertThat(cm.path("metadata").path("labels").path("owner").asString()).isEqualTo("ops");
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void stdinDryRunAndOutputFormats() {
        namespace("apply-stdin");
        String cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: piped}\ndata: {k: v}\n";
        Map<String, String> env = Map.of("KUBECONFIG", kubeconfig.toString());
        CliHarness.Result dry = CliHarness.shared().run(env, cm, "apply", "-f", "-", "-n", "apply-stdin",
                "--dry-run=client").ok();
        assertThat(dry.out()).isEqualTo("configmap/piped created (dry run)\n");
        assertThat(admin.get("/api/v1/namespaces/apply-stdin/configmaps/piped").code()).isEqualTo(404);

        CliHarness.Result named = CliHarness.shared().run(env, cm, "apply", "-f", "-", "-n", "apply-stdin",
                "-o", "name").ok();
        assertThat(named.out()).isEqualTo("configmap/piped\n");
        CliHarness.Result yaml = CliHarness.shared().run(env, cm, "apply", "-f", "-", "-n", "apply-stdin",
                "-o", "yaml").ok();
        Golden.check("apply/unchanged-o-yaml.txt", yaml.out(),
                s -> s.replaceAll("resourceVersion: \"\\d+\"", "resourceVersion: \"<rv>\""));
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void aBadDocumentFailsAloneAndTheExitCodeIsOne() throws IOException {
        namespace("apply-bad");
        Path f = file("mixed.yaml", """
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: w}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: good, namespace: apply-bad}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: elsewhere, namespace: no-such-namespace}
                """);
        CliHarness.Result r = k4j("apply", "-f", f.toString(), "-n", "apply-bad");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEqualTo("configmap/good created\n");
        assertThat(r.err()).contains("error: resource mapping not found for name: \"w\" namespace: \"\" from \""
                + f + "\": no matches for kind \"Widget\" in version \"example.com/v1\"\nensure CRDs are installed first")
                .contains("error: the namespace from the provided object \"no-such-namespace\" does not match the "
                        + "namespace \"apply-bad\". You must pass '--namespace=no-such-namespace' to perform this "
                        + "operation.");
        CliHarness.Result missing = k4j("apply", "-f", f.toString(), "--server-side", "-n", "apply-bad");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(k4j("apply", "-f", dir.resolve("nope.yaml").toString()).err())
                .isEqualTo("error: the path \"" + dir.resolve("nope.yaml") + "\" does not exist\n");
        CliHarness.Result none = k4j("apply");
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).startsWith("error: must specify one of -f and -k\n");
    }

    /**
     * A strategic merge patch merges the containers by name: a sidecar another writer added to the live Deployment
     * survives an apply that changes the image (a JSON merge patch would have replaced the list), and kubectl's apply
     * of the same files leaves the same containers.
     */
    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void containersMergeByNameSoAnotherWritersSidecarIsKeptAsWithKubectl() throws IOException {
        Path binary = Requirements.requireBinary("kubectl");
        KubectlRunner kubectl = KubectlRunner.withKubeconfig(binary, kubeconfig,
                Files.createDirectories(dir.resolve("kubectl-smp")), Duration.ofSeconds(60));
        String sidecar = "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"sidecar\",\"image\":\"busybox\"}]}}}}";
        Map<String, java.util.List<String>> containers = new java.util.LinkedHashMap<>();
        for (String tool : java.util.List.of("k4j", "kubectl")) {
            String ns = "apply-smp-" + tool;
            namespace(ns);
            Path f = file(tool + "-smp.yaml", deployment(""));
            k4j("apply", "-f", f.toString(), "-n", ns).ok();
            ApiClient.Response patched = admin.patch("/apis/apps/v1/namespaces/" + ns + "/deployments/web",
                    sidecar, "application/strategic-merge-patch+json");
            assertThat(patched.code()).as(patched.body()).isEqualTo(200);

            Files.writeString(f, deployment("").replace("nginx:1.25", "nginx:1.26"));
            String out = tool.equals("k4j") ? k4j("apply", "-f", f.toString(), "-n", ns).ok().out()
                    : kubectl.kubectl("apply", "-f", f.toString(), "-n", ns).ok().out();
            assertThat(out).isEqualTo("deployment.apps/web configured\nconfigmap/settings unchanged\n");
            java.util.List<String> names = new java.util.ArrayList<>();
            admin.get("/apis/apps/v1/namespaces/" + ns + "/deployments/web").json().at("/spec/template/spec/containers")
                    .forEach(c -> names.add(c.path("name").asString() + "=" + c.path("image").asString()));
            containers.put(tool, names);
        }
        assertThat(containers.get("k4j")).containsExactlyInAnyOrder("web=nginx:1.26", "sidecar=busybox")
                .isEqualTo(containers.get("kubectl"));
    }

    /** {@code --overwrite=false}: a field changed both in the file and by another writer is kubectl's conflict error. */
    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void overwriteFalseRefusesToOverwriteAnotherWritersChange() throws IOException {
        namespace("apply-overwrite");
        Path f = file("ow.yaml", deployment(""));
        k4j("apply", "-f", f.toString(), "-n", "apply-overwrite").ok();
        ApiClient.Response scaled = admin.patch("/apis/apps/v1/namespaces/apply-overwrite/deployments/web",
                "{\"spec\":{\"replicas\":5}}", "application/merge-patch+json");
        assertThat(scaled.code()).as(scaled.body()).isEqualTo(200);
        Files.writeString(f, deployment("").replace("replicas: 2", "replicas: 3"));

        CliHarness.Result refused = k4j("apply", "--overwrite=false", "-f", f.toString(), "-n", "apply-overwrite");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).startsWith("error: error when creating patch with:\noriginal:\n")
                .contains("\nfor: \"" + f + "\": patch:\n").contains("conflicts with changes made from original to current");
        assertThat(admin.get("/apis/apps/v1/namespaces/apply-overwrite/deployments/web").json().at("/spec/replicas")
                .asInt()).isEqualTo(5);

        assertThat(k4j("apply", "-f", f.toString(), "-n", "apply-overwrite").ok().out())
                .startsWith("deployment.apps/web configured\n");
        assertThat(admin.get("/apis/apps/v1/namespaces/apply-overwrite/deployments/web").json().at("/spec/replicas")
                .asInt()).isEqualTo(3);
    }

    /**
     * {@code --server-side}: where the apiserver serves apply patches, kubectl's {@code serverside-applied}, its
     * conflict error with kubectl's hints when another manager owns a field, and {@code --force-conflicts}; where it
     * answers 415 (server-side apply not merged yet), a clear error.
     */
    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void serverSideApplyAsKubectl() throws IOException {
        namespace("apply-ssa");
        Path f = file("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa}\ndata: {k: v}\n");
        boolean served = admin.patch("/api/v1/namespaces/apply-ssa/configmaps/probe?fieldManager=probe",
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"probe\"}}",
                "application/apply-patch+yaml").code() != 415;
        CliHarness.Result r = k4j("apply", "--server-side", "-f", f.toString(), "-n", "apply-ssa");
        if (!served) {
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).startsWith("error: the server does not support server-side apply (")
                    .endsWith("); apply without --server-side\n");
            return;
        }
        assertThat(r.ok().out()).isEqualTo("configmap/ssa serverside-applied\n");
        ApiClient.Response other = admin.patch("/api/v1/namespaces/apply-ssa/configmaps/ssa?fieldManager=other",
                "{\"data\":{\"k\":\"changed\"}}", "application/merge-patch+json");
        assertThat(other.code()).as(other.body()).isEqualTo(200);

        CliHarness.Result conflict = k4j("apply", "--server-side", "-f", f.toString(), "-n", "apply-ssa");
        assertThat(conflict.code()).isEqualTo(1);
        assertThat(conflict.err()).startsWith("error: Apply failed with 1 conflict: conflict with \"other\"")
                .contains(".data.k").endsWith(ApplyCommand.CONFLICT_HINT + "\n");

        assertThat(k4j("apply", "--server-side", "--force-conflicts", "-f", f.toString(), "-n", "apply-ssa").ok().out())
                .isEqualTo("configmap/ssa serverside-applied\n");
        assertThat(admin.get("/api/v1/namespaces/apply-ssa/configmaps/ssa").json().at("/data/k").asString())
                .isEqualTo("v");
    }

    @Test
    @Execution(ExecutionMode.CONCURRENT)
    void kubectlAndK4jApplyTheSameObjects() throws IOException {
        Path binary = Requirements.requireBinary("kubectl");
        KubectlRunner kubectl = KubectlRunner.withKubeconfig(binary, kubeconfig,
                Files.createDirectories(dir.resolve("kubectl")),
                Duration.ofSeconds(60));
        namespace("apply-interop");
        Path f = file("interop.yaml", deployment("        env: [{name: A, value: x}]"));
        k4j("apply", "-f", f.toString(), "-n", "apply-interop").ok();
        String k4jAnnotation = admin.get("/api/v1/namespaces/apply-interop/configmaps/settings").json()
                .path("metadata").path("annotations").path(ApplyCommand.LAST_APPLIED).asString();
        assertThat(kubectl.kubectl("apply", "-f", f.toString(), "-n", "apply-interop").ok().out())
                .isEqualTo("deployment.apps/web unchanged\nconfigmap/settings unchanged\n");

        Files.writeString(f, deployment("").replace("data: {mode: fast, level: \"3\"}", "data: {mode: fast}"));
        assertThat(kubectl.kubectl("apply", "-f", f.toString(), "-n", "apply-interop").ok().out())
                .isEqualTo("deployment.apps/web configured\nconfigmap/settings configured\n");
        assertThat(k4j("apply", "-f", f.toString(), "-n", "apply-interop").ok().out())
                .isEqualTo("deployment.apps/web unchanged\nconfigmap/settings unchanged\n");

        Files.writeString(f, deployment("        env: [{name: A, value: x}]"));
        k4j("apply", "-f", f.toString(), "-n", "apply-interop").ok();
        assertThat(admin.get("/api/v1/namespaces/apply-interop/configmaps/settings").json().path("metadata")
                .path("annotations").path(ApplyCommand.LAST_APPLIED).asString()).isEqualTo(k4jAnnotation);
        assertThat(kubectl.kubectl("apply", "-f", f.toString(), "-n", "apply-interop").ok().out())
                .isEqualTo("deployment.apps/web unchanged\nconfigmap/settings unchanged\n");
    }
}
