package io.kube4j.cli.commands.label;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.cli.testsupport.CliHarness;
import io.kube4j.cli.testsupport.Golden;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code label}, {@code annotate}, {@code patch}, {@code set image}, {@code expose} and {@code run} on a real apiserver. */
class MutatingCommandsIT {

    private static Path kubeconfig;
    private static ApiClient admin;

    @BeforeAll
    static void start() {
        ApiServerInstance apiserver = ApiServerInstance.secureShared();
        kubeconfig = apiserver.kubeconfig(apiserver.pki().admin());
        admin = apiserver.client(apiserver.pki().admin());
    }

    private static CliHarness.Result k4j(String... args) {
        return CliHarness.shared().run(kubeconfig, args);
    }

    private static JsonNode deployment(String ns) {
        return admin.get("/apis/apps/v1/namespaces/" + ns + "/deployments/web").json();
    }

    @Test
    void labelAndAnnotate() {
        k4j("create", "namespace", "mut-label").ok();
        k4j("create", "deployment", "web", "--image=nginx", "-n", "mut-label").ok();
        assertThat(k4j("label", "deploy", "web", "tier=front", "env=dev", "-n", "mut-label").ok().out())
                .isEqualTo("deployment.apps/web labeled\n");
        CliHarness.Result refused = k4j("label", "deploy/web", "tier=back", "-n", "mut-label");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).isEqualTo("error: 'tier' already has a value (front), and --overwrite is false\n");
        assertThat(k4j("label", "deploy/web", "tier=back", "env-", "--overwrite", "-n", "mut-label").ok().out())
                .isEqualTo("deployment.apps/web labeled\n");
        JsonNode labels = deployment("mut-label").path("metadata").path("labels");
        assertThat(labels.path("tier").asString()).isEqualTo("back");
        assertThat(labels.has("env")).isFalse();
        assertThat(labels.path("app").asString()).isEqualTo("web");
        assertThat(k4j("label", "deploy/web", "tier=back", "-n", "mut-label").ok().out())
                .isEqualTo("deployment.apps/web not labeled\n");
        assertThat(k4j("label", "deploy/web", "--list", "-n", "mut-label").ok().out())
                .isEqualTo("app=web\ntier=back\n");

        assertThat(k4j("annotate", "deployments", "web", "note=hello world", "-n", "mut-label").ok().out())
                .isEqualTo("deployment.apps/web annotated\n");
        assertThat(deployment("mut-label").path("metadata").path("annotations").path("note").asString())
                .isEqualTo("hello world");
        assertThat(k4j("annotate", "deployments", "web", "note-", "-n", "mut-label").ok().out())
                .isEqualTo("deployment.apps/web annotated\n");
        assertThat(deployment("mut-label").path("metadata").path("annotations").has("note")).isFalse();
        CliHarness.Result missing = k4j("label", "deploy/nope", "a=b", "-n", "mut-label");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("Error from server (NotFound): deployments.apps \"nope\" not found\n");
    }

    @Test
    void patchSetImageExposeAndRun() {
        k4j("create", "namespace", "mut-patch").ok();
        k4j("create", "deployment", "web", "--image=nginx:1.25", "--port=8080", "-n", "mut-patch").ok();

        assertThat(k4j("patch", "deployment", "web", "-p", "{\"spec\":{\"replicas\":3}}", "-n", "mut-patch").ok()
                .out()).isEqualTo("deployment.apps/web patched\n");
        assertThat(deployment("mut-patch").path("spec").path("replicas").asInt()).isEqualTo(3);
        assertThat(k4j("patch", "deploy/web", "--type=merge", "-p", "spec: {replicas: 3}", "-n", "mut-patch").ok()
                .out()).isEqualTo("deployment.apps/web patched (no change)\n");
        assertThat(k4j("patch", "deploy/web", "--type=json", "-p",
                "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":1}]", "-n", "mut-patch").ok().out())
                .isEqualTo("deployment.apps/web patched\n");
        assertThat(deployment("mut-patch").path("spec").path("replicas").asInt()).isEqualTo(1);
        CliHarness.Result bad = k4j("patch", "deploy/web", "--type=json", "-p", "{\"a\":1}", "-n", "mut-patch");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("a json patch must be a JSON array");

        assertThat(k4j("set", "image", "deployment/web", "nginx=nginx:1.27", "-n", "mut-patch").ok().out())
                .isEqualTo("deployment.apps/web image updated\n");
        JsonNode c = deployment("mut-patch").path("spec").path("template").path("spec").path("containers").get(0);
        assertThat(c.path("image").asString()).isEqualTo("nginx:1.27");
        assertThat(c.path("ports").get(0).path("containerPort").asInt()).isEqualTo(8080);
        assertThat(k4j("set", "image", "deploy", "web", "*=nginx:1.28", "-n", "mut-patch").ok().out())
                .isEqualTo("deployment.apps/web image updated\n");
        CliHarness.Result noSuch = k4j("set", "image", "deploy/web", "sidecar=x", "-n", "mut-patch");
        assertThat(noSuch.code()).isEqualTo(1);
        assertThat(noSuch.err()).isEqualTo("error: unable to find container named \"sidecar\"\n");

        Golden.check("expose/deployment-dry-run.yaml", k4j("expose", "deployment", "web", "--port=80",
                "--target-port=8080", "--dry-run=client", "-o", "yaml", "-n", "mut-patch").ok().out());
        assertThat(k4j("expose", "deployment", "web", "--port=80", "--target-port=8080", "-n", "mut-patch").ok()
                .out()).isEqualTo("service/web exposed\n");
        JsonNode svc = admin.get("/api/v1/namespaces/mut-patch/services/web").json();
        assertThat(svc.path("spec").path("selector").path("app").asString()).isEqualTo("web");
        assertThat(svc.path("spec").path("ports").get(0).path("targetPort").asInt()).isEqualTo(8080);
        assertThat(k4j("expose", "deploy/web", "--name=web-auto", "-n", "mut-patch").ok().out())
                .isEqualTo("service/web-auto exposed\n");
        assertThat(admin.get("/api/v1/namespaces/mut-patch/services/web-auto").json().path("spec").path("ports")
                .get(0).path("port").asInt()).isEqualTo(8080);

        Golden.check("run/pod-dry-run.yaml", k4j("run", "p", "--image=busybox", "--restart=Never", "--env=A=b",
                "--labels=x=y", "--dry-run=client", "-o", "yaml", "--", "sleep", "10").ok().out());
        assertThat(k4j("run", "sleeper", "--image=busybox", "--restart=Never", "--command", "-n", "mut-patch", "--",
                "sleep", "3600").ok().out()).isEqualTo("pod/sleeper created\n");
        JsonNode pod = admin.get("/api/v1/namespaces/mut-patch/pods/sleeper").json();
        assertThat(pod.path("spec").path("containers").get(0).path("command").toString())
                .isEqualTo("[\"sleep\",\"3600\"]");
        assertThat(pod.path("metadata").path("labels").path("run").asString()).isEqualTo("sleeper");
    }
}
