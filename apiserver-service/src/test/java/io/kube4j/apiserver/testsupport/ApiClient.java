package io.kube4j.apiserver.testsupport;

import io.kube4j.api.codec.Codecs;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A plain HTTP client for tests: real requests to an apiserver, answers as JSON trees. */
public final class ApiClient {

    /** An answer: status code, body as JSON (null when empty or not JSON), raw body and the response. */
    public record Response(int code, JsonNode json, String body, HttpResponse<String> raw) {
        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;
    private final HttpClient http;
    private final String token;

    public ApiClient(String base) {
        this(base, HTTP, null);
    }

    /** A client over {@code http} (for HTTPS: its SSL context, with or without a client certificate), sending
     * {@code token} as a bearer token when not null. */
    public ApiClient(String base, HttpClient http, String token) {
        this.base = base;
        this.http = http;
        this.token = token;
    }

    /** An HTTP/1.1 client with this TLS context (trust and client certificate). */
    public static HttpClient httpClient(javax.net.ssl.SSLContext ssl) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .sslContext(ssl).build();
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET(), null);
    }

    public Response post(String path, String json) {
        return send(HttpRequest.newBuilder(uri(path)).POST(body(json)).header("Content-Type", "application/json"), null);
    }

    public Response post(String path, String body, String contentType) {
        return send(HttpRequest.newBuilder(uri(path)).POST(body(body)).header("Content-Type", contentType), null);
    }

    public Response put(String path, String json) {
        return send(HttpRequest.newBuilder(uri(path)).PUT(body(json)).header("Content-Type", "application/json"), null);
    }

    public Response patch(String path, String patch, String contentType) {
        return send(HttpRequest.newBuilder(uri(path)).method("PATCH", body(patch)).header("Content-Type", contentType), null);
    }

    public Response mergePatch(String path, String patch) {
        return patch(path, patch, "application/merge-patch+json");
    }

    public Response delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE(), null);
    }

    public Response delete(String path, String options) {
        return send(HttpRequest.newBuilder(uri(path)).method("DELETE", body(options)).header("Content-Type", "application/json"), null);
    }

    public Response send(HttpRequest.Builder b, String accept) {
        if (accept != null) {
            b.header("Accept", accept);
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            JsonNode json = null;
            try {
                json = r.body().isEmpty() ? null : Codecs.json().readTree(r.body());
            } catch (RuntimeException notJson) {
                // a YAML or text answer
            }
            return new Response(r.statusCode(), json, r.body(), r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public URI uri(String path) {
        return URI.create(base + path);
    }

    public String base() {
        return base;
    }

    private static HttpRequest.BodyPublisher body(String s) {
        return HttpRequest.BodyPublishers.ofString(s, StandardCharsets.UTF_8);
    }
}
