package io.kube4j.client;

import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.util.TestObjects;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.kube4j.client.config.ClientConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client against a small fake apiserver: HTTPS with mutual TLS and a bearer token, and error mapping. */
class TlsAndErrorsTest {

    private static final Duration T = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private DisposableServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (server != null) {
            server.disposeNow();
        }
    }

    @Test
    void mutualTlsWithCaAndClientCertificateAndBearerToken() throws Exception {
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        Requirements.require(TestObjects.selfSignedCertificate(cert, key), "openssl is needed to make a test certificate");
        byte[] certPem = Files.readAllBytes(cert);
        byte[] keyPem = Files.readAllBytes(key);
        // The one self-signed certificate is the server's, the CA, and the client's.
        SslContext serverSsl = SslContextBuilder.forServer(new ByteArrayInputStream(certPem),
                        new ByteArrayInputStream(keyPem))
                .trustManager(new ByteArrayInputStream(certPem)).clientAuth(ClientAuth.REQUIRE).build();
        server = HttpServer.create().host("127.0.0.1").port(0).secure(s -> s.sslContext(serverSsl))
                .handle((req, res) -> {
                    requests.add(req.method() + " " + req.uri() + " auth=" + req.requestHeaders().get("Authorization")
                            + " ua=" + req.requestHeaders().get("User-Agent"));
                    return res.header("Content-Type", "application/json").sendString(Mono.just(
                            "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\",\"namespace\":\"ns\"}}"));
                }).bindNow();
        ClientConfig c = new ClientConfig("https://127.0.0.1:" + server.port(), certPem, certPem, keyPem, "s3cret",
                null, false, "ns", null);
        try (KubeClient k = KubeClient.create(c)) {
            ConfigMap got = k.resources(ConfigMap.class).get(null, "x").block(T);
            assertThat(got.getMetadata().getName()).isEqualTo("x");
        }
        assertThat(requests).containsExactly("GET /api/v1/namespaces/ns/configmaps/x auth=Bearer s3cret ua=kube4j");

        // Without the client certificate the server refuses the handshake.
        ClientConfig noCert = new ClientConfig(c.server(), certPem, null, null, null, null, false, "ns", null);
        try (KubeClient k = KubeClient.create(noCert)) {
            assertThatThrownBy(() -> k.resources(ConfigMap.class).get(null, "x").block(T)).isNotNull();
        }
        // insecure-skip-tls-verify trusts an unknown server certificate.
        try (KubeClient k = KubeClient.create(new ClientConfig(c.server(), null, certPem, keyPem, null, null, true,
                "ns", null))) {
            assertThat(k.resources(ConfigMap.class).get(null, "x").block(T)).isNotNull();
        }
    }

    @Test
    void errorAnswersBecomeTypedExceptionsAndQueriesAreEncoded() {
        server = HttpServer.create().host("127.0.0.1").port(0).handle((req, res) -> {
            requests.add(req.uri());
            if (req.uri().contains("busy-once") && requests.stream().filter(u -> u.contains("busy-once")).count() == 1) {
                return res.status(429).header("Retry-After", "1").header("Content-Type", "application/json")
                        .sendString(Mono.just("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                                + "\"message\":\"slow down\",\"reason\":\"TooManyRequests\",\"code\":429}"));
            }
            if (req.uri().contains("busy-once")) {
                return res.status(200).header("Content-Type", "application/json")
                        .sendString(Mono.just("{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"busy-once\"}}"));
            }
            if (req.uri().contains("busy-long")) {
                return res.status(429).header("Retry-After", "60").header("Content-Type", "application/json")
                        .sendString(Mono.just("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                                + "\"message\":\"come back later\",\"reason\":\"TooManyRequests\",\"code\":429}"));
            }
            if (req.uri().contains("busy")) {
                return res.status(429).header("Retry-After", "0").header("Content-Type", "application/json")
                        .sendString(Mono.just("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                                + "\"message\":\"slow down\",\"reason\":\"TooManyRequests\",\"code\":429}"));
            }
            if (req.uri().contains("plain")) {
                return res.status(503).sendString(Mono.just("upstream unavailable"));
            }
            return res.status(200).header("Content-Type", "application/json").sendString(Mono.just(
                    "{\"kind\":\"ConfigMapList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"42\","
                            + "\"continue\":\"next\"},\"items\":[{\"metadata\":{\"name\":\"a\"}}]}"));
        }).bindNow();
        try (KubeClient k = KubeClient.create(ClientConfig.of("http://127.0.0.1:" + server.port()))) {
            ResourceClient<ConfigMap> cms = k.resources(ConfigMap.class);
            // a 429 is sent again after Retry-After, a bounded number of times, then given to the caller
            assertThatThrownBy(() -> cms.get("ns", "busy").block(T))
                    .isInstanceOfSatisfying(ApiStatusException.TooManyRequests.class, e -> {
                        assertThat(e.retryAfterSeconds()).isEqualTo(0);
                        assertThat(e.getMessage()).isEqualTo("slow down");
                    });
            assertThat(requests.stream().filter(u -> u.endsWith("/busy")).count())
                    .isEqualTo(1 + io.kube4j.client.internal.HttpResourceClient.TOO_MANY_REQUESTS_RETRIES);
            assertThat(cms.get("ns", "busy-once").block(T).getMetadata().getName()).isEqualTo("busy-once");
            assertThatThrownBy(() -> cms.get("ns", "busy-long").block(T))
                    .isInstanceOfSatisfying(ApiStatusException.TooManyRequests.class,
                            e -> assertThat(e.retryAfterSeconds()).as("too long to wait: handed over at once").isEqualTo(60));
            assertThatThrownBy(() -> cms.get("ns", "plain").block(T))
                    .isInstanceOfSatisfying(ApiStatusException.class, e -> {
                        assertThat(e.code()).isEqualTo(503);
                        assertThat(e.status()).isNull();
                        assertThat(e.getMessage()).isEqualTo("upstream unavailable");
                    });
            var list = cms.list(null, ListOptions.all().withLabelSelector("app in (a, b),tier!=x")
                    .withFieldSelector("metadata.name=a&b").withLimit(5, "tok+en/=")).block(T);
            assertThat(list.getItems()).extracting(c -> c.getMetadata().getName()).containsExactly("a");
            assertThat(list.getMetadata().getResourceVersion()).isEqualTo("42");
            assertThat(list.getMetadata().getContinue()).isEqualTo("next");
        }
        assertThat(requests).last().isEqualTo("/api/v1/configmaps?labelSelector=app%20in%20%28a%2C%20b%29%2Ctier%21%3Dx"
                + "&fieldSelector=metadata.name%3Da%26b&limit=5&continue=tok%2Ben%2F%3D");
    }

}
