package io.kube4j.apiserver.apply;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.KubectlRunner.Result;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Server-side apply against a real kube4j apiserver on etcd, over raw HTTP and with real kubectl (1.31, and the
 * oldest and newest installed besides): create by apply, conflicts between managers, {@code --force-conflicts},
 * removal of fields an applier drops, the move from client-side apply and back, and managedFields as stored.
 */
class ServerSideApplyIT {

    private static final String NS = "ssa";
    private static final String DEPLOYMENTS = "/apis/apps/v1/namespaces/" + NS + "/deployments/";
    private static final String APPLY = "application/apply-patch+yaml";

    @TempDir
    static Path dir;
    private static KubectlRunner kubectl;
    private static ApiClient api;

    @BeforeAll
    static void setUp() throws IOException {
        ApiServerInstance server = ApiServerInstance.shared();
        api = server.client();
        kubectl = KubectlRunner.forNamespace(server, NS, dir, Duration.ofSeconds(60));
    }

    private static String deployment(String name, int replicas, String env) {
        return """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: %s
                spec:
                  replicas: %d
                  selector:
                    matchLabels: {app: %s}
                  template:
                    metadata:
                      labels: {app: %s}
                    spec:
                      containers:
                      - name: web
                        image: nginx:1.27
                %s""".formatted(name, replicas, name, name, env);
    }

    private static Path file(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    private static JsonNode get(String name) {
        ApiClient.Response r = api.get(DEPLOYMENTS + name);
        assertThat(r.code()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private static JsonNode managerEntry(JsonNode obj, String manager, String operation) {
        for (JsonNode e : obj.path("metadata").path("managedFields")) {
            if (e.path("manager").asString().equals(manager) && e.path("operation").asString().equals(operation)) {
                return e;
            }
        }
        return null;
    }

    private static JsonNode env(JsonNode d) {
        return d.path("spec").path("template").path("spec").path("containers").get(0).path("env");
    }

    @Test
    void applyOverHttpCreatesThenNeedsAManagerAndRejectsBadConfigs() {
        String body = deployment("raw", 2, "");
        ApiClient.Response noManager = api.patch(DEPLOYMENTS + "raw", body, APPLY);
        assertThat(noManager.code()).isEqualTo(422);
        assertThat(noManager.json().path("message").asString()).contains("fieldManager: Required value");

        ApiClient.Response created = api.patch(DEPLOYMENTS + "raw?fieldManager=tool", body, APPLY);
        assertThat(created.code()).as(created.body()).isIn(200, 201);
        JsonNode entry = managerEntry(get("raw"), "tool", "Apply");
        assertThat(entry).isNotNull();
        assertThat(entry.path("fieldsV1").path("f:spec").has("f:replicas")).isTrue();
        assertThat(entry.path("apiVersion").asString()).isEqualTo("apps/v1");

        ApiClient.Response conflict = api.patch(DEPLOYMENTS + "raw?fieldManager=other",
                deployment("raw", 4, ""), APPLY);
        assertThat(conflict.code()).isEqualTo(409);
        assertThat(conflict.json().path("reason").asString()).isEqualTo("Conflict");
        assertThat(conflict.json().path("message").asString())
                .isEqualTo("Apply failed with 1 conflict: conflict with \"tool\": .spec.replicas");
        JsonNode cause = conflict.json().path("details").path("causes").get(0);
        assertThat(cause.path("reason").asString()).isEqualTo("FieldManagerConflict");
        assertThat(cause.path("field").asString()).isEqualTo(".spec.replicas");

        assertThat(api.patch(DEPLOYMENTS + "raw?fieldManager=tool", "kind: Deployment\nmetadata: {name: raw}\n", APPLY)
                .code()).isEqualTo(400);
        assertThat(api.patch(DEPLOYMENTS + "raw?fieldManager=tool", "{not yaml: [", APPLY).code()).isEqualTo(400);
        assertThat(api.patch(DEPLOYMENTS + "raw?fieldManager=tool", deployment("other-name", 2, ""), APPLY).code())
                .isEqualTo(400);
        // an apply result is validated like any update
        ApiClient.Response invalid = api.patch(DEPLOYMENTS + "raw?fieldManager=tool", deployment("raw", -1, ""), APPLY);
        assertThat(invalid.code()).isEqualTo(422);
        assertThat(get("raw").path("spec").path("replicas").asInt()).isEqualTo(2);
    }

    @Test
    void everyWriteRecordsItsManager() {
        assertThat(api.post(DEPLOYMENTS.substring(0, DEPLOYMENTS.length() - 1) + "?fieldManager=creator",
                io.kube4j.api.codec.Codecs.json().writeValueAsString(io.kube4j.api.codec.Codecs
                        .readYamlDocuments(deployment("tracked", 1, "")).get(0))).code()).isEqualTo(201);
        JsonNode created = get("tracked");
        assertThat(managerEntry(created, "creator", "Update").path("fieldsV1").path("f:spec").has("f:replicas"))
                .isTrue();
        assertThat(api.patch(DEPLOYMENTS + "tracked?fieldManager=scaler", "{\"spec\":{\"replicas\":3}}",
                "application/merge-patch+json").code()).isEqualTo(200);
        JsonNode scaled = get("tracked");
        assertThat(managerEntry(scaled, "scaler", "Update").path("fieldsV1").toString())
                .isEqualTo("{\"f:spec\":{\"f:replicas\":{}}}");
        assertThat(managerEntry(scaled, "creator", "Update").path("fieldsV1").path("f:spec").has("f:replicas"))
                .isFalse();
        // a no-op patch writes nothing (the resourceVersion stays)
        assertThat(api.patch(DEPLOYMENTS + "tracked?fieldManager=other", "{\"spec\":{\"replicas\":3}}",
                "application/merge-patch+json").json().path("metadata").path("resourceVersion").asString())
                .isEqualTo(scaled.path("metadata").path("resourceVersion").asString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.31", "1.29", "1.33"})
    void kubectlServerSideApplyConflictsForceAndRemoval(String version) throws IOException {
        KubectlRunner k = kubectl.versioned(version);
        String name = "ssa-" + version.replace('.', '-');
        Path v1 = file(name + "-v1.yaml", deployment(name, 2, "        env: [{name: A, value: \"1\"}]\n"));
        assertThat(k.kubectl("apply", "--server-side", "-f", v1.toString()).ok().out())
                .contains("deployment.apps/" + name + " serverside-applied");
        JsonNode created = get(name);
        assertThat(managerEntry(created, "kubectl", "Apply")).isNotNull();
        assertThat(env(created).get(0).path("name").asString()).isEqualTo("A");

        Path scaled = file(name + "-other.yaml", deployment(name, 5, ""));
        Result conflict = k.kubectl("apply", "--server-side", "--field-manager=other", "-f", scaled.toString());
        assertThat(conflict.code()).isNotZero();
        assertThat(conflict.err()).contains("conflict with \"kubectl\"").contains(".spec.replicas");
        assertThat(get(name).path("spec").path("replicas").asInt()).isEqualTo(2);

        k.kubectl("apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", scaled.toString()).ok();
        JsonNode forced = get(name);
        assertThat(forced.path("spec").path("replicas").asInt()).isEqualTo(5);
        assertThat(managerEntry(forced, "other", "Apply").path("fieldsV1").path("f:spec").has("f:replicas")).isTrue();
        assertThat(managerEntry(forced, "kubectl", "Apply").path("fieldsV1").path("f:spec").has("f:replicas"))
                .isFalse();

        // kubectl applies again without its env var (and without replicas): the var goes, replicas stays other's
        Path v2 = file(name + "-v2.yaml", deployment(name, 5, "").replace("  replicas: 5\n", ""));
        k.kubectl("apply", "--server-side", "-f", v2.toString()).ok();
        JsonNode after = get(name);
        assertThat(env(after).isMissingNode() || env(after).isEmpty()).as(after.toString()).isTrue();
        assertThat(after.path("spec").path("replicas").asInt()).isEqualTo(5);

        String yaml = k.kubectl("get", "deployment", name, "-o", "yaml", "--show-managed-fields").ok().out();
        assertThat(yaml).contains("managedFields:").contains("manager: other").contains("operation: Apply")
                .contains("f:replicas: {}").contains("fieldsType: FieldsV1");
        assertThat(k.kubectl("get", "deployment", name, "-o", "yaml").ok().out()).doesNotContain("managedFields");
    }

    @Test
    void kubectlMovesFromClientSideApplyToServerSideAndBack() throws IOException {
        String name = "migrate";
        Path v1 = file("migrate-v1.yaml", deployment(name, 2, "        env: [{name: A, value: \"1\"}]\n"));
        kubectl.kubectl("apply", "-f", v1.toString()).ok();
        assertThat(managerEntry(get(name), "kubectl-client-side-apply", "Update")).isNotNull();

        // server-side apply of a config without the env var: kubectl upgrades the client-side owner first, so
        // the var that only client-side apply set is removed rather than left behind
        Path v2 = file("migrate-v2.yaml", deployment(name, 3, ""));
        kubectl.kubectl("apply", "--server-side", "-f", v2.toString()).ok();
        JsonNode upgraded = get(name);
        assertThat(upgraded.path("spec").path("replicas").asInt()).isEqualTo(3);
        assertThat(managerEntry(upgraded, "kubectl", "Apply")).isNotNull();
        assertThat(env(upgraded).isMissingNode() || env(upgraded).isEmpty()).as(upgraded.toString()).isTrue();

        // and back: client-side apply still works on the server-side applied object
        Path v3 = file("migrate-v3.yaml", deployment(name, 4, "        env: [{name: B, value: \"2\"}]\n"));
        kubectl.kubectl("apply", "-f", v3.toString()).ok();
        JsonNode back = get(name);
        assertThat(back.path("spec").path("replicas").asInt()).isEqualTo(4);
        assertThat(env(back).get(0).path("name").asString()).isEqualTo("B");
    }
}
