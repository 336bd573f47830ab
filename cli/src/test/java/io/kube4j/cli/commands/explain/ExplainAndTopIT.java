package io.kube4j.cli.commands.explain;

import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.cli.testsupport.CliHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code k4j explain} and {@code k4j top} against kube4j's apiserver: explain reads the server's generated OpenAPI v3
 * schemas and must print exactly what real kubectl (the version the server selects) prints for the same arguments;
 * top rejects a sort key kubectl rejects.
 */
class ExplainAndTopIT {

    @TempDir
    static Path dir;
    private static Path kubeconfig;
    private static KubectlRunner kubectl;

    @BeforeAll
    static void start() {
        ApiServerInstance apiserver = ApiServerInstance.secureShared();
        kubeconfig = apiserver.kubeconfig(apiserver.pki().admin());
        kubectl = KubectlRunner.withKubeconfig(Requirements.requireBinary("kubectl"), kubeconfig, dir,
                Duration.ofSeconds(60));
    }

    /** k4j explain prints, byte for byte, what real kubectl prints against the same server (the golden output). */
    @ParameterizedTest
    @ValueSource(strings = {"deployments", "deployment.spec.strategy", "deploy.spec.template.spec.containers.ports",
            "pods.spec.containers --recursive", "svc --api-version=v1", "cronjobs.spec.jobTemplate.spec",
            "pods.metadata.labels"})
    void explainPrintsWhatKubectlPrints(String args) {
        String[] argv = ("explain " + args).split(" ");
        CliHarness.Result k4j = CliHarness.shared().run(kubeconfig, argv).ok();
        KubectlRunner.Result real = kubectl.kubectl(argv).ok();
        assertThat(k4j.out()).isEqualTo(real.out());
        assertThat(k4j.out()).contains("FIELD", "DESCRIPTION:");
    }

    @Test
    void explainOfAnUnknownFieldOrTypeIsKubectlsError() {
        CliHarness.Result r = CliHarness.shared().run(kubeconfig, "explain", "deploy.spec.nosuchfield");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: field \"nosuchfield\" does not exist\n");
        CliHarness.Result unknown = CliHarness.shared().run(kubeconfig, "explain", "nosuchthings");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("error: the server doesn't have a resource type \"nosuchthings\"\n");
    }

    /** (kube4j now serves metrics.k8s.io: top itself is covered with the metrics API; its flag check stays here.) */
    @Test
    void topRejectsAnUnknownSortKey() {
        CliHarness.Result bad = CliHarness.shared().run(kubeconfig, "top", "pods", "--sort-by=disk");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).startsWith("error: --sort-by accepts only cpu or memory");
    }
}
