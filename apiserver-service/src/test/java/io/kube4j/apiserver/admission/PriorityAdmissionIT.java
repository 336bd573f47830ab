package io.kube4j.apiserver.admission;

import io.kube4j.apiserver.config.BootstrapPriorityClasses;
import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiClient.Response;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.EtcdServer;
import io.kube4j.apiserver.testsupport.Requirements;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Pod priority through real apiservers on a real etcd: the built-in classes bootstrapped by two replicas, pods
 * resolved by class, global default and refusals, PriorityClass validation, and the real kubectl. The global
 * default class a test makes lives only within that test (other test classes run after it, not beside it).
 */
class PriorityAdmissionIT {

    private static final String PCS = "/apis/scheduling.k8s.io/v1/priorityclasses";
    private static final Duration BOUND = Duration.ofSeconds(20);
    private static final String NS = "prio-it-" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);

    private static ApiServerInstance a;
    private static ApiServerInstance b;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        // a second replica on the same etcd bootstraps the classes again as it starts: it must start cleanly
        a = ApiServerInstance.shared();
        b = ApiServerInstance.start(EtcdServer.shared().endpoint());
        api = a.client();
        await().atMost(BOUND).until(() -> builtinNames(api.get(PCS).json()).size() == BUILTIN.size());
        Response ns = api.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + NS + "\"}}");
        assertThat(ns.code()).as(ns.body()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        if (api != null) {
            api.delete("/api/v1/namespaces/" + NS);
        }
    }

    private static final List<String> BUILTIN = List.of("system-node-critical", "system-cluster-critical", "prod", "batch");

    private static List<String> builtinNames(JsonNode list) {
        List<String> names = new ArrayList<>();
        for (JsonNode pc : list.get("items")) {
            String name = pc.at("/metadata/name").asString();
            if (BUILTIN.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    private static String pod(String name, String specExtra) {
        return "{\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{" + specExtra
                + (specExtra.isEmpty() ? "" : ",") + "\"containers\":[{\"name\":\"c\",\"image\":\"busybox:1.36\"}]}}";
    }

    private static Response createPod(String name, String specExtra) {
        return api.post("/api/v1/namespaces/" + NS + "/pods", pod(name, specExtra));
    }

    private static void assertForbidden(Response r, String message) {
        assertThat(r.code()).as(r.body()).isEqualTo(403);
        assertThat(r.json().get("reason").asString()).isEqualTo("Forbidden");
        assertThat(r.json().get("message").asString()).isEqualTo(message);
    }

    private static void assertInvalid(Response r, String message) {
        assertThat(r.code()).as(r.body()).isEqualTo(422);
        assertThat(r.json().get("reason").asString()).isEqualTo("Invalid");
        assertThat(r.json().get("message").asString()).endsWith(message);
    }

    /** Waits until the apiserver's watch cache has the class (a resourceVersion=0 read is served from it). */
    private static void awaitCached(ApiServerInstance server, String name, boolean present) {
        ApiClient c = server.client();
        await().atMost(BOUND).until(() -> (c.get(PCS + "/" + name + "?resourceVersion=0").code() == 200) == present);
    }

    @Test
    void builtinClassesExistOnceWithKubernetesAndBorgValues() {
        JsonNode list = api.get(PCS).json();
        assertThat(builtinNames(list)).containsExactlyInAnyOrderElementsOf(BUILTIN);
        for (JsonNode pc : list.get("items")) {
            if (!BUILTIN.contains(pc.at("/metadata/name").asString())) {
                continue;
            }
            String name = pc.at("/metadata/name").asString();
            int value = pc.get("value").asInt();
            switch (name) {
                case "system-node-critical" -> assertThat(value).isEqualTo(2_000_001_000);
                case "system-cluster-critical" -> assertThat(value).isEqualTo(2_000_000_000);
                case "prod" -> assertThat(value).isEqualTo(1_000_000);
                case "batch" -> assertThat(value).isEqualTo(1000);
                default -> throw new AssertionError("unexpected class " + name);
            }
            assertThat(pc.get("preemptionPolicy").asString()).isEqualTo("PreemptLowerPriority");
            assertThat(pc.path("globalDefault").asBoolean(false)).isFalse();
        }
        assertThat(api.get(PCS + "/system-node-critical").json().get("description").asString())
                .isEqualTo("Used for system critical pods that must not be moved from their current node.");
        assertThat(api.get(PCS + "/prod").json().get("description").asString())
                .isEqualTo("long-running, latency-sensitive services; Borg's production band");
    }

    @Test
    void bootstrapIsIdempotentConcurrentAndKeepsEdits() {
        Response edit = api.mergePatch(PCS + "/batch", "{\"description\":\"our own words\"}");
        assertThat(edit.code()).as(edit.body()).isEqualTo(200);
        Response edited = api.mergePatch(PCS + "/system-cluster-critical", "{\"description\":\"edited too\"}");
        assertThat(edited.code()).as(edited.body()).isEqualTo(200);
        String prodUid = api.get(PCS + "/prod").json().at("/metadata/uid").asString();
        assertThat(api.delete(PCS + "/prod").code()).isEqualTo(200);
        awaitCached(a, "prod", false);

        // both replicas run the bootstrap at the same time, several times over
        Flux.merge(a.bean(BootstrapPriorityClasses.class).ensure(), b.bean(BootstrapPriorityClasses.class).ensure(),
                        a.bean(BootstrapPriorityClasses.class).ensure(), b.bean(BootstrapPriorityClasses.class).ensure())
                .then().block(BOUND);

        assertThat(builtinNames(api.get(PCS).json())).containsExactlyInAnyOrderElementsOf(BUILTIN);
        JsonNode prod = api.get(PCS + "/prod").json();
        assertThat(prod.get("value").asInt()).isEqualTo(1_000_000);
        assertThat(prod.at("/metadata/uid").asString()).as("recreated once deleted").isNotEqualTo(prodUid);
        assertThat(api.get(PCS + "/batch").json().get("description").asString()).isEqualTo("our own words");
        assertThat(api.get(PCS + "/system-cluster-critical").json().get("description").asString()).isEqualTo("edited too");
        awaitCached(a, "prod", true);
        for (var builtin : PriorityClasses.builtin()) {
            api.mergePatch(PCS + "/" + builtin.getMetadata().getName(), "{\"description\":\"" + builtin.getDescription() + "\"}");
        }
    }

    @Test
    void podsGetThePriorityOfTheirClass() {
        Response prod = createPod("prod-pod", "\"priorityClassName\":\"prod\"");
        assertThat(prod.code()).as(prod.body()).isEqualTo(201);
        assertThat(prod.json().at("/spec/priority").asInt()).isEqualTo(1_000_000);
        assertThat(prod.json().at("/spec/preemptionPolicy").asString()).isEqualTo("PreemptLowerPriority");

        Response batch = createPod("batch-pod", "\"priorityClassName\":\"batch\"");
        assertThat(batch.code()).as(batch.body()).isEqualTo(201);
        assertThat(batch.json().at("/spec/priority").asInt()).isEqualTo(1000);

        Response critical = createPod("critical-pod", "\"priorityClassName\":\"system-node-critical\"");
        assertThat(critical.code()).as(critical.body()).isEqualTo(201);
        assertThat(critical.json().at("/spec/priority").asInt()).isEqualTo(2_000_001_000);

        Response same = createPod("same-pod", "\"priorityClassName\":\"batch\",\"priority\":1000,\"preemptionPolicy\":\"PreemptLowerPriority\"");
        assertThat(same.code()).as("the computed values may be given").isEqualTo(201);

        Response stored = api.get("/api/v1/namespaces/" + NS + "/pods/prod-pod");
        assertThat(stored.json().at("/spec/priority").asInt()).isEqualTo(1_000_000);
    }

    @Test
    void aClassCreatedJustBeforeThePodIsFound() {
        Response pc = api.post(PCS, "{\"metadata\":{\"name\":\"fresh-it\"},\"value\":77,\"preemptionPolicy\":\"Never\"}");
        assertThat(pc.code()).as(pc.body()).isEqualTo(201);
        Response pod = createPod("fresh-pod", "\"priorityClassName\":\"fresh-it\"");
        assertThat(pod.code()).as(pod.body()).isEqualTo(201);
        assertThat(pod.json().at("/spec/priority").asInt()).isEqualTo(77);
        assertThat(pod.json().at("/spec/preemptionPolicy").asString()).isEqualTo("Never");
        assertThat(api.delete(PCS + "/fresh-it").code()).isEqualTo(200);
    }

    @Test
    void podsThatAskForOtherPrioritiesAreForbidden() {
        assertForbidden(createPod("unknown-pod", "\"priorityClassName\":\"foo\""),
                "pods \"unknown-pod\" is forbidden: no PriorityClass with name foo was found");
        assertForbidden(createPod("high-pod", "\"priorityClassName\":\"batch\",\"priority\":1000000"),
                "pods \"high-pod\" is forbidden: the integer value of priority (1000000) must not be provided in pod spec;"
                        + " priority admission controller computed 1000 from the given PriorityClass name");
        assertForbidden(createPod("self-made", "\"priority\":5"),
                "pods \"self-made\" is forbidden: the integer value of priority (5) must not be provided in pod spec;"
                        + " priority admission controller computed 0 from the given PriorityClass name");
        assertForbidden(createPod("never-pod", "\"priorityClassName\":\"prod\",\"preemptionPolicy\":\"Never\""),
                "pods \"never-pod\" is forbidden: the string value of PreemptionPolicy (Never) must not be provided in pod spec;"
                        + " priority admission controller computed PreemptLowerPriority from the given PriorityClass name");
        assertThat(api.get("/api/v1/namespaces/" + NS + "/pods/unknown-pod").code()).isEqualTo(404);
    }

    @Test
    void priorityCannotChangeOnUpdate() {
        Response created = createPod("fixed-pod", "\"priorityClassName\":\"batch\"");
        assertThat(created.code()).as(created.body()).isEqualTo(201);
        String path = "/api/v1/namespaces/" + NS + "/pods/fixed-pod";

        // a client that PUTs the object without the resolved fields keeps them
        ObjectNode body = (ObjectNode) api.get(path).json();
        ((ObjectNode) body.get("spec")).remove("priority");
        ((ObjectNode) body.get("spec")).remove("preemptionPolicy");
        ((ObjectNode) body.get("metadata")).putObject("labels").put("touched", "yes");
        Response put = api.put(path, body.toString());
        assertThat(put.code()).as(put.body()).isEqualTo(200);
        assertThat(put.json().at("/spec/priority").asInt()).isEqualTo(1000);
        assertThat(put.json().at("/spec/preemptionPolicy").asString()).isEqualTo("PreemptLowerPriority");

        for (String patch : new String[]{"{\"spec\":{\"priority\":1000000}}", "{\"spec\":{\"priorityClassName\":\"prod\"}}",
                "{\"spec\":{\"preemptionPolicy\":\"Never\"}}"}) {
            Response r = api.mergePatch(path, patch);
            assertThat(r.code()).as(patch + " -> " + r.body()).isEqualTo(422);
            assertThat(r.json().get("message").asString()).contains("spec: Forbidden: pod updates may not change fields");
        }
        assertThat(api.get(path).json().at("/spec/priority").asInt()).isEqualTo(1000);
    }

    @Test
    void globalDefaultClassAppliesToPodsWithoutOne() {
        Response none = createPod("plain-pod", "");
        assertThat(none.code()).as(none.body()).isEqualTo(201);
        assertThat(none.json().at("/spec/priority").asInt()).as("Borg's best-effort band").isZero();
        assertThat(none.json().at("/spec/priorityClassName").isMissingNode()).isTrue();
        assertThat(none.json().at("/spec/preemptionPolicy").asString()).isEqualTo("PreemptLowerPriority");

        Response dflt = api.post(PCS, "{\"metadata\":{\"name\":\"everyone-it\"},\"value\":42,\"globalDefault\":true,"
                + "\"preemptionPolicy\":\"Never\",\"description\":\"default for the test\"}");
        assertThat(dflt.code()).as(dflt.body()).isEqualTo(201);
        try {
            assertForbidden(api.post(PCS, "{\"metadata\":{\"name\":\"second-it\"},\"value\":43,\"globalDefault\":true}"),
                    "priorityclasses.scheduling.k8s.io \"second-it\" is forbidden: PriorityClass everyone-it is already"
                            + " marked as default. Only one default can exist");
            assertForbidden(b.client().mergePatch(PCS + "/batch", "{\"globalDefault\":true}"),
                    "priorityclasses.scheduling.k8s.io \"batch\" is forbidden: PriorityClass everyone-it is already"
                            + " marked as default. Only one default can exist");
            assertThat(api.mergePatch(PCS + "/everyone-it", "{\"description\":\"still the default\"}").code()).isEqualTo(200);

            awaitCached(a, "everyone-it", true);
            Response defaulted = createPod("defaulted-pod", "");
            assertThat(defaulted.code()).as(defaulted.body()).isEqualTo(201);
            assertThat(defaulted.json().at("/spec/priorityClassName").asString()).isEqualTo("everyone-it");
            assertThat(defaulted.json().at("/spec/priority").asInt()).isEqualTo(42);
            assertThat(defaulted.json().at("/spec/preemptionPolicy").asString()).isEqualTo("Never");

            Response named = createPod("named-pod", "\"priorityClassName\":\"prod\"");
            assertThat(named.json().at("/spec/priority").asInt()).as("a named class wins").isEqualTo(1_000_000);
        } finally {
            assertThat(api.delete(PCS + "/everyone-it").code()).isEqualTo(200);
            awaitCached(a, "everyone-it", false);
        }
        Response after = createPod("after-pod", "");
        assertThat(after.json().at("/spec/priority").asInt()).isZero();
    }

    @Test
    void priorityClassesAreValidatedAsKubernetesDoes() {
        assertInvalid(api.post(PCS, "{\"metadata\":{\"name\":\"too-high-it\"},\"value\":1000000001}"),
                "\"too-high-it\" is invalid: value: Forbidden: maximum allowed value of a user defined priority is 1000000000");
        assertThat(api.post(PCS, "{\"metadata\":{\"name\":\"highest-it\"},\"value\":1000000000}").code()).isEqualTo(201);
        Response notInt32 = api.post(PCS, "{\"metadata\":{\"name\":\"huge-it\"},\"value\":3000000000}");
        assertThat(notInt32.code()).as(notInt32.body()).isBetween(400, 422);
        assertInvalid(api.post(PCS, "{\"metadata\":{\"name\":\"system-mine\"},\"value\":10}"),
                "\"system-mine\" is invalid: metadata.name: Forbidden: priority class names with 'system-' prefix are"
                        + " reserved for system use only. error: system-mine is not a known system priority class");
        assertInvalid(api.post(PCS, "{\"metadata\":{\"name\":\"odd-it\"},\"value\":10,\"preemptionPolicy\":\"Sometimes\"}"),
                "preemptionPolicy: Unsupported value: \"Sometimes\": supported values: \"PreemptLowerPriority\", \"Never\"");

        Response created = api.post(PCS, "{\"metadata\":{\"name\":\"mutable-it\"},\"value\":10}");
        assertThat(created.code()).as(created.body()).isEqualTo(201);
        assertThat(created.json().get("preemptionPolicy").asString()).as("defaulted").isEqualTo("PreemptLowerPriority");
        assertInvalid(api.mergePatch(PCS + "/mutable-it", "{\"value\":11}"),
                "value: Forbidden: may not be changed in an update.");
        assertInvalid(api.mergePatch(PCS + "/mutable-it", "{\"preemptionPolicy\":\"Never\"}"),
                "preemptionPolicy: Invalid value: \"Never\": field is immutable");
        ObjectNode noPolicy = (ObjectNode) api.get(PCS + "/mutable-it").json();
        noPolicy.remove("preemptionPolicy");
        noPolicy.put("description", "put without the defaulted field");
        assertThat(api.put(PCS + "/mutable-it", noPolicy.toString()).code()).as("defaulted again, so unchanged").isEqualTo(200);

        assertInvalid(api.mergePatch(PCS + "/system-node-critical", "{\"value\":5}"),
                "value: Forbidden: may not be changed in an update.");
        assertInvalid(api.mergePatch(PCS + "/system-node-critical", "{\"globalDefault\":true}"),
                "globalDefault of system-node-critical PriorityClass must be false");
        for (String system : new String[]{"system-node-critical", "system-cluster-critical"}) {
            assertForbidden(api.delete(PCS + "/" + system), "priorityclasses.scheduling.k8s.io \"" + system
                    + "\" is forbidden: this is a system priority class and cannot be deleted");
        }
        assertThat(api.delete(PCS + "/highest-it").code()).isEqualTo(200);
        assertThat(api.delete(PCS + "/mutable-it").code()).isEqualTo(200);
    }

    @TempDir
    static Path dir;

    /** kubectl's exit code and output (stdout then stderr). */
    private record Kubectl(int code, String out) {
    }

    private static Kubectl kubectl(String... args) throws IOException, InterruptedException {
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{name: kube4j, cluster: {server: %s}}]
                users: [{name: admin, user: {}}]
                contexts: [{name: kube4j, context: {cluster: kube4j, user: admin, namespace: %s}}]
                current-context: kube4j
                """.formatted(a.url(), NS));
        List<String> command = new ArrayList<>(List.of(Requirements.requireBinary("kubectl").toString(),
                "--kubeconfig", kubeconfig.toString(), "--cache-dir", dir.resolve("cache").toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "kubectl-", ".out");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kubectl " + command + " did not finish");
        }
        return new Kubectl(p.exitValue(), Files.readString(out));
    }

    @Test
    void kubectlCreatesAndShowsPriorityClasses() throws Exception {
        Kubectl created = kubectl("create", "priorityclass", "kubectl-it", "--value=500", "--description=from kubectl",
                "--preemption-policy=Never");
        assertThat(created.code()).as(created.out()).isZero();
        Kubectl yaml = kubectl("get", "pc", "kubectl-it", "-o", "yaml");
        assertThat(yaml.code()).as(yaml.out()).isZero();
        assertThat(yaml.out()).contains("value: 500", "preemptionPolicy: Never", "description: from kubectl");
        Kubectl list = kubectl("get", "pc");
        assertThat(list.out()).contains("system-node-critical", "system-cluster-critical", "prod", "batch", "kubectl-it");

        Path podFile = dir.resolve("pod.yaml");
        Files.writeString(podFile, """
                apiVersion: v1
                kind: Pod
                metadata: {name: kubectl-pod}
                spec:
                  priorityClassName: kubectl-it
                  containers: [{name: c, image: busybox:1.36}]
                """);
        assertThat(kubectl("create", "-f", podFile.toString()).code()).isZero();
        Kubectl priority = kubectl("get", "pod", "kubectl-pod", "-o", "jsonpath={.spec.priority} {.spec.preemptionPolicy}");
        assertThat(priority.out()).isEqualTo("500 Never");

        Kubectl refused = kubectl("delete", "pc", "system-node-critical");
        assertThat(refused.code()).isNotZero();
        assertThat(refused.out()).contains("this is a system priority class and cannot be deleted");
        assertThat(kubectl("delete", "pc", "kubectl-it").code()).isZero();
    }
}
