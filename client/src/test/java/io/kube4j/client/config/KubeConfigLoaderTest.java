package io.kube4j.client.config;

import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.util.TestObjects;

import io.kube4j.client.KubeClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KubeConfigLoaderTest {

    @TempDir
    Path dir;

    private static final String TWO_CONTEXTS = """
            apiVersion: v1
            kind: Config
            current-context: dev
            clusters:
            - name: dev-cluster
              cluster:
                server: https://dev.example:6443/
                certificate-authority: certs/ca.pem
            - name: prod-cluster
              cluster:
                server: https://prod.example:6443
                insecure-skip-tls-verify: true
            users:
            - name: dev-user
              user:
                token: dev-token
            - name: prod-user
              user:
                tokenFile: prod.token
            contexts:
            - name: dev
              context:
                cluster: dev-cluster
                user: dev-user
                namespace: team-a
            - name: prod
              context:
                cluster: prod-cluster
                user: prod-user
            """;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    @Test
    void currentContextWithTokenAndRelativeCaFile() throws IOException {
        write("certs/ca.pem", "CA-PEM");
        Path kc = write("kube/config", TWO_CONTEXTS);
        // Relative references resolve against the kubeconfig's own directory.
        Files.createDirectories(dir.resolve("kube/certs"));
        Files.writeString(dir.resolve("kube/certs/ca.pem"), "CA-PEM-NEXT-TO-KUBECONFIG");

        ClientConfig c = KubeConfigLoader.load(kc, null);
        assertThat(c.server()).isEqualTo("https://dev.example:6443");
        assertThat(c.token()).isEqualTo("dev-token");
        assertThat(c.currentToken()).isEqualTo("dev-token");
        assertThat(new String(c.caPem(), StandardCharsets.UTF_8)).isEqualTo("CA-PEM-NEXT-TO-KUBECONFIG");
        assertThat(c.namespace()).isEqualTo("team-a");
        assertThat(c.insecureSkipTlsVerify()).isFalse();
        assertThat(c.requestTimeout()).isEqualTo(ClientConfig.DEFAULT_TIMEOUT);
        assertThat(c.toString()).doesNotContain("dev-token");
    }

    @Test
    void namedContextWithTokenFileReReadAndDefaultNamespace() throws IOException {
        Path kc = write("config", TWO_CONTEXTS);
        write("prod.token", "first\n");
        ClientConfig c = KubeConfigLoader.load(kc, "prod");
        assertThat(c.server()).isEqualTo("https://prod.example:6443");
        assertThat(c.insecureSkipTlsVerify()).isTrue();
        assertThat(c.caPem()).isNull();
        assertThat(c.token()).isNull();
        assertThat(c.tokenFile()).isEqualTo(dir.resolve("prod.token"));
        assertThat(c.currentToken()).isEqualTo("first");
        Files.writeString(dir.resolve("prod.token"), "rotated");
        assertThat(c.currentToken()).isEqualTo("rotated");
        assertThat(c.namespace()).isEqualTo("default");
    }

    @Test
    void missingContextClusterOrUserIsAClearError() throws IOException {
        Path kc = write("config", TWO_CONTEXTS);
        assertThatThrownBy(() -> KubeConfigLoader.load(kc, "staging"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("context \"staging\" not found").hasMessageContaining("[dev, prod]");

        Path noCluster = write("no-cluster", TWO_CONTEXTS.replace("cluster: dev-cluster", "cluster: gone"));
        assertThatThrownBy(() -> KubeConfigLoader.load(noCluster, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cluster \"gone\"");

        Path noUser = write("no-user", TWO_CONTEXTS.replace("user: dev-user", "user: nobody"));
        assertThatThrownBy(() -> KubeConfigLoader.load(noUser, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user \"nobody\"");

        Path broken = write("broken", "clusters: [unclosed");
        assertThatThrownBy(() -> KubeConfigLoader.load(broken, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid YAML");

        Path noCurrent = write("no-current", TWO_CONTEXTS.replace("current-context: dev\n", ""));
        assertThatThrownBy(() -> KubeConfigLoader.load(noCurrent, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no current-context");
    }

    @Test
    void clientCertificateDataAndKeyDataBuildATlsClient() throws Exception {
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        Requirements.require(TestObjects.selfSignedCertificate(cert, key), "openssl is needed to make a test certificate");
        byte[] certPem = Files.readAllBytes(cert);
        byte[] keyPem = Files.readAllBytes(key);
        String yaml = """
                apiVersion: v1
                kind: Config
                current-context: tls
                clusters:
                - name: c
                  cluster:
                    server: https://127.0.0.1:6443
                    certificate-authority-data: %s
                users:
                - name: u
                  user:
                    client-certificate-data: %s
                    client-key-data: %s
                contexts:
                - name: tls
                  context: {cluster: c, user: u, namespace: ns1}
                """.formatted(b64(certPem), b64(certPem), b64(keyPem));
        ClientConfig c = KubeConfigLoader.load(write("config", yaml), null);
        assertThat(c.caPem()).isEqualTo(certPem);
        assertThat(c.clientCertPem()).isEqualTo(certPem);
        assertThat(c.clientKeyPem()).isEqualTo(keyPem);
        assertThat(c.namespace()).isEqualTo("ns1");
        // The PEMs make a working Netty TLS context (trust + key manager).
        try (KubeClient k = KubeClient.create(c)) {
            assertThat(k.namespace()).isEqualTo("ns1");
        }

        String byFile = yaml.replace("certificate-authority-data: " + b64(certPem), "certificate-authority: tls.crt")
                .replace("client-certificate-data: " + b64(certPem), "client-certificate: tls.crt")
                .replace("client-key-data: " + b64(keyPem), "client-key: tls.key");
        ClientConfig f = KubeConfigLoader.load(write("config-files", byFile), null);
        assertThat(f.caPem()).isEqualTo(certPem);
        assertThat(f.clientKeyPem()).isEqualTo(keyPem);
    }

    @Test
    void certificateWithoutKeyIsRejected() throws IOException {
        String yaml = """
                current-context: x
                clusters: [{name: c, cluster: {server: "https://h:1"}}]
                users: [{name: u, user: {client-certificate-data: %s}}]
                contexts: [{name: x, context: {cluster: c, user: u}}]
                """.formatted(b64("CERT".getBytes()));
        assertThatThrownBy(() -> KubeConfigLoader.load(write("config", yaml), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without a key");
    }

    @Test
    void inClusterFromServiceAccountFiles() throws IOException {
        write("sa/token", "sa-token\n");
        write("sa/ca.crt", "CA");
        write("sa/namespace", "kube-system");
        ClientConfig c = ClientConfig.inCluster(dir.resolve("sa"),
                Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "443"));
        assertThat(c.server()).isEqualTo("https://10.96.0.1:443");
        assertThat(c.currentToken()).isEqualTo("sa-token");
        assertThat(c.caPem()).isEqualTo("CA".getBytes());
        assertThat(c.namespace()).isEqualTo("kube-system");
        assertThatThrownBy(() -> ClientConfig.inCluster(dir.resolve("sa"), Map.of()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("KUBERNETES_SERVICE_HOST");
    }

    @Test
    void fromProperties() throws IOException {
        write("ca.pem", "CA");
        ClientConfig plain = ClientConfig.fromProperties(Map.of("server", "http://127.0.0.1:8080", "token", "t",
                "ca-file", dir.resolve("ca.pem").toString(), "namespace", "apps"));
        assertThat(plain.server()).isEqualTo("http://127.0.0.1:8080");
        assertThat(plain.token()).isEqualTo("t");
        assertThat(plain.caPem()).isEqualTo("CA".getBytes());
        assertThat(plain.namespace()).isEqualTo("apps");

        Path kc = write("config", TWO_CONTEXTS);
        write("prod.token", "p");
        ClientConfig fromFile = ClientConfig.fromProperties(Map.of("kubeconfig", kc.toString(), "context", "prod",
                "namespace", "other"));
        assertThat(fromFile.server()).isEqualTo("https://prod.example:6443");
        assertThat(fromFile.currentToken()).isEqualTo("p");
        assertThat(fromFile.namespace()).isEqualTo("other");

        ClientConfig timeout = plain.withRequestTimeout(Duration.ofSeconds(3));
        assertThat(timeout.requestTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

}
