package io.kube4j.cli.commands.api;

import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.cli.testsupport.CliHarness;
import io.kube4j.cli.testsupport.Golden;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code k4j api-resources} and {@code api-versions} against the secure apiserver's discovery. */
class ApiResourcesCommandIT {

    private static Path kubeconfig;

    @BeforeAll
    static void start() {
        ApiServerInstance apiserver = ApiServerInstance.secureShared();
        kubeconfig = apiserver.kubeconfig(apiserver.pki().admin());
    }

    @Test
    void listsTheServedResources() {
        Golden.check("api-resources/default.txt", CliHarness.shared().run(kubeconfig, "api-resources").ok().out());
    }

    @Test
    void filtersAndFormats() {
        CliHarness.Result r = CliHarness.shared().run(kubeconfig, "api-resources", "--namespaced=false",
                "--api-group=rbac.authorization.k8s.io", "-o", "name").ok();
        assertThat(r.out()).isEqualTo("clusterrolebindings.rbac.authorization.k8s.io\n"
                + "clusterroles.rbac.authorization.k8s.io\n");
        r = CliHarness.shared().run(kubeconfig, "api-resources", "--api-group=apps", "-o", "wide").ok();
        assertThat(r.out().lines().findFirst().orElseThrow())
                .matches("NAME +SHORTNAMES +APIVERSION +NAMESPACED +KIND +VERBS +CATEGORIES");
        assertThat(r.out()).containsPattern("(?m)^deployments +deploy +apps/v1 +true +Deployment +\\[[a-z ]*list[a-z ]*] +all$");
        r = CliHarness.shared().run(kubeconfig, "api-resources", "-o", "yaml");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: --output yaml is not available\n");
    }

    @Test
    void apiVersions() {
        String out = CliHarness.shared().run(kubeconfig, "api-versions").ok().out();
        assertThat(out.lines().toList()).contains("apps/v1", "v1", "rbac.authorization.k8s.io/v1").isSorted();
    }
}
