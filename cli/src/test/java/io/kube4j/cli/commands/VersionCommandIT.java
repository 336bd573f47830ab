package io.kube4j.cli.commands;

import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.cli.testsupport.CliHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code k4j version} against a secure apiserver on etcd, with the admin's kubeconfig. */
class VersionCommandIT {

    private static ApiServerInstance apiserver;
    private static Path kubeconfig;

    @BeforeAll
    static void start() {
        apiserver = ApiServerInstance.secureShared();
        kubeconfig = apiserver.kubeconfig(apiserver.pki().admin());
    }

    @Test
    void printsClientAndServerVersions() {
        CliHarness.Result r = CliHarness.shared().run(kubeconfig, "version").ok();
        assertThat(r.out()).contains("Client Version: k4j").containsPattern("Server Version: v1\\.\\d+");
    }

    @Test
    void aMissingKubeconfigIsAClearErrorAndExitCodeOne() {
        CliHarness.Result r = CliHarness.shared().run(kubeconfig, "version", "--kubeconfig", "/nonexistent/config");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: stat /nonexistent/config: no such file or directory\n");
    }

    @Test
    void anUnknownFlagIsAUsageError() {
        CliHarness.Result r = CliHarness.shared().run(kubeconfig, "version", "--bogus");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("Unknown option: '--bogus'").contains("See 'k4j version -h'");
    }
}
