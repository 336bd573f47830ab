package io.kube4j.cli.commands.create;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.cli.testsupport.CliHarness;
import io.kube4j.cli.testsupport.Golden;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code k4j create} (from files and the generators) and {@code k4j delete} against a real secure apiserver. The
 * generators' {@code --dry-run=client -o yaml} golden files were written by kubectl 1.32 itself.
 */
class CreateDeleteIT {

    private static Path kubeconfig;
    private static ApiClient admin;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        ApiServerInstance apiserver = ApiServerInstance.secureShared();
        kubeconfig = apiserver.kubeconfig(apiserver.pki().admin());
        admin = apiserver.client(apiserver.pki().admin());
    }

    private static CliHarness.Result k4j(String... args) {
        return CliHarness.shared().run(kubeconfig, args);
    }

    @Test
    void generatorsPrintWhatKubectlPrints() throws IOException {
        Golden.check("create/deployment.yaml", k4j("create", "deployment", "web", "--image=nginx", "--replicas=2",
                "--port=80", "--dry-run=client", "-o", "yaml").ok().out());
        Golden.check("create/deployment-multi.yaml", k4j("create", "deployment", "multi", "--image=nginx:1.25",
                "--image=registry.local/team/busybox@sha256:abc", "--dry-run=client", "-o", "yaml").ok().out());
        Golden.check("create/namespace.yaml", k4j("create", "namespace", "x", "--dry-run=client", "-o", "yaml")
                .ok().out());
        Golden.check("create/service-clusterip.yaml", k4j("create", "service", "clusterip", "web", "--tcp=80:8080",
                "--dry-run=client", "-o", "yaml").ok().out());
        Golden.check("create/service-multi.yaml", k4j("create", "service", "clusterip", "multi", "--tcp=80,443:8443",
                "--dry-run=client", "-o", "yaml").ok().out());
        Golden.check("create/service-nodeport.yaml", k4j("create", "service", "nodeport", "np", "--tcp=80:8080",
                "--dry-run=client", "-o", "yaml").ok().out());
        Path cfg = dir.resolve("h3-cfg.txt");
        Files.writeString(cfg, "a: b\n");
        Golden.check("create/configmap.yaml", k4j("create", "configmap", "c", "--from-literal=a=b",
                "--from-file=cfg=" + cfg, "--dry-run=client", "-o", "yaml").ok().out());
        Golden.check("create/secret.yaml", k4j("create", "secret", "generic", "s", "--from-literal=a=b",
                "--dry-run=client", "-o", "yaml").ok().out());
        Golden.check("create/serviceaccount.yaml", k4j("create", "serviceaccount", "sa", "--dry-run=client", "-o",
                "yaml").ok().out());
    }

    @Test
    void generatorsCreateAndDeleteRemoves() {
        assertThat(k4j("create", "namespace", "gen").ok().out()).isEqualTo("namespace/gen created\n");
        assertThat(k4j("create", "deployment", "web", "--image=nginx", "-n", "gen").ok().out())
                .isEqualTo("deployment.apps/web created\n");
        assertThat(k4j("create", "service", "clusterip", "web", "--tcp=80:8080", "-n", "gen").ok().out())
                .isEqualTo("service/web created\n");
        assertThat(k4j("create", "configmap", "settings", "--from-literal=mode=fast", "-n", "gen").ok().out())
                .isEqualTo("configmap/settings created\n");
        assertThat(k4j("create", "secret", "generic", "creds", "--from-literal=pw=s3cret", "-n", "gen").ok().out())
                .isEqualTo("secret/creds created\n");
        assertThat(k4j("create", "serviceaccount", "robot", "-n", "gen").ok().out())
                .isEqualTo("serviceaccount/robot created\n");
        assertThat(admin.get("/api/v1/namespaces/gen/secrets/creds").json().path("data").path("pw").asString())
                .isEqualTo("czNjcmV0");
        assertThat(admin.get("/apis/apps/v1/namespaces/gen/deployments/web").json().path("spec")
                .path("template").path("spec").path("containers").get(0).path("name").asString()).isEqualTo("nginx");

        CliHarness.Result again = k4j("create", "configmap", "settings", "--from-literal=mode=fast", "-n", "gen");
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.err()).isEqualTo("Error from server (AlreadyExists): configmaps \"settings\" already exists\n");

        CliHarness.Result del = k4j("delete", "deployment/web", "svc/web", "-n", "gen").ok();
        Golden.check("delete/by-type-name.txt", del.out());
        assertThat(admin.get("/apis/apps/v1/namespaces/gen/deployments/web").code()).isEqualTo(404);
        CliHarness.Result missing = k4j("delete", "configmap", "settings", "nope", "-n", "gen");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.out()).isEqualTo("configmap \"settings\" deleted\n");
        assertThat(missing.err()).isEqualTo("Error from server (NotFound): configmaps \"nope\" not found\n");
        assertThat(k4j("delete", "configmap", "nope", "-n", "gen", "--ignore-not-found").ok().out()).isEmpty();
        CliHarness.Result noName = k4j("delete", "configmap", "-n", "gen");
        assertThat(noName.code()).isEqualTo(1);
        assertThat(noName.err()).startsWith("error: resource(s) were provided, but no name was specified\n");
    }

    /** Issue 13's generators: create job (with a command, and from a CronJob), create cronjob, autoscale, scale sts. */
    @Test
    void batchGeneratorsAutoscaleAndScaleAStatefulSet() throws Exception {
        Golden.check("create/job.yaml", k4j("create", "job", "my-job", "--image=busybox", "--dry-run=client", "-o",
                "yaml", "--", "date").ok().out());
        Golden.check("create/cronjob.yaml", k4j("create", "cronjob", "tick", "--image=busybox",
                "--schedule=*/1 * * * *", "--dry-run=client", "-o", "yaml", "--", "echo", "hi").ok().out());
        assertThat(k4j("create", "job", "x", "--dry-run=client").err()).contains("either --image or --from");

        k4j("create", "namespace", "gen-batch").ok();
        assertThat(k4j("create", "cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *", "-n", "gen-batch",
                "--", "date").ok().out()).isEqualTo("cronjob.batch/tick created\n");
        assertThat(k4j("create", "job", "manual", "--from=cronjob/tick", "-n", "gen-batch").ok().out())
                .isEqualTo("job.batch/manual created\n");
        JsonNode cron = admin.get("/apis/batch/v1/namespaces/gen-batch/cronjobs/tick").json();
        JsonNode job = admin.get("/apis/batch/v1/namespaces/gen-batch/jobs/manual").json();
        assertThat(job.path("metadata").path("annotations").path("cronjob.kubernetes.io/instantiate").asString())
                .isEqualTo("manual");
        JsonNode owner = job.path("metadata").path("ownerReferences").get(0);
        assertThat(owner.path("kind").asString()).isEqualTo("CronJob");
        assertThat(owner.path("uid").asString()).isEqualTo(cron.path("metadata").path("uid").asString());
        assertThat(owner.path("controller").asBoolean()).isTrue();
        assertThat(job.path("spec").path("template").path("spec").path("containers").get(0).path("command").get(0)
                .asString()).isEqualTo("date");
        CliHarness.Result notCron = k4j("create", "job", "y", "--from=deployment/web", "-n", "gen-batch");
        assertThat(notCron.code()).isEqualTo(1);
        assertThat(notCron.err()).contains("--from must be cronjob/NAME");

        k4j("create", "deployment", "web", "--image=nginx", "-n", "gen-batch").ok();
        assertThat(k4j("autoscale", "deployment", "web", "--min=2", "--max=5", "--cpu-percent=60", "-n", "gen-batch")
                .ok().out()).isEqualTo("horizontalpodautoscaler.autoscaling/web autoscaled\n");
        JsonNode hpa = admin.get("/apis/autoscaling/v2/namespaces/gen-batch/horizontalpodautoscalers/web").json();
        assertThat(hpa.path("spec").path("scaleTargetRef").toString())
                .isEqualTo("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"name\":\"web\"}");
        assertThat(hpa.path("spec").path("minReplicas").asInt()).isEqualTo(2);
        assertThat(hpa.path("spec").path("maxReplicas").asInt()).isEqualTo(5);
        assertThat(hpa.path("spec").path("metrics").get(0).path("resource").path("target").path("averageUtilization")
                .asInt()).isEqualTo(60);
        CliHarness.Result noMax = k4j("autoscale", "deployment", "web", "-n", "gen-batch");
        assertThat(noMax.code()).isNotZero();
        assertThat(noMax.err()).contains("--max=MAXPODS is required and must be at least 1, max: -1");
        k4j("create", "configmap", "cfg", "--from-literal=a=b", "-n", "gen-batch").ok();
        CliHarness.Result notScalable = k4j("autoscale", "configmap", "cfg", "--max=3", "-n", "gen-batch");
        assertThat(notScalable.code()).isEqualTo(1);
        assertThat(notScalable.err()).contains("cannot autoscale a ConfigMap");

        // kubectl 1.33 is the first to write autoscaling/v2: the same object, field for field
        Path kubectl133 = io.kube4j.apiserver.testsupport.KubectlRunner.VERSIONED_DIR.resolve("kubectl.1.33");
        if (Files.isExecutable(kubectl133)) {
            io.kube4j.apiserver.testsupport.KubectlRunner kubectl = io.kube4j.apiserver.testsupport.KubectlRunner
                    .withKubeconfig(kubectl133, kubeconfig, Files.createTempDirectory("autoscale-kubectl"),
                            java.time.Duration.ofSeconds(60));
            String[] args = {"autoscale", "deployment", "web", "--name=web-hpa", "--max=4", "--cpu-percent=70",
                "-n", "gen-batch", "--dry-run=client", "-o", "yaml"};
            String[] withBin = new String[args.length + 1];
            withBin[0] = kubectl133.toString();
            System.arraycopy(args, 0, withBin, 1, args.length);
            assertThat(k4j(args).ok().out()).isEqualTo(kubectl.run(null, withBin).ok().out());
        }

        new io.kube4j.cli.testsupport.Fixtures(admin).create("/apis/apps/v1/namespaces/gen-batch/statefulsets", """
                metadata: {name: db}
                spec:
                  replicas: 1
                  serviceName: db
                  selector: {matchLabels: {app: db}}
                  template:
                    metadata: {labels: {app: db}}
                    spec: {containers: [{name: db, image: busybox}]}
                """);
        assertThat(k4j("scale", "sts/db", "--replicas=3", "-n", "gen-batch").ok().out())
                .isEqualTo("statefulset.apps/db scaled\n");
        assertThat(admin.get("/apis/apps/v1/namespaces/gen-batch/statefulsets/db").json().path("spec")
                .path("replicas").asInt()).isEqualTo(3);
        assertThat(k4j("autoscale", "statefulset", "db", "--max=3", "-n", "gen-batch").ok().out())
                .isEqualTo("horizontalpodautoscaler.autoscaling/db autoscaled\n");
    }

    @Test
    void createFromFileReportsAlreadyExistsAndGoesOn() throws IOException {
        k4j("create", "namespace", "fromfile").ok();
        Path f = dir.resolve("objs.yaml");
        Files.writeString(f, """
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: one, labels: {tier: a}}
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: two, labels: {tier: a}}
                """);
        assertThat(k4j("create", "-f", f.toString(), "-n", "fromfile").ok().out())
                .isEqualTo("configmap/one created\nconfigmap/two created\n");
        admin.delete("/api/v1/namespaces/fromfile/configmaps/two");
        CliHarness.Result r = k4j("create", "-f", f.toString(), "-n", "fromfile");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEqualTo("configmap/two created\n");
        assertThat(r.err()).isEqualTo("Error from server (AlreadyExists): error when creating \"" + f
                + "\": configmaps \"one\" already exists\n");

        assertThat(k4j("delete", "-f", f.toString(), "-n", "fromfile").ok().out())
                .isEqualTo("configmap \"one\" deleted\nconfigmap \"two\" deleted\n");
        CliHarness.Result none = k4j("delete", "configmaps", "-l", "tier=a", "-n", "fromfile").ok();
        assertThat(none.out()).isEqualTo("No resources found\n");
    }

    @Test
    void deleteBySelectorAllAndWaitsForFinalizers() throws Exception {
        k4j("create", "namespace", "del-sel").ok();
        for (String n : new String[]{"a", "b", "c"}) {
            k4j("create", "configmap", n, "--from-literal=k=" + n, "-n", "del-sel").ok();
        }
        admin.mergePatch("/api/v1/namespaces/del-sel/configmaps/a", "{\"metadata\":{\"labels\":{\"x\":\"1\"}}}");
        assertThat(k4j("delete", "cm", "-l", "x=1", "-n", "del-sel", "-o", "name").ok().out())
                .isEqualTo("configmap/a\n");

        // A finalizer keeps "b" after DELETE: --wait=false returns at once, and --wait waits until it is removed.
        admin.mergePatch("/api/v1/namespaces/del-sel/configmaps/b",
                "{\"metadata\":{\"finalizers\":[\"example.com/hold\"]}}");
        assertThat(k4j("delete", "cm", "b", "-n", "del-sel", "--wait=false").ok().out())
                .isEqualTo("configmap \"b\" deleted\n");
        assertThat(admin.get("/api/v1/namespaces/del-sel/configmaps/b").json().path("metadata")
                .path("deletionTimestamp").isMissingNode()).isFalse();
        CliHarness.Result timedOut = k4j("delete", "cm", "b", "-n", "del-sel", "--timeout=2s");
        assertThat(timedOut.code()).isEqualTo(1);
        assertThat(timedOut.err()).contains("timed out waiting for the condition on configmaps/b");
        CompletableFuture<CliHarness.Result> waiting = CompletableFuture.supplyAsync(
                () -> k4j("delete", "cm", "b", "-n", "del-sel"));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> !waiting.isDone());
        admin.mergePatch("/api/v1/namespaces/del-sel/configmaps/b", "{\"metadata\":{\"finalizers\":null}}");
        assertThat(waiting.get(30, TimeUnit.SECONDS).ok().out()).isEqualTo("configmap \"b\" deleted\n");
        assertThat(admin.get("/api/v1/namespaces/del-sel/configmaps/b").code()).isEqualTo(404);

        // Orphan propagation: the apiserver adds the orphan finalizer for the garbage collector (not running here).
        assertThat(k4j("delete", "cm", "--all", "-n", "del-sel", "--cascade=orphan", "--wait=false").ok().out())
                .isEqualTo("configmap \"c\" deleted\n");
        assertThat(admin.get("/api/v1/namespaces/del-sel/configmaps/c").json().path("metadata").path("finalizers")
                .toString()).contains("orphan");
    }
}
