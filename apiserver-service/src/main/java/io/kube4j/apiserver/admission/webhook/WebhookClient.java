package io.kube4j.apiserver.admission.webhook;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.kube4j.api.codec.Codecs;
import io.kube4j.security.pki.PemFiles;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.ssl.SslHandler;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.client.HttpClient;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;

/**
 * POSTs AdmissionReviews to webhooks over HTTPS (reactor-netty), trusting only the configuration's {@code caBundle}
 * (the JVM's trust store when it is empty, as Kubernetes falls back to the system roots) and verifying the host name.
 * One client per (caBundle, server name) is kept; connections are pooled. A call that does not answer within the
 * webhook's {@code timeoutSeconds} fails with Go's wording, {@code context deadline exceeded}.
 */
public final class WebhookClient {

    /** Kubernetes reads at most this much of a webhook's answer. */
    static final int MAX_RESPONSE_BYTES = 3 * 1024 * 1024;

    private record ClientKey(String caBundle, String serverName) {
    }

    private final ServiceResolver services;
    private final Map<ClientKey, HttpClient> clients = new ConcurrentHashMap<>();

    public WebhookClient(ServiceResolver services) {
        this.services = services;
    }

    /** Where {@code config} points: its url, or its Service resolved to an endpoint. */
    Mono<WebhookTarget> target(String webhookName, WebhookClientConfig config) {
        if (config == null) {
            return Mono.error(new WebhookCallException(webhookName, "clientConfig is missing"));
        }
        if (config.getUrl() != null) {
            URI u;
            try {
                u = URI.create(config.getUrl());
            } catch (IllegalArgumentException e) {
                return Mono.error(new WebhookCallException(webhookName, "invalid url: " + e.getMessage()));
            }
            return Mono.just(new WebhookTarget(u, u.getHost()));
        }
        if (config.getService() == null) {
            return Mono.error(new WebhookCallException(webhookName, "neither url nor service is set"));
        }
        return services.resolve(config.getService())
                .onErrorMap(e -> !(e instanceof WebhookCallException),
                        e -> new WebhookCallException(webhookName, "failed to resolve service: " + e.getMessage()));
    }

    /** Sends {@code review} to the webhook; the answer, parsed, or a {@link WebhookCallException}. */
    public Mono<JsonNode> post(Webhook h, byte[] review) {
        return target(h.name(), h.clientConfig()).flatMap(t -> {
            URI uri = t.withTimeout(h.timeoutSeconds());
            String post = "Post \"" + uri + "\": ";
            HttpClient client;
            try {
                client = client(h.clientConfig().getCaBundle(), t.serverName());
            } catch (CertificateException | RuntimeException e) {
                return Mono.error(new WebhookCallException(h.name(), "could not get REST client: caBundle: " + e.getMessage()));
            }
            return client
                    .headers(hd -> hd.set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                            .set(HttpHeaderNames.ACCEPT, "application/json"))
                    .post()
                    .uri(uri)
                    .send(ByteBufFlux.fromInbound(Mono.just(review)))
                    .responseSingle((res, body) -> body.asByteArray().defaultIfEmpty(new byte[0])
                            .map(b -> new Object[]{res.status().code(), b}))
                    .timeout(Duration.ofSeconds(h.timeoutSeconds()))
                    .onErrorMap(e -> !(e instanceof WebhookCallException), e -> new WebhookCallException(h.name(),
                            "failed to call webhook: " + post + describe(e)))
                    .flatMap(r -> parse(h, post, (Integer) r[0], (byte[]) r[1]));
        });
    }

    private static Mono<JsonNode> parse(Webhook h, String post, int code, byte[] body) {
        if (body.length > MAX_RESPONSE_BYTES) {
            return Mono.error(new WebhookCallException(h.name(), "failed to call webhook: " + post
                    + "response body larger than " + MAX_RESPONSE_BYTES + " bytes"));
        }
        if (code < 200 || code > 299) {
            String text = new String(body, 0, Math.min(body.length, 512), StandardCharsets.UTF_8).strip();
            return Mono.error(new WebhookCallException(h.name(), "failed to call webhook: "
                    + (text.isEmpty() ? "the server responded with the status code " + code + " but did not return more information"
                    : "an error on the server (\"" + text + "\") has prevented the request from succeeding")));
        }
        try {
            return Mono.just(Codecs.json().readTree(body));
        } catch (JacksonException e) {
            return Mono.error(new WebhookCallException(h.name(),
                    "received invalid webhook response: the response is not JSON: " + e.getOriginalMessage()));
        }
    }

    private static String describe(Throwable e) {
        if (e instanceof TimeoutException) {
            return "context deadline exceeded";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return m == null || m.isBlank() ? root.getClass().getSimpleName() : m;
    }

    private HttpClient client(String caBundle, String serverName) throws CertificateException {
        ClientKey key = new ClientKey(caBundle == null ? "" : caBundle, serverName);
        HttpClient c = clients.get(key);
        if (c != null) {
            return c;
        }
        List<X509Certificate> roots = roots(key.caBundle());
        Http11SslContextSpec spec = Http11SslContextSpec.forClient();
        if (!roots.isEmpty()) {
            spec = spec.configure(b -> b.trustManager(roots.toArray(X509Certificate[]::new)));
        }
        Http11SslContextSpec tls = spec;
        boolean hostName = serverName != null && !serverName.isEmpty() && !isIpLiteral(serverName);
        c = HttpClient.create().secure(s -> {
            var b = s.sslContext(tls).handlerConfigurator(WebhookClient::verifyHostName);
            if (hostName) {
                b.serverNames(new SNIHostName(serverName));
            }
        });
        if (clients.size() > 256) {
            clients.clear();
        }
        clients.put(key, c);
        return c;
    }

    private static void verifyHostName(SslHandler handler) {
        SSLEngine engine = handler.engine();
        SSLParameters p = engine.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(p);
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("[0-9.]+");
    }

    /** The certificates of a caBundle: base64 of PEM in JSON (fabric8 keeps it as that string); empty = none given. */
    static List<X509Certificate> roots(String caBundle) throws CertificateException {
        if (caBundle == null || caBundle.isBlank()) {
            return List.of();
        }
        String pem;
        if (caBundle.strip().startsWith("-----BEGIN")) {
            pem = caBundle;
        } else {
            try {
                pem = new String(Base64.getMimeDecoder().decode(caBundle), StandardCharsets.US_ASCII);
            } catch (IllegalArgumentException e) {
                throw new CertificateException("caBundle is not base64: " + e.getMessage());
            }
        }
        List<X509Certificate> out;
        try {
            out = PemFiles.decodeCertificates(pem);
        } catch (RuntimeException e) {
            throw new CertificateException(e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new CertificateException("no certificate found in caBundle");
        }
        return out;
    }
}
