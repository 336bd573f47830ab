package io.kube4j.apiserver.admission.webhook;

import io.kube4j.api.codec.Codecs;
import io.kube4j.security.pki.CertificateAndKey;
import io.kube4j.security.pki.CertificateAuthority;
import io.kube4j.security.pki.CertificateSpec;
import io.kube4j.security.pki.PemFiles;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * A real HTTPS admission webhook server for tests: reactor-netty on 127.0.0.1 with a serving certificate from a test
 * CA ({@link #caBundle()} is what a configuration's clientConfig.caBundle takes). Each path answers with a function
 * of the AdmissionRequest, optionally after a delay; every request received is kept for assertions.
 */
final class TestWebhookServer implements AutoCloseable {

    /** How one path answers: the {@code response} object (uid is filled in), after {@code delay}. */
    record Behaviour(Function<JsonNode, ObjectNode> response, Duration delay) {
    }

    private final CertificateAuthority ca = CertificateAuthority.create("webhook-test-ca");
    private final Map<String, Behaviour> paths = new ConcurrentHashMap<>();
    private final Map<String, Queue<JsonNode>> received = new ConcurrentHashMap<>();
    private final DisposableServer server;

    TestWebhookServer() {
        this(List.of("127.0.0.1", "localhost"));
    }

    /** A server whose certificate is valid for {@code names} only. */
    TestWebhookServer(List<String> names) {
        CertificateAndKey serving = ca.issue(CertificateSpec.server("test-webhook", names));
        server = HttpServer.create().host("127.0.0.1").port(0)
                .secure(s -> s.sslContext(Http11SslContextSpec.forServer(serving.key(), serving.certificate())))
                .handle((req, res) -> req.receive().aggregate().asByteArray().defaultIfEmpty(new byte[0])
                        .flatMap(body -> {
                            String path = req.path().startsWith("/") ? req.path() : "/" + req.path();
                            JsonNode review = Codecs.json().readTree(body);
                            received.computeIfAbsent(path, k -> new ConcurrentLinkedQueue<>()).add(review);
                            Behaviour b = paths.get(path);
                            if (b == null) {
                                return res.status(404).sendString(Mono.just("no webhook at " + path)).then();
                            }
                            JsonNode request = review.path("request");
                            ObjectNode out = Codecs.json().createObjectNode();
                            out.put("apiVersion", "admission.k8s.io/v1").put("kind", "AdmissionReview");
                            ObjectNode r = b.response().apply(request);
                            if (!r.has("uid")) {
                                r.put("uid", request.path("uid").asString());
                            }
                            out.set("response", r);
                            byte[] bytes = Codecs.json().writeValueAsBytes(out);
                            Mono<Void> send = res.header("Content-Type", "application/json")
                                    .sendByteArray(Mono.just(bytes)).then();
                            return b.delay().isZero() ? send : Mono.delay(b.delay()).then(send);
                        }))
                .bindNow();
    }

    String caBundle() {
        return Base64.getEncoder().encodeToString(
                PemFiles.encodeCertificate(ca.certificate()).getBytes(StandardCharsets.US_ASCII));
    }

    String url(String path) {
        return "https://127.0.0.1:" + server.port() + path;
    }

    int port() {
        return server.port();
    }

    TestWebhookServer on(String path, Function<JsonNode, ObjectNode> response) {
        return on(path, response, Duration.ZERO);
    }

    TestWebhookServer on(String path, Function<JsonNode, ObjectNode> response, Duration delay) {
        paths.put(path, new Behaviour(response, delay));
        return this;
    }

    /** The AdmissionReviews received on {@code path}, oldest first. */
    List<JsonNode> received(String path) {
        return List.copyOf(received.getOrDefault(path, new ConcurrentLinkedQueue<>()));
    }

    static ObjectNode allow() {
        return Codecs.json().createObjectNode().put("allowed", true);
    }

    static ObjectNode allow(String... warnings) {
        ObjectNode r = allow();
        var w = r.putArray("warnings");
        for (String s : warnings) {
            w.add(s);
        }
        return r;
    }

    static ObjectNode deny(int code, String message) {
        ObjectNode r = Codecs.json().createObjectNode().put("allowed", false);
        r.putObject("status").put("code", code).put("message", message);
        return r;
    }

    /** Allowed, with {@code jsonPatch} (a JSON array of RFC 6902 operations). */
    static ObjectNode patch(String jsonPatch) {
        return allow().put("patchType", "JSONPatch").put("patch",
                Base64.getEncoder().encodeToString(jsonPatch.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public void close() {
        server.disposeNow();
    }
}
