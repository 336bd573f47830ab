package io.kube4j.addons.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import javax.net.ssl.SNIHostName;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.kube4j.addons.ingress.config.IngressConfiguration;
import io.kube4j.addons.ingress.config.IngressProperties;
import io.kube4j.addons.ingress.proxy.IngressMetrics;
import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.KubeClient;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.security.pki.CertificateAndKey;
import io.kube4j.security.pki.CertificateAuthority;
import io.kube4j.security.pki.CertificateSpec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;

/**
 * The controller against a real apiserver (on etcd) with real HTTP: backends are small HTTP servers on loopback
 * ports, registered as selector-less Services whose EndpointSlices point at 127.0.0.1. One Ingress with two hosts
 * routes over HTTP and HTTPS (SNI certificates from a test CA in a kubernetes.io/tls Secret), the default backend
 * catches the rest, a new path applies while a keep-alive connection has a request in flight, and the status reports
 * the node address. kubectl applies the Ingress twice and prints its columns.
 */
class IngressControllerIT {

    private static final String NS = "ingress-it";
    private static final String CLASS = "kube4j-it";
    private static final List<DisposableServer> backends = new ArrayList<>();
    private static final CompletableFuture<Void> release = new CompletableFuture<>();
    private static KubeClient client;
    private static IngressController controller;
    private static SimpleMeterRegistry meters;
    private static CertificateAuthority ca;

    @BeforeAll
    static void start() {
        ApiServerInstance server = ApiServerInstance.shared();
        client = KubeClient.create(ClientConfig.of(server.url()));
        Namespace ns = new Namespace();
        ns.setMetadata(new ObjectMeta());
        ns.getMetadata().setName(NS);
        client.resources(Namespace.class).create(ns).onErrorResume(e -> Mono.empty()).block();
        registerBackend("web");
        registerBackend("api");
        registerBackend("fallback");
        ca = CertificateAuthority.create("ingress-it-ca");
        CertificateAndKey cert = ca.issue(CertificateSpec.server("ingress-it", List.of("a.example.com", "b.example.com")));
        Secret tls = new Secret();
        tls.setMetadata(new ObjectMeta());
        tls.getMetadata().setName("example-tls");
        tls.getMetadata().setNamespace(NS);
        tls.setType("kubernetes.io/tls");
        tls.setData(Map.of("tls.crt", b64(cert.certificatePem()), "tls.key", b64(cert.keyPem())));
        client.resources(Secret.class).create(tls).block();
        client.resources(IngressClass.class).create(yaml("""
                metadata: {name: %s}
                spec: {controller: kube4j.io/ingress}
                """.formatted(CLASS), IngressClass.class)).onErrorResume(e -> Mono.empty()).block();
        client.resources(Ingress.class).create(yaml(ingress(""), Ingress.class)).block();
        meters = new SimpleMeterRegistry();
        controller = new IngressController(client, IngressProperties.of(0, 0, "10.1.2.3").withBindAddress("127.0.0.1"),
                meters).start(Duration.ofSeconds(30));
    }

    /** The Ingress under test; {@code extraPath} is appended to host a's paths. */
    private static String ingress(String extraPath) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: site, namespace: %s}
                spec:
                  ingressClassName: %s
                  defaultBackend: {service: {name: fallback, port: {number: 80}}}
                  tls: [{hosts: [a.example.com, b.example.com], secretName: example-tls}]
                  rules:
                  - host: a.example.com
                    http:
                      paths:
                      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {name: http}}}}
                %s
                  - host: b.example.com
                    http:
                      paths:
                      - {path: /api, pathType: Prefix, backend: {service: {name: api, port: {number: 80}}}}
                """.formatted(NS, CLASS, extraPath);
    }

    /** A loopback HTTP server that says who it is and echoes what the proxy told it; {@code /slow} waits for the test. */
    private static void registerBackend(String name) {
        DisposableServer s = HttpServer.create().host("127.0.0.1").port(0).handle((req, res) -> {
            Mono<Void> gate = req.uri().startsWith("/slow") ? Mono.fromFuture(release) : Mono.empty();
            return gate.then(Mono.defer(() -> {
                String body = "backend=" + name + " path=" + req.uri()
                        + " host=" + req.requestHeaders().get(HttpHeaderNames.HOST)
                        + " xff=" + req.requestHeaders().get("X-Forwarded-For")
                        + " proto=" + req.requestHeaders().get("X-Forwarded-Proto")
                        + " xfh=" + req.requestHeaders().get("X-Forwarded-Host") + "\n";
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                return res.header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(bytes.length))
                        .sendByteArray(Mono.just(bytes)).then();
            }));
        }).bindNow();
        backends.add(s);
        client.resources(Service.class).create(yaml("""
                metadata: {name: %s, namespace: %s}
                spec: {ports: [{name: http, port: 80, targetPort: 8080}]}
                """.formatted(name, NS), Service.class)).block();
        client.resources(EndpointSlice.class).create(yaml("""
                metadata: {name: %s-1, namespace: %s, labels: {kubernetes.io/service-name: %s}}
                addressType: IPv4
                ports: [{name: http, port: %d, protocol: TCP}]
                endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
                """.formatted(name, NS, name, s.port()), EndpointSlice.class)).block();
    }

    @AfterAll
    static void stop() {
        release.complete(null);
        if (controller != null) {
            controller.close();
        }
        backends.forEach(DisposableServer::disposeNow);
        client.close();
    }

    private static <T> T yaml(String s, Class<T> type) {
        return Codecs.yaml().readValue(s, type);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** GET over plain HTTP with the given Host header: "status body". */
    private static String http(String host, String path) {
        return HttpClient.create().headers(h -> h.set(HttpHeaderNames.HOST, host))
                .get().uri("http://127.0.0.1:" + controller.httpPort() + path)
                .responseSingle((r, body) -> body.asString().defaultIfEmpty("").map(b -> r.status().code() + " " + b))
                .block(Duration.ofSeconds(10));
    }

    /**
     * GET over HTTPS to the proxy as {@code host}: trusts only the test CA and sends {@code host} as SNI, which the
     * JDK's HTTPS endpoint identification then checks the certificate against.
     */
    private static String https(String host, String path) {
        Http11SslContextSpec spec = Http11SslContextSpec.forClient().configure(b -> b.trustManager(ca.certificate()));
        return HttpClient.create().headers(h -> h.set(HttpHeaderNames.HOST, host))
                .secure(s -> s.sslContext(spec).serverNames(new SNIHostName(host)))
                .get().uri("https://127.0.0.1:" + controller.httpsPort() + path)
                .responseSingle((r, body) -> body.asString().defaultIfEmpty("").map(b -> r.status().code() + " " + b))
                .block(Duration.ofSeconds(10));
    }

    @Test
    void hostsAndPathsRouteToTheirBackendsOverHttpAndHttps() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(http("a.example.com", "/x")).startsWith("200 backend=web path=/x host=a.example.com"));
        assertThat(http("b.example.com", "/api/v1?q=1")).startsWith("200 backend=api path=/api/v1?q=1")
                .contains("xff=127.0.0.1", "proto=http", "xfh=b.example.com");
        // b has no "/" rule: the default backend answers, as for unknown hosts
        assertThat(http("b.example.com", "/apix")).startsWith("200 backend=fallback");
        assertThat(http("unknown.example.com", "/")).startsWith("200 backend=fallback");
        assertThat(https("a.example.com", "/secure")).startsWith("200 backend=web path=/secure")
                .contains("proto=https", "xfh=a.example.com");
        assertThat(https("b.example.com", "/api")).startsWith("200 backend=api");
        // a name without an Ingress TLS entry gets the controller's self-signed certificate, which the client rejects
        assertThatThrownBy(() -> https("unknown.example.com", "/")).hasStackTraceContaining("SSLHandshakeException");
        assertThat(meters.find(IngressMetrics.REQUESTS).tags("ingress", "site", "namespace", NS,
                "host", "b.example.com", "status", "200").counter()).isNotNull()
                .satisfies(c -> assertThat(c.count()).isGreaterThanOrEqualTo(2));
        assertThat(meters.find(IngressMetrics.DURATION).tags("ingress", "site", "host", "a.example.com").timer())
                .isNotNull();
    }

    @Test
    void theApplicationWiresAControllerFromItsProperties() {
        new ApplicationContextRunner()
                .withUserConfiguration(PropertiesOn.class, IngressConfiguration.class)
                .withBean(SimpleMeterRegistry.class)
                .withPropertyValues("kube4j.client.server=" + ApiServerInstance.shared().url(),
                        "kube4j.ingress.http-port=0", "kube4j.ingress.https-port=-1",
                        "kube4j.ingress.bind-address=127.0.0.1", "kube4j.ingress.status-address=10.1.2.3")
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    IngressController app = ctx.getBean(IngressController.class);
                    assertThat(app.httpsPort()).isEqualTo(-1);
                    String answer = HttpClient.create().headers(h -> h.set(HttpHeaderNames.HOST, "a.example.com"))
                            .get().uri("http://127.0.0.1:" + app.httpPort() + "/from-app")
                            .responseSingle((r, b) -> b.asString().map(x -> r.status().code() + " " + x))
                            .block(Duration.ofSeconds(10));
                    assertThat(answer).startsWith("200 backend=web path=/from-app");
                });
    }

    @EnableConfigurationProperties(IngressProperties.class)
    static class PropertiesOn {
    }

    @Test
    void statusReportsTheNodeAddress() {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Ingress ing = client.resources(Ingress.class).get(NS, "site").block();
            assertThat(ing.getStatus().getLoadBalancer().getIngress()).singleElement()
                    .satisfies(lb -> assertThat(lb.getIp()).isEqualTo("10.1.2.3"));
        });
    }

    @Test
    void aNewPathAppliesWithoutDroppingAnInFlightKeepAliveConnection(@TempDir Path dir) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", controller.httpPort())) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(request("a.example.com", "/slow"));
            out.flush();
            long before = controller.table().version();
            // the change goes through kubectl, applied twice (client-side apply patches the second time)
            Path manifest = dir.resolve("site.yaml");
            Files.writeString(manifest, ingress(
                    "      - {path: /new, pathType: Exact, backend: {service: {name: api, port: {number: 80}}}}"));
            KubectlRunner kubectl = KubectlRunner.forNamespace(ApiServerInstance.shared(), NS, dir, Duration.ofSeconds(60));
            kubectl.kubectl("apply", "-f", manifest.toString()).ok();
            kubectl.kubectl("apply", "-f", manifest.toString()).ok();
            await().atMost(Duration.ofSeconds(10)).until(() -> controller.table().version() > before
                    && controller.table().route("a.example.com", "/new").orElseThrow().backend().description()
                    .startsWith("api"));
            release.complete(null);
            assertThat(response(in)).startsWith("HTTP/1.1 200").contains("backend=web path=/slow");
            out.write(request("a.example.com", "/new"));
            out.flush();
            assertThat(response(in)).startsWith("HTTP/1.1 200").contains("backend=api path=/new");
            assertThat(kubectl.kubectl("get", "ingress", "site").ok().out())
                    .containsPattern("NAME\\s+CLASS\\s+HOSTS\\s+ADDRESS\\s+PORTS\\s+AGE")
                    .containsPattern("site\\s+" + CLASS + "\\s+a.example.com,b.example.com\\s+10.1.2.3\\s+80, 443");
            assertThat(kubectl.kubectl("get", "ingressclass", CLASS).ok().out())
                    .containsPattern("NAME\\s+CONTROLLER\\s+PARAMETERS\\s+AGE")
                    .containsPattern(CLASS + "\\s+kube4j.io/ingress\\s+<none>");
        }
    }

    @Test
    void noEndpointIs503AndAnInvalidIngressIs422() {
        client.resources(Ingress.class).create(yaml("""
                metadata: {name: empty, namespace: %s}
                spec:
                  ingressClassName: %s
                  rules: [{host: c.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: nothing, port: {number: 80}}}}]}}]
                """.formatted(NS, CLASS), Ingress.class)).block();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(http("c.example.com", "/")).startsWith("503 no ready endpoint for nothing:80"));
        assertThatThrownBy(() -> client.resources(Ingress.class).create(yaml("""
                metadata: {name: bad, namespace: %s}
                spec:
                  rules: [{host: c.example.com, http: {paths: [{path: nope, pathType: Prefix, backend: {service: {name: x, port: {number: 80}}}}]}}]
                """.formatted(NS), Ingress.class)).block())
                .isInstanceOfSatisfying(ApiStatusException.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("spec.rules[0].http.paths[0].path");
                });
    }

    private static byte[] request(String host, String path) {
        return ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: keep-alive\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads one HTTP/1.1 response with a Content-Length body: the connection must stay usable afterwards. */
    private static String response(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head);
            }
            head.write(b);
        }
        String headers = head.toString(StandardCharsets.US_ASCII);
        int length = 0;
        for (String line : headers.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        assertThat(headers.toLowerCase()).doesNotContain("connection: close");
        return headers + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
