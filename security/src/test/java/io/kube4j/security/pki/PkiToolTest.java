package io.kube4j.security.pki;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PkiToolTest {

    @TempDir
    Path tmp;

    @Test
    void ensureWritesPkiAndKubeconfigs() throws Exception {
        int rc = PkiTool.run("ensure", "--dir", tmp.resolve("pki").toString(), "--kubeconfig-dir=" + tmp,
                "--server", "https://127.0.0.1:6443", "--nodes", "a,b", "--cert-validity", "90d");
        assertThat(rc).isZero();
        assertThat(tmp.resolve("pki/node-b-serving.crt")).exists();
        String kc = Files.readString(tmp.resolve("admin.kubeconfig"));
        assertThat(kc).contains("server: \"https://127.0.0.1:6443\"")
                .contains("certificate-authority: \"" + tmp.resolve("pki/ca.crt") + "\"")
                .contains("client-certificate: \"" + tmp.resolve("pki/admin.crt") + "\"")
                .contains("current-context: \"kube4j-admin@kube4j\"");
        assertThat(tmp.resolve("node-a.kubeconfig")).exists();
    }

    @Test
    void withAGatewayTheAdminKubeconfigPointsAtItAndTheGatewayOwnAtTheApiserver() throws Exception {
        int rc = PkiTool.run("ensure", "--dir", tmp.resolve("pki").toString(), "--kubeconfig-dir=" + tmp,
                "--server", "https://127.0.0.1:6443", "--gateway-server", "https://127.0.0.1:8443",
                "--gateway-names", "gw.example.test");
        assertThat(rc).isZero();
        assertThat(Files.readString(tmp.resolve("admin.kubeconfig"))).contains("server: \"https://127.0.0.1:8443\"");
        assertThat(Files.readString(tmp.resolve("scheduler.kubeconfig")))
                .contains("server: \"https://127.0.0.1:6443\"");
        assertThat(Files.readString(tmp.resolve("gateway.kubeconfig"))).contains("server: \"https://127.0.0.1:6443\"")
                .contains("client-certificate: \"" + tmp.resolve("pki/gateway-client.crt") + "\"");
        assertThat(SubjectAltNames.dnsNames(CertificateAndKey.read(tmp.resolve("pki/gateway.crt"),
                tmp.resolve("pki/gateway.key")).certificate())).contains("gw.example.test");
    }

    @Test
    void badArgumentsAreExplained() {
        assertThatThrownBy(() -> PkiTool.run("ensure", "--dir", tmp.toString()))
                .hasMessageContaining("--server are required");
        assertThatThrownBy(() -> PkiTool.run("ensure", "--bogus", "x")).hasMessageContaining("unknown option --bogus");
        assertThat(PkiTool.run("frobnicate")).isEqualTo(2);
        assertThat(PkiTool.duration("12h")).isEqualTo(Duration.ofHours(12));
        assertThatThrownBy(() -> PkiTool.duration("soon")).hasMessageContaining("not a duration");
    }
}
