package io.kube4j.apiserver.limits;

import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.EtcdServer;
import io.kube4j.apiserver.testsupport.WatchStream;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The request limits over real HTTP: requests held open by a client that sends its headers but not all of its
 * body are in flight (the gauge counts them) until the request timeout answers them 504; a watch outlives that
 * timeout; system:masters is served beyond the in-flight limit, as in Kubernetes (the 429 path for other users is
 * {@link MaxInFlightFilterTest}); bodies over 3 MiB get 413 on every verb that reads one.
 */
class RequestLimitsIT {

    private static ApiServerInstance api;
    private static final String NS = "limits-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void start() {
        api = ApiServerInstance.start(EtcdServer.shared().endpoint(),
                "kube4j.apiserver.request-timeout=3s",
                "kube4j.apiserver.max-mutating-requests-inflight=2",
                "kube4j.apiserver.max-requests-inflight=5");
        assertThat(api.client().post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + NS + "\"}}").code()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    private double inflight(String kind) {
        return api.bean(MeterRegistry.class).get("apiserver_current_inflight_requests").tag("request_kind", kind)
                .gauge().value();
    }

    /** A POST whose body never completes: the server holds it until its timeout. */
    private Socket holdCreate() throws IOException {
        Socket s = new Socket("127.0.0.1", api.port());
        s.setSoTimeout(20_000);
        OutputStream out = s.getOutputStream();
        out.write(("POST /api/v1/namespaces/" + NS + "/configmaps HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"metadata\":")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    /** Reads one HTTP response: status code and body (Content-Length framed). */
    private static Object[] readResponse(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head);
            }
            head.write(b);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        int code = Integer.parseInt(h.substring(9, 12));
        int len = 0;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                len = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(len);
        return new Object[]{code, new String(body, StandardCharsets.UTF_8), h};
    }

    @Test
    void heldRequestsAreCountedThenTimedOutWhileAWatchLivesOn() throws Exception {
        ApiClient c = api.client();
        try (WatchStream watch = WatchStream.start(api.url(), "/api/v1/namespaces/" + NS + "/configmaps", "",
                WatchStream.Format.JSON, 0, false)) {
            List<Socket> held = new ArrayList<>();
            held.add(holdCreate());
            held.add(holdCreate());
            await().atMost(Duration.ofSeconds(10)).until(() -> inflight("mutating") == 2);
            assertThat(inflight("readOnly")).as("the watch is long-running: not counted").isZero();

            // beyond the limit, but the insecure development user is in system:masters: Kubernetes serves it
            assertThat(c.post("/api/v1/namespaces/" + NS + "/configmaps", "{\"metadata\":{\"name\":\"admin-wins\"}}").code())
                    .isEqualTo(201);
            assertThat(api.bean(MeterRegistry.class).get("apiserver_dropped_requests_total")
                    .tag("request_kind", "mutating").counter().count()).isZero();

            for (Socket s : held) {
                try (s) {
                    Object[] r = readResponse(s);
                    assertThat(r[0]).isEqualTo(504);
                    assertThat((String) r[2]).containsIgnoringCase("Retry-After: 1");
                    JsonNode status = Codecs.json().readTree((String) r[1]);
                    assertThat(status.path("kind").asString()).isEqualTo("Status");
                    assertThat(status.path("reason").asString()).isEqualTo("Timeout");
                    assertThat(status.path("message").asString()).startsWith("Timeout: request did not complete");
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> inflight("mutating") == 0);

            // the watch opened before the held requests is past the 3 s timeout and still delivers
            assertThat(c.post("/api/v1/namespaces/" + NS + "/configmaps", "{\"metadata\":{\"name\":\"after\"}}").code())
                    .isEqualTo(201);
            await().atMost(Duration.ofSeconds(10)).until(() -> watch.changes().stream().anyMatch(e -> e.name().equals("after")));
        }
        ApiClient.Response bad = c.get("/api/v1/namespaces/" + NS + "/configmaps?timeout=soon");
        assertThat(bad.code()).isEqualTo(400);
        assertThat(bad.json().path("message").asString()).isEqualTo("invalid timeout specified in the request URL");
    }

    @Test
    void bodiesOverTheLimitGet413OnEveryVerb() {
        ApiClient c = api.client();
        String path = "/api/v1/namespaces/" + NS + "/configmaps";
        assertThat(c.post(path, "{\"metadata\":{\"name\":\"big\"}}").code()).isEqualTo(201);
        String huge = "{\"metadata\":{\"name\":\"big\"},\"data\":{\"k\":\"" + "x".repeat(4 * 1024 * 1024) + "\"}}";
        List<ApiClient.Response> answers = List.of(
                c.post(path, huge),
                c.put(path + "/big", huge),
                c.mergePatch(path + "/big", huge),
                c.patch(path + "/big", "[" + "{\"op\":\"test\",\"path\":\"/a\",\"value\":1},".repeat(150_000) + "{}]",
                        "application/json-patch+json"),
                c.delete(path + "/big", huge),
                c.delete(path, huge),
                c.post("/api/v1/namespaces/" + NS + "/pods/p/binding", huge));
        for (ApiClient.Response r : answers) {
            assertThat(r.code()).as(r.body()).isEqualTo(413);
            assertThat(r.json().path("reason").asString()).isEqualTo("RequestEntityTooLarge");
            assertThat(r.json().path("message").asString()).isEqualTo("Request entity too large: limit is 3145728");
        }
        assertThat(c.get(path + "/big").code()).as("nothing was deleted").isEqualTo(200);
    }
}
