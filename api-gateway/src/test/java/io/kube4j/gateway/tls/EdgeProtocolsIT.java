package io.kube4j.gateway.tls;

import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.apiserver.testsupport.TestPki;
import io.kube4j.gateway.testsupport.GatewayInstance;
import io.kube4j.security.pki.ClusterPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP/2 (ALPN) at the edge for the JDK client and kubectl, and the optional plain-HTTP port that only redirects
 * to HTTPS.
 */
class EdgeProtocolsIT {

    static GatewayInstance gateway;
    static TestPki pki;

    @BeforeAll
    static void start() {
        ApiServerInstance apiserver = ApiServerInstance.secureShared();
        pki = apiserver.pki();
        gateway = GatewayInstance.start(pki, List.of(apiserver.url()), "kube4j.gateway.tls.redirect-http-port=0");
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void http2IsNegotiated() throws Exception {
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                .sslContext(pki.sslContext(pki.admin())).connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = h2.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/api/v1/namespaces"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.body()).contains("\"NamespaceList\"");

        HttpClient h1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(pki.sslContext(pki.admin())).build();
        HttpResponse<String> r1 = h1.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/version")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r1.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(r1.statusCode()).isEqualTo(200);
    }

    @Test
    void kubectlWorksThroughTheGateway(@TempDir Path dir) {
        Path binary = Requirements.requireBinary("kubectl");
        KubectlRunner kubectl = KubectlRunner.withKubeconfig(binary, gateway.kubeconfig(pki.admin()), dir,
                Duration.ofSeconds(60));
        assertThat(kubectl.kubectl("get", "namespaces", "-o", "name").ok().out()).contains("namespace/default");
        assertThat(kubectl.kubectl("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}").ok().out())
                .isEqualTo(ClusterPki.ADMIN_CN);
    }

    @Test
    void plainHttpIsRedirectedToHttpsWithPathAndQuery() throws Exception {
        int port = gateway.bean(HttpsRedirectServer.class).port();
        assertThat(port).isPositive().isNotEqualTo(gateway.port());
        HttpClient plain = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        HttpResponse<String> get = plain.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/api/v1/namespaces/default/pods?limit=1&watch=false"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(308);
        assertThat(get.headers().firstValue("Location")).contains(
                "https://127.0.0.1:" + gateway.port() + "/api/v1/namespaces/default/pods?limit=1&watch=false");

        HttpResponse<String> post = plain.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/api/v1/namespaces"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).as("308 keeps the method").isEqualTo(308);
        assertThat(post.headers().firstValue("Location")).contains(gateway.url() + "/api/v1/namespaces");
    }
}
