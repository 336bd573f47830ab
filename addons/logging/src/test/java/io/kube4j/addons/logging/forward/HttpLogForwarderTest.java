package io.kube4j.addons.logging.forward;

import com.sun.net.httpserver.HttpServer;
import io.kube4j.addons.logging.store.LogEntry;
import io.kube4j.addons.logging.store.StreamLabels;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Forwarding to a recording HTTP server on loopback that speaks as Loki or Elasticsearch would. */
class HttpLogForwarderTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final StreamLabels WEB = new StreamLabels("ns", "web-1", "main", "n1",
            Map.of("app", "web", "app.kubernetes.io/name", "shop"));
    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

    /** A request the server received. */
    record Received(String path, String contentType, String body) {
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicInteger failFirst = new AtomicInteger();
    private HttpServer server;
    private HttpLogForwarder forwarder;

    private URI start(String path) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status;
            if (failFirst.getAndDecrement() > 0) {
                status = 503;
            } else {
                received.add(new Received(ex.getRequestURI().getPath(), ex.getRequestHeaders().getFirst("Content-Type"),
                        body));
                status = path.endsWith("_bulk") ? 200 : 204;
            }
            byte[] answer = status == 200 ? "{\"errors\":false}".getBytes() : new byte[0];
            ex.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
            ex.getResponseBody().write(answer);
            ex.close();
        });
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    @AfterEach
    void stop() {
        if (forwarder != null) {
            forwarder.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    static List<LogEntry> lines(int from, int to) {
        List<LogEntry> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(new LogEntry(LogEntry.nanos(T0.plusMillis(i)), "line " + i));
        }
        return out;
    }

    @Test
    void lokiGetsBatchesOfStreamsWithLabelsAndNanosecondValues() throws IOException {
        URI url = start("/loki/api/v1/push");
        forwarder = new HttpLogForwarder("loki", url, new ForwardFormat.Loki(), 100, Duration.ofMillis(100), 10_000, 3,
                Duration.ofMillis(50), new SimpleMeterRegistry());
        forwarder.accept(WEB, lines(1, 250));
        await().atMost(Duration.ofSeconds(10)).until(() -> lokiValues().size() == 250);
        assertThat(received).allSatisfy(r -> {
            assertThat(r.path()).isEqualTo("/loki/api/v1/push");
            assertThat(r.contentType()).isEqualTo("application/json");
        });
        assertThat(received.size()).isBetween(3, 250); // batched: at most 100 lines a request
        JsonNode stream = JSON.readTree(received.get(0).body()).get("streams").get(0).get("stream");
        assertThat(stream.get("namespace").asString()).isEqualTo("ns");
        assertThat(stream.get("pod").asString()).isEqualTo("web-1");
        assertThat(stream.get("container").asString()).isEqualTo("main");
        assertThat(stream.get("node").asString()).isEqualTo("n1");
        assertThat(stream.get("app").asString()).isEqualTo("web");
        assertThat(stream.get("app_kubernetes_io_name").asString()).isEqualTo("shop");
        List<String> values = lokiValues();
        assertThat(values.get(0)).isEqualTo(LogEntry.nanos(T0.plusMillis(1)) + "=line 1");
        assertThat(values.get(249)).isEqualTo(LogEntry.nanos(T0.plusMillis(250)) + "=line 250");
    }

    @Test
    void aFailingEndpointIsRetriedAndNothingIsLostWithinTheRetries() throws IOException {
        failFirst.set(2);
        URI url = start("/_bulk");
        forwarder = new HttpLogForwarder("elasticsearch", url, new ForwardFormat.Elasticsearch("k4j"), 1000,
                Duration.ofMillis(100), 10_000, 5, Duration.ofMillis(20), new SimpleMeterRegistry());
        forwarder.accept(WEB, lines(1, 10));
        await().atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());
        assertThat(failFirst.get()).isNegative(); // two 503s came first
        Received r = received.get(0);
        assertThat(r.contentType()).isEqualTo("application/x-ndjson");
        String[] rows = r.body().split("\n");
        assertThat(rows).hasSize(20);
        assertThat(JSON.readTree(rows[0]).get("index").get("_index").asString()).isEqualTo("k4j");
        JsonNode doc = JSON.readTree(rows[1]);
        assertThat(doc.get("message").asString()).isEqualTo("line 1");
        assertThat(doc.get("@timestamp").asString()).isEqualTo(T0.plusMillis(1).toString());
        assertThat(doc.get("pod").asString()).isEqualTo("web-1");
        assertThat(doc.get("labels").get("app").asString()).isEqualTo("web");
        assertThat(JSON.readTree(rows[19]).get("message").asString()).isEqualTo("line 10");
    }

    @Test
    void theBufferIsBoundedAndDropsTheOldestLines() throws IOException {
        URI url = start("/loki/api/v1/push");
        server.stop(0); // nothing listens: every send fails
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        forwarder = new HttpLogForwarder("loki", url, new ForwardFormat.Loki(), 10, Duration.ofMillis(50), 100, 0,
                Duration.ofMillis(10), meters);
        forwarder.accept(WEB, lines(1, 1000));
        assertThat(forwarder.buffered()).isLessThanOrEqualTo(100);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                meters.get("kube4j_logging_forward_dropped_lines_total").counter().count() >= 900);
    }

    private List<String> lokiValues() {
        List<String> out = new ArrayList<>();
        for (Received r : received) {
            for (JsonNode s : JSON.readTree(r.body()).get("streams")) {
                for (JsonNode v : s.get("values")) {
                    out.add(v.get(0).asString() + "=" + v.get(1).asString());
                }
            }
        }
        return out;
    }
}
