package io.kube4j.apiserver.rest;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiClient.Response;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.ConfigMapWriter;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code dryRun=All} over real etcd: every write verb answers what a real write would, after admission and
 * validation, and leaves the stored objects, Service address and port allocations and quota usage as they were.
 */
class DryRunIT {

    private static final String NS = "dry-run-it";
    private static final String CMS = "/api/v1/namespaces/" + NS + "/configmaps";

    @TempDir
    static Path dir;
    private static ApiServerInstance server;
    private static ApiClient api;

    @BeforeAll
    static void setUp() {
        server = ApiServerInstance.shared();
        api = server.client();
        ConfigMapWriter.createNamespace(api, NS);
    }

    private static JsonNode created(String path, String body) {
        Response r = api.post(path, body);
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    private static String rv(String path) {
        Response r = api.get(path);
        assertThat(r.code()).as(r.body()).isEqualTo(200);
        return r.json().at("/metadata/resourceVersion").asString();
    }

    @Test
    void createUpdatePatchAndDeleteStoreNothing() {
        Response dry = api.post(CMS + "?dryRun=All", "{\"metadata\":{\"name\":\"ghost\"},\"data\":{\"a\":\"1\"}}");
        assertThat(dry.code()).as(dry.body()).isEqualTo(201);
        assertThat(dry.json().at("/metadata/uid").asString()).isNotEmpty();
        assertThat(dry.json().at("/metadata/creationTimestamp").asString()).isNotEmpty();
        assertThat(dry.json().at("/metadata/resourceVersion").isMissingNode()).as(dry.body()).isTrue();
        assertThat(api.get(CMS + "/ghost").code()).isEqualTo(404);
        Response generated = api.post(CMS + "?dryRun=All", "{\"metadata\":{\"generateName\":\"gen-\"}}");
        assertThat(generated.json().at("/metadata/name").asString()).startsWith("gen-").hasSize(9);
        Response invalid = api.post(CMS + "?dryRun=All", "{\"metadata\":{\"name\":\"Not_Valid\"}}");
        assertThat(invalid.code()).as("validation runs").isEqualTo(422);

        created(CMS, "{\"metadata\":{\"name\":\"real\",\"labels\":{\"dry\":\"x\"}},\"data\":{\"a\":\"1\"}}");
        String before = rv(CMS + "/real");
        Response taken = api.post(CMS + "?dryRun=All", "{\"metadata\":{\"name\":\"real\"}}");
        assertThat(taken.code()).as(taken.body()).isEqualTo(409);

        Response put = api.put(CMS + "/real?dryRun=All", "{\"metadata\":{\"name\":\"real\"},\"data\":{\"a\":\"2\"}}");
        assertThat(put.code()).as(put.body()).isEqualTo(200);
        assertThat(put.json().at("/data/a").asString()).isEqualTo("2");
        assertThat(put.json().at("/metadata/resourceVersion").asString()).isEqualTo(before);
        Response stale = api.put(CMS + "/real?dryRun=All",
                "{\"metadata\":{\"name\":\"real\",\"resourceVersion\":\"1\"},\"data\":{\"a\":\"2\"}}");
        assertThat(stale.code()).as("conflicts are checked").isEqualTo(409);

        Response merge = api.mergePatch(CMS + "/real?dryRun=All", "{\"data\":{\"b\":\"3\"}}");
        assertThat(merge.code()).as(merge.body()).isEqualTo(200);
        assertThat(merge.json().at("/data/b").asString()).isEqualTo("3");
        Response json = api.patch(CMS + "/real?dryRun=All", "[{\"op\":\"remove\",\"path\":\"/data/a\"}]",
                "application/json-patch+json");
        assertThat(json.code()).as(json.body()).isEqualTo(200);
        assertThat(json.json().at("/data").has("a")).isFalse();
        Response strategic = api.patch(CMS + "/real?dryRun=All", "{\"data\":{\"c\":\"4\"}}",
                "application/strategic-merge-patch+json");
        assertThat(strategic.code()).as(strategic.body()).isEqualTo(200);

        Response delete = api.delete(CMS + "/real?dryRun=All");
        assertThat(delete.code()).as(delete.body()).isEqualTo(200);
        Response deleteBody = api.delete(CMS + "/real", "{\"dryRun\":[\"All\"]}");
        assertThat(deleteBody.code()).as(deleteBody.body()).isEqualTo(200);
        Response badDry = api.delete(CMS + "/real", "{\"dryRun\":[\"Some\"]}");
        assertThat(badDry.code()).as(badDry.body()).isEqualTo(400);
        Response collection = api.delete(CMS + "?labelSelector=dry%3Dx&dryRun=All");
        assertThat(collection.code()).as(collection.body()).isEqualTo(200);
        assertThat(collection.json().path("items")).hasSize(1);

        JsonNode still = api.get(CMS + "/real").json();
        assertThat(still.at("/metadata/resourceVersion").asString()).isEqualTo(before);
        assertThat(still.at("/data").toString()).isEqualTo("{\"a\":\"1\"}");
    }

    @Test
    void gracefulPodDeleteAndFinalizersAreOnlyShown() {
        String pods = "/api/v1/namespaces/" + NS + "/pods";
        created(pods, "{\"metadata\":{\"name\":\"bound\",\"finalizers\":[\"example.com/keep\"]},"
                + "\"spec\":{\"nodeName\":\"n1\",\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}");
        String before = rv(pods + "/bound");
        Response dry = api.delete(pods + "/bound?dryRun=All");
        assertThat(dry.code()).as(dry.body()).isEqualTo(200);
        assertThat(dry.json().at("/metadata/deletionTimestamp").asString()).isNotEmpty();
        JsonNode stored = api.get(pods + "/bound").json();
        assertThat(stored.at("/metadata/resourceVersion").asString()).isEqualTo(before);
        assertThat(stored.at("/metadata").has("deletionTimestamp")).isFalse();

        Response status = api.mergePatch(pods + "/bound/status?dryRun=All", "{\"status\":{\"phase\":\"Running\"}}");
        assertThat(status.code()).as(status.body()).isEqualTo(200);
        assertThat(status.json().at("/status/phase").asString()).isEqualTo("Running");
        assertThat(api.get(pods + "/bound").json().at("/status/phase").asString()).isEqualTo("Pending");
        // clean up for real: finalizer off, then a forced delete
        assertThat(api.mergePatch(pods + "/bound", "{\"metadata\":{\"finalizers\":null}}").code()).isEqualTo(200);
        assertThat(api.delete(pods + "/bound?gracePeriodSeconds=0").code()).isEqualTo(200);
    }

    @Test
    void scaleSubresourceDryRunLeavesReplicas() {
        String deployments = "/apis/apps/v1/namespaces/" + NS + "/deployments";
        created(deployments, """
                {"metadata":{"name":"web"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
                 "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}""");
        String before = rv(deployments + "/web");
        Response scaled = api.mergePatch(deployments + "/web/scale?dryRun=All", "{\"spec\":{\"replicas\":5}}");
        assertThat(scaled.code()).as(scaled.body()).isEqualTo(200);
        assertThat(scaled.json().at("/spec/replicas").asInt()).isEqualTo(5);
        JsonNode stored = api.get(deployments + "/web").json();
        assertThat(stored.at("/spec/replicas").asInt()).isEqualTo(2);
        assertThat(stored.at("/metadata/resourceVersion").asString()).isEqualTo(before);
    }

    @Test
    void serviceDryRunShowsAnAddressAndPortButClaimsNeither() {
        String services = "/api/v1/namespaces/" + NS + "/services";
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        String ip = "10.10" + rnd.nextInt(0, 8) + "." + rnd.nextInt(1, 255) + "." + rnd.nextInt(1, 255);
        int port = rnd.nextInt(30000, 32768);
        String body = """
                {"metadata":{"name":"%s"},"spec":{"type":"NodePort","clusterIP":"%s",
                 "ports":[{"port":80,"nodePort":%d}]}}""";
        Response dry = api.post(services + "?dryRun=All", body.formatted("fixed", ip, port));
        assertThat(dry.code()).as(dry.body()).isEqualTo(201);
        assertThat(dry.json().at("/spec/clusterIP").asString()).isEqualTo(ip);
        assertThat(dry.json().at("/spec/ports/0/nodePort").asInt()).isEqualTo(port);
        assertThat(api.get(services + "/fixed").code()).isEqualTo(404);
        // the same address and port are still free for a real create, under another name
        JsonNode real = created(services, body.formatted("owner", ip, port));
        assertThat(real.at("/spec/clusterIP").asString()).isEqualTo(ip);
        // and now taken: the dry run reports it as a real create would
        Response taken = api.post(services + "?dryRun=All", body.formatted("fixed", ip, port));
        assertThat(taken.code()).as(taken.body()).isEqualTo(422);
        assertThat(taken.json().path("message").asString()).contains("provided IP is already allocated");

        Response auto = api.post(services + "?dryRun=All",
                "{\"metadata\":{\"name\":\"auto\"},\"spec\":{\"type\":\"NodePort\",\"ports\":[{\"port\":80}]}}");
        assertThat(auto.code()).as(auto.body()).isEqualTo(201);
        String shown = auto.json().at("/spec/clusterIP").asString();
        assertThat(shown).startsWith("10.");
        int shownPort = auto.json().at("/spec/ports/0/nodePort").asInt();
        assertThat(shownPort).isBetween(30000, 32767);
        // nothing was claimed: the address and port a dry run showed can be requested for real
        JsonNode claimed = created(services, body.formatted("claims-shown", shown, shownPort));
        assertThat(claimed.at("/spec/clusterIP").asString()).isEqualTo(shown);
        assertThat(claimed.at("/spec/ports/0/nodePort").asInt()).isEqualTo(shownPort);
        assertThat(api.delete(services + "/owner").code()).isEqualTo(200);
        assertThat(api.delete(services + "/claims-shown").code()).isEqualTo(200);
    }

    @Test
    void dryRunPodsDoNotChargeTheQuota() {
        String ns = NS + "-quota";
        ConfigMapWriter.createNamespace(api, ns);
        created("/api/v1/namespaces/" + ns + "/resourcequotas", "{\"metadata\":{\"name\":\"q\"},\"spec\":{\"hard\":{\"pods\":\"1\"}}}");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                api.get("/api/v1/namespaces/" + ns + "/resourcequotas?resourceVersion=0").json().get("items").size() == 1);
        String pod = "{\"metadata\":{\"name\":\"%s\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}";
        String pods = "/api/v1/namespaces/" + ns + "/pods";
        for (int i = 0; i < 3; i++) {
            Response dry = api.post(pods + "?dryRun=All", pod.formatted("dry-" + i));
            assertThat(dry.code()).as(dry.body()).isEqualTo(201);
        }
        JsonNode used = api.get("/api/v1/namespaces/" + ns + "/resourcequotas/q").json().at("/status/used/pods");
        assertThat(used.isMissingNode() || used.asString().equals("0")).as(used.toString()).isTrue();
        created(pods, pod.formatted("real"));
        assertThat(api.get("/api/v1/namespaces/" + ns + "/resourcequotas/q").json().at("/status/used/pods").asString())
                .isEqualTo("1");
        Response over = api.post(pods + "?dryRun=All", pod.formatted("over"));
        assertThat(over.code()).as("a dry run is refused as the real create would be").isEqualTo(403);
    }

    @Test
    void kubectlServerDryRun() throws IOException {
        Path binary = Requirements.requireBinary("kubectl");
        KubectlRunner kubectl = new KubectlRunner(binary, server.url(), NS, dir, Duration.ofSeconds(60));
        Path file = dir.resolve("cm.yaml");
        Files.writeString(file, """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: kubectl-dry
                data:
                  k: one
                """);
        assertThat(kubectl.kubectl("apply", "--dry-run=server", "-f", file.toString()).ok().out())
                .contains("configmap/kubectl-dry created (server dry run)");
        assertThat(api.get(CMS + "/kubectl-dry").code()).isEqualTo(404);
        kubectl.kubectl("apply", "-f", file.toString()).ok();
        String before = rv(CMS + "/kubectl-dry");
        Files.writeString(file, Files.readString(file).replace("k: one", "k: two"));
        assertThat(kubectl.kubectl("apply", "--dry-run=server", "-f", file.toString()).ok().out())
                .contains("configmap/kubectl-dry configured (server dry run)");
        assertThat(kubectl.kubectl("delete", "--dry-run=server", "configmap", "kubectl-dry").ok().out())
                .contains("configmap \"kubectl-dry\" deleted (server dry run)");
        JsonNode stored = api.get(CMS + "/kubectl-dry").json();
        assertThat(stored.at("/data/k").asString()).isEqualTo("one");
        assertThat(stored.at("/metadata/resourceVersion").asString()).isEqualTo(before);
    }
}
