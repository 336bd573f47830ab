package io.kube4j.cli.commands.explain;

import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.cli.testsupport.CliHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code k4j explain} and {@code k4j top} against kube4j's apiserver as it is today: it publishes OpenAPI v3
 * documents with open schemas (no fields) and serves no metrics API, so explain shows the kind with a note and
 * top fails as kubectl does without metrics.
 */
class ExplainAndTopIT {

    private static Path kubeconfig;

    @BeforeAll
    static void start() {
        ApiServerInstance apiserver = ApiServerInstance.secureShared();
        kubeconfig = apiserver.kubeconfig(apiserver.pki().admin());
    }

    @Test
    void explainShowsWhatTheServerPublishesAndSaysWhenItHasNoFields() {
        CliHarness.Result r = CliHarness.shared().run(kubeconfig, "explain", "deployments").ok();
        assertThat(r.out()).startsWith("GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\nDESCRIPTION:\n")
                .doesNotContain("FIELDS:");
        assertThat(r.err()).isEqualTo("note: the server publishes no field schema for deployments.apps; kube4j will "
                + "serve generated schemas (issue 11)\n");
        assertThat(CliHarness.shared().run(kubeconfig, "explain", "pods").ok().out())
                .startsWith("KIND:       Pod\nVERSION:    v1\n");
    }

    @Test
    void explainOfAFieldOfAnOpenSchemaIsAnErrorWithTheReason() {
        CliHarness.Result r = CliHarness.shared().run(kubeconfig, "explain", "deploy.spec.replicas");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: field \"replicas\" does not exist (the server publishes no field schema "
                + "for deployments.apps; kube4j will serve generated schemas (issue 11))\n");
        CliHarness.Result unknown = CliHarness.shared().run(kubeconfig, "explain", "nosuchthings");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("error: the server doesn't have a resource type \"nosuchthings\"\n");
    }

    @Test
    void topWithoutAMetricsApiIsKubectlsError() {
        for (String what : new String[] {"nodes", "pods"}) {
            CliHarness.Result r = CliHarness.shared().run(kubeconfig, "top", what);
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).isEqualTo("error: Metrics API not available\n");
        }
        CliHarness.Result bad = CliHarness.shared().run(kubeconfig, "top", "pods", "--sort-by=disk");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).startsWith("error: --sort-by accepts only cpu or memory");
    }
}
