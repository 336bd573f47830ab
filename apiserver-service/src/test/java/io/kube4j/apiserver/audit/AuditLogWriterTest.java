package io.kube4j.apiserver.audit;

import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.auth.authz.RequestAttributes;
import io.kube4j.security.UserInfo;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.HttpMethod;
import org.springframework.util.LinkedMultiValueMap;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class AuditLogWriterTest {

    private static final UserInfo ALICE = new UserInfo("alice", "u1", List.of("g1"), Map.of());

    private static AuditRecord record(AuditLevel level, String method, String path, int code, String req, String resp) {
        var a = RequestAttributes.resolve(null, HttpMethod.valueOf(method), path, new LinkedMultiValueMap<>());
        Instant t = Instant.parse("2026-11-27T10:00:00.123456Z");
        return new AuditRecord(level, "id-1", "ResponseComplete", path, a, ALICE, null, List.of("10.0.0.1", "127.0.0.1"),
                "kubectl/v1.31", code, req == null ? null : req.getBytes(StandardCharsets.UTF_8), "application/json",
                resp == null ? null : resp.getBytes(StandardCharsets.UTF_8), t, t.plusMillis(5));
    }

    @Test
    void eventsHaveKubernetesShapeAndNeverSecretData() {
        String secret = "{\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\",\"annotations\":{\""
                + AuditEvents.LAST_APPLIED + "\":\"{\\\"data\\\":{\\\"p\\\":\\\"c2VjcmV0\\\"}}\",\"keep\":\"me\"}},"
                + "\"data\":{\"p\":\"c2VjcmV0\"},\"stringData\":{\"q\":\"plain-secret\"},\"type\":\"Opaque\"}";
        JsonNode e = Codecs.json().readTree(AuditEvents.toJsonLine(record(AuditLevel.RequestResponse, "POST",
                "/api/v1/namespaces/ns1/secrets", 201, secret, secret)));
        assertThat(e.path("apiVersion").asString()).isEqualTo("audit.k8s.io/v1");
        assertThat(e.path("verb").asString()).isEqualTo("create");
        assertThat(e.path("user").path("username").asString()).isEqualTo("alice");
        assertThat(e.path("objectRef").path("resource").asString()).isEqualTo("secrets");
        assertThat(e.path("objectRef").path("namespace").asString()).isEqualTo("ns1");
        assertThat(e.path("responseStatus").path("code").asInt()).isEqualTo(201);
        assertThat(e.path("requestReceivedTimestamp").asString()).isEqualTo("2026-11-27T10:00:00.123456Z");
        assertThat(e.path("stageTimestamp").asString()).isEqualTo("2026-11-27T10:00:00.128456Z");
        assertThat(e.path("requestObject").path("metadata").path("annotations").path("keep").asString()).isEqualTo("me");
        assertThat(e.path("responseObject").path("type").asString()).isEqualTo("Opaque");
        assertThat(e.toString()).doesNotContain("c2VjcmV0").doesNotContain("plain-secret");

        String list = "{\"kind\":\"SecretList\",\"items\":[" + secret + "," + secret + "]}";
        JsonNode l = Codecs.json().readTree(AuditEvents.toJsonLine(record(AuditLevel.RequestResponse, "GET",
                "/api/v1/secrets", 200, null, list)));
        assertThat(l.path("responseObject").path("items")).hasSize(2);
        assertThat(l.toString()).doesNotContain("c2VjcmV0").doesNotContain("plain-secret");

        String jsonPatch = "[{\"op\":\"add\",\"path\":\"/data/x\",\"value\":\"c2VjcmV0\"}]";
        JsonNode p = Codecs.json().readTree(AuditEvents.toJsonLine(record(AuditLevel.Request, "PATCH",
                "/api/v1/namespaces/ns1/secrets/s", 200, jsonPatch, null)));
        assertThat(p.has("requestObject")).isFalse();
        assertThat(p.toString()).doesNotContain("c2VjcmV0");
    }

    @Test
    void metadataLevelKeepsOnlyTheErrorMessage() {
        String status = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"configmaps \\\"x\\\" not found\","
                + "\"reason\":\"NotFound\",\"code\":404}";
        JsonNode e = Codecs.json().readTree(AuditEvents.toJsonLine(record(AuditLevel.Metadata, "GET",
                "/api/v1/namespaces/ns1/configmaps/x", 404, "{\"a\":1}", status)));
        assertThat(e.path("responseStatus").path("message").asString()).isEqualTo("configmaps \"x\" not found");
        assertThat(e.path("responseStatus").path("reason").asString()).isEqualTo("NotFound");
        assertThat(e.has("requestObject")).isFalse();
        assertThat(e.has("responseObject")).isFalse();
    }

    @Test
    void rotatesBySizeAndKeepsMaxBackupFiles(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("audit.log");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        String big = "{\"data\":\"" + "x".repeat(200_000) + "\"}";
        try (AuditLogWriter w = new AuditLogWriter(log.toString(), 1, 2, 100, meters)) {
            for (int i = 0; i < 30; i++) {
                w.offer(record(AuditLevel.RequestResponse, "POST", "/api/v1/namespaces/a/configmaps", 201, big, null));
                // the queue holds 100: wait for the writer rather than dropping
                await().until(() -> meters.get("apiserver_audit_queue_length").gauge().value() < 50);
            }
        }
        assertThat(meters.get("apiserver_audit_event_total").counter().count()).isEqualTo(30);
        assertThat(meters.get("apiserver_audit_error_total").counter().count()).isZero();
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> files = s.toList();
            assertThat(files).hasSize(3).contains(log);
            for (Path f : files) {
                assertThat(Files.size(f)).isLessThanOrEqualTo(1024 * 1024);
                for (String line : Files.readAllLines(f)) {
                    assertThat(Codecs.json().readTree(line).path("kind").asString()).isEqualTo("Event");
                }
            }
        }
    }

    @Test
    void aFullQueueDropsAndCounts(@TempDir Path dir) throws Exception {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (AuditLogWriter w = new AuditLogWriter(dir.resolve("a.log").toString(), 0, 0, 1, meters)) {
            for (int i = 0; i < 2000; i++) {
                w.offer(record(AuditLevel.Metadata, "GET", "/api/v1/pods", 200, null, null));
            }
        }
        double written = meters.get("apiserver_audit_event_total").counter().count();
        double dropped = meters.get("apiserver_audit_error_total").counter().count();
        assertThat(written + dropped).isEqualTo(2000);
        assertThat(dropped).isPositive();
        assertThat(Files.readAllLines(dir.resolve("a.log"))).hasSize((int) written);
    }
}
