package io.kube4j.apiserver.rest;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiClient.Response;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The REST API against a real apiserver on a real etcd: lifecycle, validation, defaulting, selectors, errors. */
class ApiServerRestIT {

    private static final String NS = "rest-it";
    private static ApiClient api;

    @BeforeAll
    static void setUp() {
        api = ApiServerInstance.shared().client();
        Response r = api.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + NS + "\"}}");
        assertThat(r.code()).as(r.body()).isIn(201, 409);
    }

    private static String pod(String name, String labels) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"labels\":{" + labels + "}},"
                + "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"busybox:1.36\"}]}}";
    }

    private static String pods() {
        return "/api/v1/namespaces/" + NS + "/pods";
    }

    @Test
    void createSetsLifecycleFieldsAndDefaults() {
        Response r = api.post(pods(), pod("life", "\"app\":\"web\""));
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        JsonNode m = r.json().get("metadata");
        assertThat(m.get("uid").asString()).hasSize(36);
        assertThat(m.get("creationTimestamp").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(m.get("resourceVersion").asLong()).isPositive();
        assertThat(m.get("generation").asLong()).isEqualTo(1);
        assertThat(m.get("namespace").asString()).isEqualTo(NS);
        JsonNode spec = r.json().get("spec");
        assertThat(spec.get("restartPolicy").asString()).isEqualTo("Always");
        assertThat(spec.get("dnsPolicy").asString()).isEqualTo("ClusterFirst");
        assertThat(spec.get("terminationGracePeriodSeconds").asLong()).isEqualTo(30);
        assertThat(spec.get("schedulerName").asString()).isEqualTo("default-scheduler");
        assertThat(spec.at("/containers/0/imagePullPolicy").asString()).isEqualTo("IfNotPresent");
        assertThat(spec.at("/containers/0/terminationMessagePath").asString()).isEqualTo("/dev/termination-log");
        assertThat(r.json().at("/status/phase").asString()).isEqualTo("Pending");

        Response got = api.get(pods() + "/life");
        assertThat(got.code()).isEqualTo(200);
        assertThat(got.json().at("/metadata/resourceVersion").asString()).isEqualTo(m.get("resourceVersion").asString());

        Response again = api.post(pods(), pod("life", ""));
        assertThat(again.code()).isEqualTo(409);
        assertThat(again.json().get("reason").asString()).isEqualTo("AlreadyExists");
    }

    @Test
    void requestLinesLongerThanNettysDefaultAreServed() {
        api.post(pods(), pod("long-selector", "\"tier\":\"v599\""));
        StringBuilder values = new StringBuilder();
        for (int i = 0; i < 900; i++) {
            values.append(i == 0 ? "" : ",").append("v").append(i);
        }
        String path = pods() + "?labelSelector=tier+in+(" + values + ")";
        assertThat(path.length()).isGreaterThan(4096);
        Response r = api.get(path);
        assertThat(r.code()).as(r.body()).isEqualTo(200);
        assertThat(r.json().get("items")).extracting(i -> i.path("metadata").path("name").asString())
                .containsExactly("long-selector");
        assertThat(api.get(pods() + "/" + "n".repeat(5000)).code()).isEqualTo(404);
    }

    @Test
    void generateNameMakesUniqueNames() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            Response r = api.post(pods(), "{\"metadata\":{\"generateName\":\"gen-\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x:1\"}]}}");
            assertThat(r.code()).as(r.body()).isEqualTo(201);
            names.add(r.json().at("/metadata/name").asString());
        }
        assertThat(names).hasSize(5).allMatch(n -> n.matches("gen-[a-z0-9]{5}"));
    }

    @Test
    void updatesUseCompareAndSwapAndBumpGenerationOnlyOnSpecChange() {
        String path = "/apis/apps/v1/namespaces/" + NS + "/deployments";
        String d = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"gen\"},\"spec\":{\"selector\":{\"matchLabels\":{\"a\":\"b\"}},"
                + "\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x:1\"}]}}}}";
        Response created = api.post(path, d);
        assertThat(created.code()).as(created.body()).isEqualTo(201);
        assertThat(created.json().at("/spec/replicas").asInt()).isEqualTo(1);
        assertThat(created.json().at("/spec/strategy/type").asString()).isEqualTo("RollingUpdate");
        assertThat(created.json().at("/spec/revisionHistoryLimit").asInt()).isEqualTo(10);
        assertThat(created.json().at("/spec/progressDeadlineSeconds").asInt()).isEqualTo(600);
        String rv = created.json().at("/metadata/resourceVersion").asString();

        Response labelOnly = api.mergePatch(path + "/gen", "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}");
        assertThat(labelOnly.code()).as(labelOnly.body()).isEqualTo(200);
        assertThat(labelOnly.json().at("/metadata/generation").asLong()).isEqualTo(1);

        Response stale = api.put(path + "/gen", d.replace("\"name\":\"gen\"}", "\"name\":\"gen\",\"resourceVersion\":\"" + rv + "\"}"));
        assertThat(stale.code()).isEqualTo(409);
        assertThat(stale.json().get("reason").asString()).isEqualTo("Conflict");

        Response spec = api.mergePatch(path + "/gen", "{\"spec\":{\"replicas\":3}}");
        assertThat(spec.json().at("/metadata/generation").asLong()).isEqualTo(2);

        Response status = api.mergePatch(path + "/gen", "{\"status\":{\"replicas\":7}}");
        assertThat(status.json().at("/status/replicas").isMissingNode()).as("status ignored on main resource").isTrue();
        Response viaStatus = api.mergePatch(path + "/gen/status", "{\"status\":{\"replicas\":7},\"spec\":{\"replicas\":9}}");
        assertThat(viaStatus.code()).as(viaStatus.body()).isEqualTo(200);
        assertThat(viaStatus.json().at("/status/replicas").asInt()).isEqualTo(7);
        assertThat(viaStatus.json().at("/spec/replicas").asInt()).as("spec ignored on /status").isEqualTo(3);

        Response selector = api.mergePatch(path + "/gen", "{\"spec\":{\"selector\":{\"matchLabels\":{\"a\":\"c\"}},\"template\":{\"metadata\":{\"labels\":{\"a\":\"c\"}}}}}");
        assertThat(selector.code()).isEqualTo(422);
        assertThat(selector.body()).contains("field is immutable");

        Response scale = api.get(path + "/gen/scale");
        assertThat(scale.json().get("kind").asString()).isEqualTo("Scale");
        assertThat(scale.json().at("/spec/replicas").asInt()).isEqualTo(3);
        assertThat(scale.json().at("/status/selector").asString()).isEqualTo("a=b");
        Response scaled = api.mergePatch(path + "/gen/scale", "{\"spec\":{\"replicas\":5}}");
        assertThat(scaled.code()).as(scaled.body()).isEqualTo(200);
        assertThat(api.get(path + "/gen").json().at("/spec/replicas").asInt()).isEqualTo(5);
    }

    @Test
    void jsonPatchAndNoOpUpdates() {
        api.post(pods(), pod("jp", "\"a\":\"1\""));
        Response r = api.patch(pods() + "/jp", "[{\"op\":\"add\",\"path\":\"/metadata/labels/b\",\"value\":\"2\"},"
                + "{\"op\":\"replace\",\"path\":\"/spec/containers/0/image\",\"value\":\"busybox:1.37\"}]", "application/json-patch+json");
        assertThat(r.code()).as(r.body()).isEqualTo(200);
        assertThat(r.json().at("/metadata/labels/b").asString()).isEqualTo("2");
        assertThat(r.json().at("/spec/containers/0/image").asString()).isEqualTo("busybox:1.37");
        Response failed = api.patch(pods() + "/jp", "[{\"op\":\"test\",\"path\":\"/metadata/labels/b\",\"value\":\"3\"}]",
                "application/json-patch+json");
        assertThat(failed.code()).isEqualTo(422);
        Response noop = api.mergePatch(pods() + "/jp", "{\"metadata\":{\"labels\":{\"b\":\"2\"}}}");
        assertThat(noop.json().at("/metadata/resourceVersion").asString())
                .isEqualTo(r.json().at("/metadata/resourceVersion").asString());
        Response immutable = api.mergePatch(pods() + "/jp", "{\"spec\":{\"restartPolicy\":\"Never\"}}");
        assertThat(immutable.code()).isEqualTo(422);
        Response smp = api.patch(pods() + "/jp", "{\"metadata\":{\"labels\":{\"b\":\"2\"}}}", "application/strategic-merge-patch+json");
        assertThat(smp.code()).as(smp.body()).isEqualTo(200);
        assertThat(smp.json().at("/metadata/resourceVersion").asString()).isEqualTo(r.json().at("/metadata/resourceVersion").asString());
        // server-side apply is served (ServerSideApplyIT): it needs a field manager, then a typed configuration
        Response apply = api.patch(pods() + "/jp", "{}", "application/apply-patch+yaml");
        assertThat(apply.code()).isEqualTo(422);
        assertThat(apply.body()).contains("fieldManager: Required value");
        assertThat(api.patch(pods() + "/jp?fieldManager=x", "{}", "application/apply-patch+yaml").code()).isEqualTo(400);
    }

    static Stream<Arguments> badObjects() {
        String ok = "{\"name\":\"c\",\"image\":\"x:1\"}";
        return Stream.of(
                Arguments.of("pods", "{\"metadata\":{\"name\":\"Bad_Name\"},\"spec\":{\"containers\":[" + ok + "]}}", "metadata.name", "FieldValueInvalid"),
                Arguments.of("pods", "{\"metadata\":{},\"spec\":{\"containers\":[" + ok + "]}}", "metadata.name", "FieldValueRequired"),
                Arguments.of("pods", "{\"metadata\":{\"name\":\"a\"},\"spec\":{\"containers\":[{\"name\":\"c\"}]}}", "spec.containers[0].image", "FieldValueRequired"),
                Arguments.of("pods", "{\"metadata\":{\"name\":\"a\"},\"spec\":{\"containers\":[" + ok + "," + ok + "]}}", "spec.containers[1].name", "FieldValueDuplicate"),
                Arguments.of("pods", "{\"metadata\":{\"name\":\"a\"},\"spec\":{\"containers\":[]}}", "spec.containers", "FieldValueRequired"),
                Arguments.of("pods", "{\"metadata\":{\"name\":\"a\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"ports\":[{\"containerPort\":70000}]}]}}", "spec.containers[0].ports[0].containerPort", "FieldValueInvalid"),
                Arguments.of("pods", "{\"metadata\":{\"name\":\"a\",\"labels\":{\"bad key!\":\"v\"}},\"spec\":{\"containers\":[" + ok + "]}}", "metadata.labels", "FieldValueInvalid"),
                Arguments.of("pods", "{\"metadata\":{\"name\":\"a\"},\"spec\":{\"restartPolicy\":\"Sometimes\",\"containers\":[" + ok + "]}}", "spec.restartPolicy", "FieldValueNotSupported"),
                Arguments.of("pods", "{\"metadata\":{\"name\":\"a\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"resources\":{\"requests\":{\"cpu\":\"2\"},\"limits\":{\"cpu\":\"1\"}}}]}}", "spec.containers[0].resources.requests", "FieldValueInvalid"),
                Arguments.of("services", "{\"metadata\":{\"name\":\"s\"},\"spec\":{\"ports\":[{\"port\":0}]}}", "spec.ports[0].port", "FieldValueInvalid"),
                Arguments.of("configmaps", "{\"metadata\":{\"name\":\"c\"},\"data\":{\"bad/key\":\"v\"}}", "data[bad/key]", "FieldValueInvalid"));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("badObjects")
    void invalidObjectsGet422WithFieldCauses(String resource, String body, String field, String reason) {
        Response r = api.post("/api/v1/namespaces/" + NS + "/" + resource, body);
        assertThat(r.code()).as(r.body()).isEqualTo(422);
        assertThat(r.json().get("reason").asString()).isEqualTo("Invalid");
        List<String> causes = new ArrayList<>();
        r.json().at("/details/causes").forEach(c -> causes.add(c.get("field").asString() + " " + c.get("reason").asString()));
        assertThat(causes).anyMatch(c -> c.startsWith(field) && c.endsWith(reason));
    }

    @Test
    void cronJobScheduleIsCheckedWithTheControllersParser() {
        String body = "{\"metadata\":{\"name\":\"cj\"},\"spec\":{\"schedule\":\"60 * * * *\",\"timeZone\":\"Local\","
                + "\"jobTemplate\":{\"spec\":{\"template\":{\"spec\":{\"restartPolicy\":\"Never\","
                + "\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}}}}}";
        Response r = api.post("/apis/batch/v1/namespaces/" + NS + "/cronjobs", body);
        assertThat(r.code()).as(r.body()).isEqualTo(422);
        List<String> causes = new ArrayList<>();
        r.json().at("/details/causes").forEach(c -> causes.add(c.get("message").asString()));
        assertThat(causes).containsExactly(
                "spec.schedule: Invalid value: \"60 * * * *\": end of range (60) above maximum (59): 60",
                "spec.timeZone: Invalid value: \"Local\": unknown time zone Local");
    }

    @Test
    void malformedAndMismatchedRequestsGetClearErrors() {
        assertThat(api.post(pods(), "{not json").code()).isEqualTo(400);
        assertThat(api.post(pods(), "[1,2]").code()).isEqualTo(400);
        assertThat(api.post(pods(), "").code()).isEqualTo(400);
        Response kind = api.post(pods(), "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"x\"}}");
        assertThat(kind.code()).isEqualTo(400);
        Response strict = api.post(pods() + "?fieldValidation=Strict",
                "{\"metadata\":{\"name\":\"strict\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x:1\",\"bogus\":1}]}}");
        assertThat(strict.code()).isEqualTo(400);
        assertThat(strict.body()).contains("unknown field \\\"spec.containers[0].bogus\\\"");
        Response warn = api.post(pods(), "{\"metadata\":{\"name\":\"warned\"},\"spec\":{\"bogus\":1,\"containers\":[{\"name\":\"c\",\"image\":\"x:1\"}]}}");
        assertThat(warn.code()).isEqualTo(201);
        assertThat(warn.header("Warning")).contains("unknown field");
        assertThat(warn.json().at("/spec/bogus").isMissingNode()).isTrue();
        api.post(pods(), pod("named", ""));
        Response mismatch = api.put(pods() + "/named", pod("other", ""));
        assertThat(mismatch.code()).isEqualTo(400);
        Response badType = api.post(pods(), "{\"metadata\":{\"name\":\"t\"},\"spec\":{\"containers\":\"nope\"}}");
        assertThat(badType.code()).isEqualTo(400);
        assertThat(api.get("/api/v1/namespaces/" + NS + "/widgets").code()).isEqualTo(404);
        assertThat(api.get(pods() + "/missing").json().get("reason").asString()).isEqualTo("NotFound");
        Response yaml = api.post(pods(), "apiVersion: v1\nkind: Pod\nmetadata:\n  name: from-yaml\nspec:\n  containers:\n  - name: c\n    image: x:1\n",
                "application/yaml");
        assertThat(yaml.code()).as(yaml.body()).isEqualTo(201);
        Response asYaml = api.send(java.net.http.HttpRequest.newBuilder(api.uri(pods() + "/from-yaml")).GET(), "application/yaml");
        assertThat(asYaml.body()).contains("name: from-yaml");
        assertThat(api.get("/api/v1/namespaces/" + NS + "/pods?labelSelector=a+in+(b").code()).isEqualTo(400);
        assertThat(api.get("/api/v1/pods?fieldSelector=spec.nope%3Dx").code()).isEqualTo(400);
        // dry run: answered as a real write, nothing written or deleted (DryRunIT has the rest)
        Response dry = api.post(pods() + "?dryRun=All", pod("dry", ""));
        assertThat(dry.code()).as(dry.body()).isEqualTo(201);
        assertThat(api.get(pods() + "/dry").code()).isEqualTo(404);
        assertThat(api.delete(pods() + "/named?dryRun=All").code()).isEqualTo(200);
        assertThat(api.get(pods() + "/named").code()).isEqualTo(200);
        assertThat(api.post(pods() + "?dryRun=Some", pod("dry", "")).code()).isEqualTo(400);
    }

    @Test
    void listsFilterBySelectorsAndPaginate() {
        String ns = "rest-list";
        api.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + ns + "\"}}");
        String path = "/api/v1/namespaces/" + ns + "/configmaps";
        for (int i = 0; i < 25; i++) {
            Response r = api.post(path, "{\"metadata\":{\"name\":\"cm-" + String.format("%02d", i) + "\",\"labels\":{\"tier\":\""
                    + (i % 2 == 0 ? "even" : "odd") + "\"}},\"data\":{\"i\":\"" + i + "\"}}");
            assertThat(r.code()).isEqualTo(201);
        }
        assertThat(api.get(path).json().get("items")).hasSize(25);
        assertThat(api.get(path + "?labelSelector=tier%3Deven").json().get("items")).hasSize(13);
        assertThat(api.get(path + "?labelSelector=tier+in+(odd,other)").json().get("items")).hasSize(12);
        assertThat(api.get(path + "?fieldSelector=metadata.name%3Dcm-03").json().get("items")).hasSize(1);
        assertThat(api.get(path + "?fieldSelector=metadata.name!%3Dcm-03").json().get("items")).hasSize(24);
        assertThat(api.get(path + "?resourceVersion=0").json().get("items")).hasSize(25);

        List<String> seen = new ArrayList<>();
        String cont = null;
        int pages = 0;
        do {
            Response page = api.get(path + "?limit=10" + (cont == null ? "" : "&continue=" + cont));
            assertThat(page.code()).as(page.body()).isEqualTo(200);
            page.json().get("items").forEach(i -> seen.add(i.at("/metadata/name").asString()));
            JsonNode c = page.json().at("/metadata/continue");
            cont = c.isMissingNode() || c.asString().isEmpty() ? null : c.asString();
            if (cont != null) {
                assertThat(page.json().at("/metadata/remainingItemCount").asLong()).isEqualTo(25 - seen.size());
                // a write between pages must not show up in this consistent list
                api.post(path, "{\"metadata\":{\"name\":\"late-" + pages + "\"}}");
            }
            pages++;
        } while (cont != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).hasSize(25).doesNotHaveDuplicates().allMatch(n -> n.startsWith("cm-"));
        assertThat(api.get(path + "?limit=5&continue=garbage").code()).isEqualTo(400);

        Response all = api.get("/api/v1/configmaps?labelSelector=tier");
        assertThat(all.json().get("items").size()).isGreaterThanOrEqualTo(25);
        Response deleted = api.delete(path + "?labelSelector=tier%3Dodd");
        assertThat(deleted.code()).as(deleted.body()).isEqualTo(200);
        assertThat(api.get(path + "?labelSelector=tier").json().get("items")).hasSize(13);
    }

    @Test
    void podsBindOnceAndDeleteGracefully() {
        api.post(pods(), pod("bindme", ""));
        String binding = "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"bindme\"},\"target\":{\"kind\":\"Node\",\"name\":\"node-1\"}}";
        Response bound = api.post(pods() + "/bindme/binding", binding);
        assertThat(bound.code()).as(bound.body()).isEqualTo(201);
        JsonNode p = api.get(pods() + "/bindme").json();
        assertThat(p.at("/spec/nodeName").asString()).isEqualTo("node-1");
        assertThat(p.at("/status/conditions/0/type").asString()).isEqualTo("PodScheduled");
        Response again = api.post(pods() + "/bindme/binding", binding.replace("node-1", "node-2"));
        assertThat(again.code()).isEqualTo(409);
        assertThat(api.get("/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1").json().get("items"))
                .anyMatch(i -> i.at("/metadata/name").asString().equals("bindme"));

        Response graceful = api.delete(pods() + "/bindme", "{\"gracePeriodSeconds\":30}");
        assertThat(graceful.code()).isEqualTo(200);
        assertThat(graceful.json().at("/metadata/deletionTimestamp").isMissingNode()).isFalse();
        assertThat(graceful.json().at("/metadata/deletionGracePeriodSeconds").asLong()).isEqualTo(30);
        assertThat(api.get(pods() + "/bindme").code()).as("still there during its grace period").isEqualTo(200);
        Response now = api.delete(pods() + "/bindme", "{\"gracePeriodSeconds\":0}");
        assertThat(now.code()).isEqualTo(200);
        assertThat(api.get(pods() + "/bindme").code()).isEqualTo(404);

        api.post(pods(), pod("unbound", ""));
        assertThat(api.delete(pods() + "/unbound").code()).isEqualTo(200);
        assertThat(api.get(pods() + "/unbound").code()).as("an unbound pod goes at once").isEqualTo(404);
    }

    @Test
    void finalizersHoldDeletionUntilRemoved() {
        String path = "/api/v1/namespaces/" + NS + "/configmaps";
        api.post(path, "{\"metadata\":{\"name\":\"fin\",\"finalizers\":[\"example.com/hold\"]}}");
        Response del = api.delete(path + "/fin");
        assertThat(del.code()).isEqualTo(200);
        assertThat(api.get(path + "/fin").json().at("/metadata/deletionTimestamp").isMissingNode()).isFalse();
        Response cleared = api.mergePatch(path + "/fin", "{\"metadata\":{\"finalizers\":null}}");
        assertThat(cleared.code()).as(cleared.body()).isEqualTo(200);
        assertThat(api.get(path + "/fin").code()).isEqualTo(404);

        api.post(path, "{\"metadata\":{\"name\":\"pre\"}}");
        Response wrongUid = api.delete(path + "/pre", "{\"preconditions\":{\"uid\":\"00000000-0000-0000-0000-000000000000\"}}");
        assertThat(wrongUid.code()).isEqualTo(409);
        assertThat(api.get(path + "/pre").code()).isEqualTo(200);
    }

    @Test
    void namespaceLifecycle() {
        assertThat(api.post("/api/v1/namespaces/no-such-ns/configmaps", "{\"metadata\":{\"name\":\"x\"}}").code()).isEqualTo(404);
        Response created = api.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"doomed\"}}");
        assertThat(created.json().at("/status/phase").asString()).isEqualTo("Active");
        assertThat(created.json().at("/spec/finalizers/0").asString()).isEqualTo("kubernetes");
        Response del = api.delete("/api/v1/namespaces/doomed");
        assertThat(del.code()).isEqualTo(200);
        assertThat(del.json().at("/status/phase").asString()).isEqualTo("Terminating");
        Response refused = api.post("/api/v1/namespaces/doomed/configmaps", "{\"metadata\":{\"name\":\"x\"}}");
        assertThat(refused.code()).isEqualTo(403);
        Response finalize = api.put("/api/v1/namespaces/doomed/finalize",
                "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"doomed\"},\"spec\":{\"finalizers\":[]}}");
        assertThat(finalize.code()).as(finalize.body()).isEqualTo(200);
        assertThat(api.get("/api/v1/namespaces/doomed").code()).isEqualTo(404);
        for (String system : List.of("default", "kube-system", "kube-public")) {
            assertThat(api.get("/api/v1/namespaces/" + system).code()).isEqualTo(200);
            assertThat(api.delete("/api/v1/namespaces/" + system).code()).isEqualTo(403);
        }
    }

    @Test
    void discoveryVersionAndHealth() {
        JsonNode v = api.get("/version").json();
        assertThat(v.get("major").asString()).isEqualTo("1");
        assertThat(Integer.parseInt(v.get("minor").asString())).isGreaterThanOrEqualTo(29);
        assertThat(api.get("/api").json().get("versions").get(0).asString()).isEqualTo("v1");
        List<String> groups = new ArrayList<>();
        api.get("/apis").json().get("groups").forEach(g -> groups.add(g.get("name").asString()));
        assertThat(groups).contains("apps", "batch", "coordination.k8s.io", "scheduling.k8s.io", "discovery.k8s.io",
                "autoscaling", "rbac.authorization.k8s.io", "policy");
        List<String> core = new ArrayList<>();
        api.get("/api/v1").json().get("resources").forEach(r -> core.add(r.get("name").asString()));
        assertThat(core).contains("pods", "pods/status", "pods/binding", "pods/log", "pods/exec", "pods/attach",
                "pods/portforward", "pods/eviction",
                "nodes", "services", "endpoints", "configmaps", "secrets", "events", "serviceaccounts", "namespaces");
        List<String> apps = new ArrayList<>();
        api.get("/apis/apps/v1").json().get("resources").forEach(r -> apps.add(r.get("name").asString()));
        assertThat(apps).contains("deployments", "deployments/scale", "replicasets/status", "statefulsets", "daemonsets");
        assertThat(api.get("/openapi/v3").json().at("/paths/apis~1apps~1v1/serverRelativeURL").asString())
                .startsWith("/openapi/v3/apis/apps/v1?hash=");
        assertThat(api.get("/openapi/v3/apis/apps/v1").code()).isEqualTo(200);
        assertThat(api.get("/healthz").body()).isEqualTo("ok");
        assertThat(api.get("/livez").code()).isEqualTo(200);
        assertThat(api.get("/readyz").code()).isEqualTo(200);
        assertThat(api.get("/api/v1/namespaces/" + NS + "/pods/x/log").code()).isEqualTo(404);
        String metrics = api.get("/actuator/prometheus").body();
        assertThat(metrics).contains("apiserver_request_total", "apiserver_request_duration_seconds_bucket",
                "apiserver_registered_watchers", "etcd_request_duration_seconds");
    }

    @Test
    void podStreamsNeedANodeAndAWebSocket() {
        assertThat(api.post("/api/v1/namespaces/" + NS + "/pods", "{\"metadata\":{\"name\":\"unbound\"},"
                + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}").code()).isEqualTo(201);
        Response log = api.get("/api/v1/namespaces/" + NS + "/pods/unbound/log");
        assertThat(log.code()).isEqualTo(400);
        assertThat(log.json().get("message").asString()).isEqualTo("pod unbound does not have a host assigned");
        Response exec = api.get("/api/v1/namespaces/" + NS + "/pods/unbound/exec?command=ls&stdout=true");
        assertThat(exec.code()).isEqualTo(400);
        assertThat(exec.json().get("message").asString()).contains("Upgrade request required").contains("WebSocket");
        assertThat(api.post("/api/v1/namespaces/" + NS + "/pods/unbound/portforward", "").code()).isEqualTo(400);
        assertThat(api.get("/api/v1/namespaces/" + NS + "/pods/unbound/log?tailLines=x").code()).isEqualTo(400);

        // bound to a node whose agent does not answer: 502, not 500
        assertThat(api.post("/api/v1/nodes", "{\"metadata\":{\"name\":\"streams-nowhere\"}}").code()).isEqualTo(201);
        Response node = api.get("/api/v1/nodes/streams-nowhere");
        assertThat(api.put("/api/v1/nodes/streams-nowhere/status", "{\"apiVersion\":\"v1\",\"kind\":\"Node\","
                + "\"metadata\":{\"name\":\"streams-nowhere\",\"resourceVersion\":\""
                + node.json().at("/metadata/resourceVersion").asString() + "\"},\"status\":{\"addresses\":"
                + "[{\"type\":\"InternalIP\",\"address\":\"127.0.0.1\"}],\"daemonEndpoints\":{\"kubeletEndpoint\":"
                + "{\"Port\":1}}}}").code()).isEqualTo(200);
        assertThat(api.post("/api/v1/namespaces/" + NS + "/pods", "{\"metadata\":{\"name\":\"bound\"},"
                + "\"spec\":{\"nodeName\":\"streams-nowhere\",\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}")
                .code()).isEqualTo(201);
        Response unreachable = api.get("/api/v1/namespaces/" + NS + "/pods/bound/log");
        assertThat(unreachable.code()).isEqualTo(502);
        assertThat(unreachable.json().get("message").asString()).contains("cannot reach the node agent of node streams-nowhere");
        api.delete("/api/v1/nodes/streams-nowhere");
    }

    @Test
    void eventsAndClusterScopedResources() {
        Response ev = api.post("/api/v1/namespaces/" + NS + "/events", "{\"metadata\":{\"name\":\"e1\"},\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"life\",\"namespace\":\""
                + NS + "\"},\"reason\":\"Test\",\"message\":\"hello\",\"type\":\"Normal\"}");
        assertThat(ev.code()).as(ev.body()).isEqualTo(201);
        assertThat(api.get("/api/v1/namespaces/" + NS + "/events?fieldSelector=involvedObject.name%3Dlife,reason%3DTest")
                .json().get("items")).hasSize(1);
        Response pc = api.post("/apis/scheduling.k8s.io/v1/priorityclasses", "{\"metadata\":{\"name\":\"high-rest-it\"},\"value\":1000}");
        assertThat(pc.code()).as(pc.body()).isEqualTo(201);
        assertThat(pc.json().at("/metadata/namespace").isMissingNode()).isTrue();
        Response node = api.post("/api/v1/nodes", "{\"metadata\":{\"name\":\"rest-node\"},\"status\":{\"capacity\":{\"cpu\":\"2\"}}}");
        assertThat(node.code()).as(node.body()).isEqualTo(201);
        assertThat(node.json().at("/status/capacity/cpu").asString()).as("nodes keep status on create").isEqualTo("2");
        assertThat(api.get("/api/v1/namespaces/" + NS + "/nodes/rest-node").code()).isEqualTo(404);
    }
}
