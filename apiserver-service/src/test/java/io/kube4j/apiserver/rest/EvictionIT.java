package io.kube4j.apiserver.rest;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.TestPki;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * pods/eviction on a secure apiserver over real etcd: without a budget the pod goes (201 Success); a budget with no
 * disruption left answers 429 with Kubernetes' message and cause; a budget allowing one lets exactly one of two
 * concurrent evictions through and records it; RBAC, 404, 400, the unprocessed budget, two budgets and dry run.
 * No disruption controller runs here: the tests write budget status themselves.
 */
class EvictionIT {

    static final String POLICY = "/apis/policy/v1";
    static ApiServerInstance api;
    static ApiClient admin;
    static TestPki pki;

    @BeforeAll
    static void setUp() {
        api = ApiServerInstance.secureShared();
        pki = api.pki();
        admin = api.client(pki.admin());
        await().atMost(Duration.ofSeconds(30)).until(() -> admin.get("/apis/rbac.authorization.k8s.io/v1/clusterroles/edit").code() == 200);
    }

    static String namespace() {
        String ns = "evict-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(admin.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + ns + "\"}}").code()).isEqualTo(201);
        assertThat(admin.post("/api/v1/namespaces/" + ns + "/serviceaccounts", "{\"metadata\":{\"name\":\"default\"}}")
                .code()).isEqualTo(201);
        return ns;
    }

    /** A Running, Ready pod labelled app=web. */
    static void runningPod(String ns, String name) {
        ApiClient.Response r = admin.post("/api/v1/namespaces/" + ns + "/pods", """
                {"metadata":{"name":"%s","labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}"""
                .formatted(name));
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        ApiClient.Response s = admin.mergePatch("/api/v1/namespaces/" + ns + "/pods/" + name + "/status", """
                {"status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}""");
        assertThat(s.code()).as(s.body()).isEqualTo(200);
    }

    static void budget(String ns, String name, int allowed, int desired, int current) {
        ApiClient.Response r = admin.post(POLICY + "/namespaces/" + ns + "/poddisruptionbudgets", """
                {"metadata":{"name":"%s"},"spec":{"minAvailable":%d,"selector":{"matchLabels":{"app":"web"}}}}"""
                .formatted(name, desired));
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        long generation = r.json().path("metadata").path("generation").asLong(1);
        ApiClient.Response s = admin.mergePatch(POLICY + "/namespaces/" + ns + "/poddisruptionbudgets/" + name + "/status", """
                {"status":{"observedGeneration":%d,"disruptionsAllowed":%d,"desiredHealthy":%d,"currentHealthy":%d,"expectedPods":%d}}"""
                .formatted(generation, allowed, desired, current, current));
        assertThat(s.code()).as(s.body()).isEqualTo(200);
    }

    static ApiClient.Response evict(ApiClient who, String ns, String pod) {
        return who.post("/api/v1/namespaces/" + ns + "/pods/" + pod + "/eviction", """
                {"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"%s","namespace":"%s"},
                 "deleteOptions":{"gracePeriodSeconds":0}}""".formatted(pod, ns));
    }

    static boolean gone(String ns, String pod) {
        return admin.get("/api/v1/namespaces/" + ns + "/pods/" + pod).code() == 404;
    }

    @Test
    void withoutABudgetThePodIsDeleted() {
        String ns = namespace();
        runningPod(ns, "p");
        ApiClient.Response r = evict(admin, ns, "p");
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        assertThat(r.json().path("kind").asString()).isEqualTo("Status");
        assertThat(r.json().path("status").asString()).isEqualTo("Success");
        assertThat(gone(ns, "p")).isTrue();
    }

    @Test
    void aBudgetWithNoDisruptionLeftRefuses() {
        String ns = namespace();
        runningPod(ns, "p");
        budget(ns, "web", 0, 1, 1);
        ApiClient.Response r = evict(admin, ns, "p");
        assertThat(r.code()).as(r.body()).isEqualTo(429);
        assertThat(r.json().path("reason").asString()).isEqualTo("TooManyRequests");
        assertThat(r.json().path("message").asString())
                .isEqualTo("Cannot evict pod as it would violate the pod's disruption budget.");
        // as Kubernetes (retryAfterSeconds 0): no Retry-After, so that client-go hands the refusal straight to
        // kubectl drain (its own 5 s retry) instead of repeating the request ten times
        assertThat(r.header("Retry-After")).isNull();
        JsonNode cause = r.json().path("details").path("causes").path(0);
        assertThat(cause.path("reason").asString()).isEqualTo("DisruptionBudget");
        assertThat(cause.path("message").asString()).isEqualTo("The disruption budget web needs 1 healthy pods and has 1 currently");
        assertThat(gone(ns, "p")).isFalse();
    }

    @Test
    void oneDisruptionLetsExactlyOneOfTwoConcurrentEvictionsThrough() {
        String ns = namespace();
        runningPod(ns, "a");
        runningPod(ns, "b");
        budget(ns, "web", 1, 1, 2);
        CompletableFuture<ApiClient.Response> ea = CompletableFuture.supplyAsync(() -> evict(admin, ns, "a"));
        CompletableFuture<ApiClient.Response> eb = CompletableFuture.supplyAsync(() -> evict(admin, ns, "b"));
        List<Integer> codes = List.of(ea.join().code(), eb.join().code());
        assertThat(codes).as(ea.join().body() + " / " + eb.join().body()).containsExactlyInAnyOrder(201, 429);
        String evicted = ea.join().code() == 201 ? "a" : "b";
        String kept = evicted.equals("a") ? "b" : "a";
        assertThat(gone(ns, evicted)).isTrue();
        assertThat(gone(ns, kept)).isFalse();
        JsonNode status = admin.get(POLICY + "/namespaces/" + ns + "/poddisruptionbudgets/web").json().path("status");
        assertThat(status.path("disruptionsAllowed").asInt()).isZero();
        assertThat(status.path("disruptedPods").has(evicted)).isTrue();
        assertThat(status.path("disruptedPods").has(kept)).isFalse();
        JsonNode condition = status.path("conditions").path(0);
        assertThat(condition.path("type").asString()).isEqualTo("DisruptionAllowed");
        assertThat(condition.path("status").asString()).isEqualTo("False");
        assertThat(condition.path("reason").asString()).isEqualTo("InsufficientPods");
    }

    @Test
    void anUnprocessedBudgetAndTwoBudgetsRefuse() {
        String ns = namespace();
        runningPod(ns, "p");
        ApiClient.Response created = admin.post(POLICY + "/namespaces/" + ns + "/poddisruptionbudgets", """
                {"metadata":{"name":"fresh"},"spec":{"maxUnavailable":1,"selector":{"matchLabels":{"app":"web"}}}}""");
        assertThat(created.code()).as(created.body()).isEqualTo(201);
        ApiClient.Response r = evict(admin, ns, "p");
        assertThat(r.code()).as(r.body()).isEqualTo(429);
        assertThat(r.json().path("details").path("causes").path(0).path("message").asString())
                .isEqualTo("The disruption budget fresh is still being processed by the server.");
        assertThat(r.header("Retry-After")).isEqualTo("10");
        budget(ns, "second", 1, 0, 1);
        ApiClient.Response two = evict(admin, ns, "p");
        assertThat(two.code()).as(two.body()).isEqualTo(500);
        assertThat(two.json().path("message").asString())
                .isEqualTo("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
        assertThat(gone(ns, "p")).isFalse();
    }

    @Test
    void pendingAndTerminalPodsIgnoreTheBudget() {
        String ns = namespace();
        runningPod(ns, "done");
        assertThat(admin.mergePatch("/api/v1/namespaces/" + ns + "/pods/done/status",
                "{\"status\":{\"phase\":\"Succeeded\"}}").code()).isEqualTo(200);
        ApiClient.Response pending = admin.post("/api/v1/namespaces/" + ns + "/pods", """
                {"metadata":{"name":"new","labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}""");
        assertThat(pending.code()).isEqualTo(201);
        assertThat(admin.mergePatch("/api/v1/namespaces/" + ns + "/pods/new/status",
                "{\"status\":{\"phase\":\"Pending\"}}").code()).isEqualTo(200);
        budget(ns, "web", 0, 2, 0);
        assertThat(evict(admin, ns, "done").code()).isEqualTo(201);
        assertThat(evict(admin, ns, "new").code()).isEqualTo(201);
        assertThat(gone(ns, "done")).isTrue();
        assertThat(gone(ns, "new")).isTrue();
    }

    @Test
    void dryRunChecksWithoutWriting() {
        String ns = namespace();
        runningPod(ns, "p");
        budget(ns, "web", 1, 1, 2);
        ApiClient.Response r = admin.post("/api/v1/namespaces/" + ns + "/pods/p/eviction?dryRun=All",
                "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"p\"}}");
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        assertThat(gone(ns, "p")).isFalse();
        JsonNode status = admin.get(POLICY + "/namespaces/" + ns + "/poddisruptionbudgets/web").json().path("status");
        assertThat(status.path("disruptionsAllowed").asInt()).isEqualTo(1);
        assertThat(status.path("disruptedPods").isMissingNode() || status.path("disruptedPods").isEmpty()).isTrue();
    }

    @Test
    void errors() {
        String ns = namespace();
        runningPod(ns, "p");
        ApiClient.Response missing = evict(admin, ns, "nope");
        assertThat(missing.code()).isEqualTo(404);
        assertThat(missing.json().path("message").asString()).isEqualTo("pods \"nope\" not found");
        String path = "/api/v1/namespaces/" + ns + "/pods/p/eviction";
        assertThat(admin.post(path, "{not json").code()).isEqualTo(400);
        assertThat(admin.post(path, "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\"}").code()).isEqualTo(400);
        ApiClient.Response otherName = admin.post(path, "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"q\"}}");
        assertThat(otherName.code()).isEqualTo(400);
        assertThat(otherName.json().path("message").asString()).isEqualTo("name in URL does not match name in Eviction object");
        assertThat(admin.post(path, "{\"kind\":\"Eviction\",\"deleteOptions\":{\"gracePeriodSeconds\":\"x\"}}").code()).isEqualTo(400);
        // policy/v1beta1 is accepted as well
        assertThat(admin.post(path, "{\"apiVersion\":\"policy/v1beta1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"p\"}}")
                .code()).isEqualTo(201);
    }

    @Test
    void evictingNeedsCreateOnPodsEviction() {
        String ns = namespace();
        runningPod(ns, "p");
        TestPki.Credential viewer = pki.clientCert("viewer-" + ns);
        TestPki.Credential editor = pki.clientCert("editor-" + ns);
        bind(ns, "viewer", "view", viewer.name());
        bind(ns, "editor", "edit", editor.name());
        ApiClient v = api.client(viewer);
        await().atMost(Duration.ofSeconds(10)).until(() -> v.get("/api/v1/namespaces/" + ns + "/pods").code() == 200);
        ApiClient.Response denied = evict(v, ns, "p");
        assertThat(denied.code()).as(denied.body()).isEqualTo(403);
        assertThat(denied.json().path("message").asString()).contains("cannot create resource \"pods/eviction\"");
        assertThat(gone(ns, "p")).isFalse();
        ApiClient e = api.client(editor);
        await().atMost(Duration.ofSeconds(10)).until(() -> e.get("/api/v1/namespaces/" + ns + "/pods").code() == 200);
        assertThat(evict(e, ns, "p").code()).isEqualTo(201);
        assertThat(gone(ns, "p")).isTrue();
    }

    static void bind(String ns, String name, String role, String user) {
        ApiClient.Response r = admin.post("/apis/rbac.authorization.k8s.io/v1/namespaces/" + ns + "/rolebindings", """
                {"metadata":{"name":"%s"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"%s"},
                 "subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"%s"}]}""".formatted(name, role, user));
        assertThat(r.code()).as(r.body()).isEqualTo(201);
    }
}
