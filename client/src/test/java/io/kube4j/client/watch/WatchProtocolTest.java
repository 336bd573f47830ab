package io.kube4j.client.watch;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.config.ClientConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.test.StepVerifier;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** The SSE watch protocol against a scripted server: one script per connection. */
class WatchProtocolTest {

    private static final Duration T = Duration.ofSeconds(10);
    private DisposableServer server;
    private final List<String> connections = new CopyOnWriteArrayList<>();
    private final List<String> lists = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (server != null) {
            server.disposeNow();
        }
    }

    private static String frame(String id, String type, String name, String rv) {
        return (id == null ? "" : "id: " + id + "\n") + "event: " + type + "\ndata: {\"apiVersion\":\"v1\",\"kind\":"
                + "\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\",\"resourceVersion\":\"" + rv + "\"}}\n\n";
    }

    private KubeClient serve(Function<Integer, String> script) {
        server = HttpServer.create().host("127.0.0.1").port(0).handle((req, res) -> {
            if (!req.uri().contains("watch=true")) {
                lists.add(req.uri());
                return res.header("Content-Type", "application/json").sendString(Mono.just("{\"kind\":\"ConfigMapList\","
                        + "\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"4\"},\"items\":[{\"metadata\":"
                        + "{\"name\":\"pre\",\"resourceVersion\":\"3\"}}]}"));
            }
            connections.add(req.uri() + " last=" + req.requestHeaders().get("Last-Event-ID") + " accept="
                    + req.requestHeaders().get("Accept"));
            String body = script.apply(connections.size());
            if (body.startsWith("HTTP ")) {
                return res.status(Integer.parseInt(body.substring(5, 8))).header("Content-Type", "application/json")
                        .sendString(Mono.just(body.substring(9)));
            }
            return res.header("Content-Type", "text/event-stream").sendString(Mono.just(body));
        }).bindNow();
        return KubeClient.create(ClientConfig.of("http://127.0.0.1:" + server.port()));
    }

    @Test
    void listsTheInitialStateSkipsCommentsResumesWithLastEventIdAndEndsOnAnErrorEvent() {
        try (KubeClient k = serve(n -> switch (n) {
            case 1 -> ": watching configmaps\n\n" + frame("5", "ADDED", "a", "5") + frame("6", "MODIFIED", "a", "6");
            case 2 -> frame("7", "DELETED", "a", "7") + frame("8", "BOOKMARK", "", "8");
            default -> "event: ERROR\ndata: {\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                    + "\"message\":\"boom\",\"reason\":\"InternalError\",\"code\":500}\n\n";
        })) {
            StepVerifier.create(k.resources(ConfigMap.class).watch("ns", ListOptions.all().withBookmarks(true)
                            .withLabelSelector("app=x"), null))
                    .assertNext(e -> assertThat(e).extracting(WatchEvent::type, WatchEvent::resourceVersion,
                            x -> x.object().getMetadata().getName()).containsExactly(WatchEvent.Type.ADDED, "4", "pre"))
                    .assertNext(e -> assertThat(e).extracting(WatchEvent::type, WatchEvent::resourceVersion)
                            .containsExactly(WatchEvent.Type.ADDED, "5"))
                    .assertNext(e -> assertThat(e.type()).isEqualTo(WatchEvent.Type.MODIFIED))
                    .assertNext(e -> assertThat(e.object().getMetadata().getName()).isEqualTo("a"))
                    .assertNext(e -> assertThat(e).extracting(WatchEvent::type, WatchEvent::resourceVersion)
                            .containsExactly(WatchEvent.Type.BOOKMARK, "8"))
                    .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(ApiStatusException.class)
                            .hasMessage("boom").extracting(x -> ((ApiStatusException) x).code()).isEqualTo(500))
                    .verify(T);
        }
        assertThat(lists).containsExactly("/api/v1/namespaces/ns/configmaps?labelSelector=app%3Dx");
        String w = "/api/v1/namespaces/ns/configmaps?labelSelector=app%3Dx&resourceVersion=";
        String tail = "&watch=true&allowWatchBookmarks=true last=";
        assertThat(connections).containsExactly(
                w + "4" + tail + "4 accept=text/event-stream",
                w + "6" + tail + "6 accept=text/event-stream",
                w + "8" + tail + "8 accept=text/event-stream");
    }

    @Test
    void goneErrorEventIsNotRetried() {
        try (KubeClient k = serve(n -> "event: ERROR\ndata: {\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":"
                + "\"Failure\",\"message\":\"too old resource version: 1 (9)\",\"reason\":\"Expired\",\"code\":410}\n\n")) {
            StepVerifier.create(k.resources(ConfigMap.class).watch(null, ListOptions.all(), "1"))
                    .expectError(ApiStatusException.Gone.class).verify(T);
        }
        assertThat(connections).hasSize(1);
    }

    @Test
    void serverErrorsAreRetriedClientErrorsAreNot() {
        try (KubeClient k = serve(n -> n == 1
                ? "HTTP 503 {\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"not ready\",\"code\":503}"
                : "HTTP 403 {\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"no\",\"reason\":\"Forbidden\",\"code\":403}")) {
            StepVerifier.create(k.resources(ConfigMap.class).watch("ns", ListOptions.all(), "10"))
                    .expectError(ApiStatusException.Forbidden.class).verify(T);
        }
        assertThat(connections).hasSize(2);
    }
}
