package io.kube4j.apiserver.audit;

import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.auth.authn.RequestAuthentication;
import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.EtcdServer;
import io.kube4j.apiserver.testsupport.WatchStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The audit log of a real apiserver: levels by policy, Kubernetes' event shape, Audit-Id, and no Secret data. */
class AuditLogIT {

    private static final String SECRET_VALUE = "s3cr3t-" + UUID.randomUUID();
    private static final String NS = "audit-" + UUID.randomUUID().toString().substring(0, 8);
    private static Path log;
    private static ApiServerInstance api;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("kube4j-audit");
        Path policy = dir.resolve("policy.yaml");
        Files.writeString(policy, """
                apiVersion: audit.k8s.io/v1
                kind: Policy
                omitStages: [RequestReceived]
                rules:
                  - level: None
                    nonResourceURLs: ["/healthz", "/readyz", "/livez"]
                  - level: RequestResponse
                    resources: [{group: "", resources: [secrets]}]
                  - level: Request
                    resources: [{group: "", resources: [configmaps]}]
                    verbs: [create, update, patch]
                  - level: Metadata
                """);
        log = dir.resolve("audit.log");
        api = ApiServerInstance.start(EtcdServer.shared().endpoint(),
                "kube4j.apiserver.audit.policy-file=" + policy, "kube4j.apiserver.audit.log-path=" + log);
        assertThat(api.client().post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + NS + "\"}}").code()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    private static List<JsonNode> events() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        if (Files.exists(log)) {
            for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                out.add(Codecs.json().readTree(line));
            }
        }
        return out;
    }

    private static JsonNode awaitEvent(String auditId, String stage) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Optional<JsonNode> e = events().stream().filter(n -> n.path("auditID").asString().equals(auditId)
                    && n.path("stage").asString().equals(stage)).findFirst();
            e.ifPresent(n -> found[0] = n);
            return e.isPresent();
        });
        return found[0];
    }

    @Test
    void eachRequestIsOneEventAtItsPolicyLevel() throws Exception {
        ApiClient c = api.client();
        String b64 = Base64.getEncoder().encodeToString(SECRET_VALUE.getBytes(StandardCharsets.UTF_8));
        ApiClient.Response created = c.post("/api/v1/namespaces/" + NS + "/secrets", """
                {"metadata":{"name":"s1"},"data":{"a":"%s"},"stringData":{"b":"%s"}}""".formatted(b64, SECRET_VALUE));
        assertThat(created.code()).isEqualTo(201);
        String id = created.header("Audit-Id");
        assertThat(id).isNotBlank();
        JsonNode e = awaitEvent(id, "ResponseComplete");
        assertThat(e.path("kind").asString()).isEqualTo("Event");
        assertThat(e.path("apiVersion").asString()).isEqualTo("audit.k8s.io/v1");
        assertThat(e.path("level").asString()).isEqualTo("RequestResponse");
        assertThat(e.path("verb").asString()).isEqualTo("create");
        assertThat(e.path("requestURI").asString()).isEqualTo("/api/v1/namespaces/" + NS + "/secrets");
        assertThat(e.path("user").path("username").asString()).isEqualTo(RequestAuthentication.INSECURE_DEVELOPMENT_USER);
        assertThat(e.path("user").path("groups").toString()).contains("system:masters");
        assertThat(e.path("sourceIPs").get(0).asString()).isEqualTo("127.0.0.1");
        assertThat(e.path("userAgent").asString()).isNotEmpty();
        assertThat(e.path("objectRef").path("resource").asString()).isEqualTo("secrets");
        assertThat(e.path("objectRef").path("namespace").asString()).isEqualTo(NS);
        assertThat(e.path("objectRef").path("apiVersion").asString()).isEqualTo("v1");
        assertThat(e.path("responseStatus").path("code").asInt()).isEqualTo(201);
        assertThat(e.path("requestObject").path("metadata").path("name").asString()).isEqualTo("s1");
        assertThat(e.path("responseObject").path("metadata").path("uid").asString()).isNotEmpty();
        Instant received = Instant.parse(e.path("requestReceivedTimestamp").asString());
        Instant done = Instant.parse(e.path("stageTimestamp").asString());
        assertThat(done).isAfterOrEqualTo(received);

        // reads, lists and deletes of Secrets: never their data
        assertThat(c.get("/api/v1/namespaces/" + NS + "/secrets/s1").code()).isEqualTo(200);
        assertThat(c.get("/api/v1/secrets").code()).isEqualTo(200);
        assertThat(c.patch("/api/v1/namespaces/" + NS + "/secrets/s1",
                "[{\"op\":\"add\",\"path\":\"/data/c\",\"value\":\"" + b64 + "\"}]", "application/json-patch+json").code())
                .isEqualTo(200);
        String deleteId = c.delete("/api/v1/namespaces/" + NS + "/secrets/s1").header("Audit-Id");
        awaitEvent(deleteId, "ResponseComplete");
        assertThat(Files.readString(log)).doesNotContain(SECRET_VALUE).doesNotContain(b64);

        // Request level: the request object, not the response
        ApiClient.Response cm = c.post("/api/v1/namespaces/" + NS + "/configmaps", "{\"metadata\":{\"name\":\"cm\"},\"data\":{\"k\":\"v\"}}");
        JsonNode ce = awaitEvent(cm.header("Audit-Id"), "ResponseComplete");
        assertThat(ce.path("level").asString()).isEqualTo("Request");
        assertThat(ce.path("requestObject").path("data").path("k").asString()).isEqualTo("v");
        assertThat(ce.has("responseObject")).isFalse();

        // Metadata level, an error: its message, no objects
        ApiClient.Response missing = c.get("/api/v1/namespaces/" + NS + "/configmaps/nope");
        assertMetadataLevelError(missing);
    }

    private static void assertMetadataLevelError(ApiClient.Response missing) {
        assertThat(missing.code()).isEqualTo(404);
        JsonNode me = awaitEvent(missing.header("Audit-Id"), "ResponseComplete");
        assertThat(me.path("level").asString()).isEqualTo("Metadata");
        assertThat(me.path("verb").asString()).isEqualTo("get");
        assertThat(me.path("objectRef").path("name").asString()).isEqualTo("nope");
        assertThat(me.path("responseStatus").path("code").asInt()).isEqualTo(404);
        assertThat(me.path("responseStatus").path("reason").asString()).isEqualTo("NotFound");
        assertThat(me.path("responseStatus").path("message").asString()).contains("\"nope\" not found");
        assertThat(me.has("requestObject")).isFalse();
        assertThat(me.has("responseObject")).isFalse();
    }

    @Test
    void healthChecksAreNotLoggedAndWatchesLogWhenTheyStart() throws Exception {
        ApiClient c = api.client();
        String healthId = c.get("/healthz").header("Audit-Id");
        assertThat(healthId).as("every answer carries an Audit-Id").isNotBlank();
        try (WatchStream w = WatchStream.start(api.url(), "/api/v1/namespaces/" + NS + "/pods", "",
                WatchStream.Format.JSON, 0, false)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> events().stream().anyMatch(n ->
                    n.path("verb").asString().equals("watch") && n.path("stage").asString().equals("ResponseStarted")
                            && n.path("objectRef").path("namespace").asString().equals(NS)));
        }
        // a later request's event is written, so the health check's would have been by now
        String later = c.get("/api/v1/namespaces/" + NS).header("Audit-Id");
        awaitEvent(later, "ResponseComplete");
        assertThat(events()).noneMatch(n -> n.path("auditID").asString().equals(healthId));
    }
}
