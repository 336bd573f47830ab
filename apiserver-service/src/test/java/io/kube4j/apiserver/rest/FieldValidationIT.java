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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code fieldValidation=Strict|Warn|Ignore} for unknown and repeated fields in create, update and patch bodies
 * (JSON and YAML), with Kubernetes' messages, and what kubectl shows of them.
 */
class FieldValidationIT {

    private static final String NS = "field-validation-it";
    private static final String DEPLOYMENTS = "/apis/apps/v1/namespaces/" + NS + "/deployments";

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

    private static String deployment(String name) {
        return """
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"%s"},
                 "spec":{"replicas":1,"replicas":2,"selector":{"matchLabels":{"app":"x"}},
                  "template":{"metadata":{"labels":{"app":"x"}},
                   "spec":{"containers":[{"name":"c","image":"nginx","foo":"bar"}]}}}}""".formatted(name);
    }

    private static List<String> warnings(Response r) {
        return r.raw().headers().allValues("Warning");
    }

    @Test
    void strictRefusesWarnWarnsIgnoreIsSilent() {
        Response strict = api.post(DEPLOYMENTS + "?fieldValidation=Strict", deployment("strict"));
        assertThat(strict.code()).as(strict.body()).isEqualTo(400);
        assertThat(strict.json().path("message").asString()).isEqualTo("Deployment in version \"v1\" cannot be handled "
                + "as a Deployment: strict decoding error: duplicate field \"spec.replicas\", "
                + "unknown field \"spec.template.spec.containers[0].foo\"");
        assertThat(api.get(DEPLOYMENTS + "/strict").code()).isEqualTo(404);

        Response warn = api.post(DEPLOYMENTS, deployment("warn"));
        assertThat(warn.code()).as(warn.body()).isEqualTo(201);
        assertThat(warn.json().at("/spec/replicas").asInt()).as("the last value wins").isEqualTo(2);
        assertThat(warnings(warn)).containsExactly("299 - \"duplicate field \\\"spec.replicas\\\"\"",
                "299 - \"unknown field \\\"spec.template.spec.containers[0].foo\\\"\"");

        Response ignore = api.post(DEPLOYMENTS + "?fieldValidation=Ignore", deployment("ignore"));
        assertThat(ignore.code()).as(ignore.body()).isEqualTo(201);
        assertThat(warnings(ignore)).isEmpty();

        Response put = api.put(DEPLOYMENTS + "/warn?fieldValidation=Strict", deployment("warn"));
        assertThat(put.code()).as(put.body()).isEqualTo(400);
    }

    @Test
    void yamlRepeatsAreReportedByLine() {
        String yaml = """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: yaml-dupes
                  name: yaml-dupes
                data:
                  a: "1"
                """;
        String cms = "/api/v1/namespaces/" + NS + "/configmaps";
        Response strict = api.post(cms + "?fieldValidation=Strict", yaml, "application/yaml");
        assertThat(strict.code()).as(strict.body()).isEqualTo(400);
        assertThat(strict.json().path("message").asString()).isEqualTo("ConfigMap in version \"v1\" cannot be handled "
                + "as a ConfigMap: strict decoding error: yaml: unmarshal errors:\n  line 5: key \"name\" already set in map");
        Response warn = api.post(cms, yaml, "application/yaml");
        assertThat(warn.code()).as(warn.body()).isEqualTo(201);
        assertThat(warnings(warn)).containsExactly("299 - \"line 5: key \\\"name\\\" already set in map\"");
    }

    @Test
    void patchesReportRepeatsInThePatchAndUnknownFieldsOfTheResult() {
        assertThat(api.post(DEPLOYMENTS + "?fieldValidation=Ignore", deployment("patched")).code()).isEqualTo(201);
        String patch = "{\"spec\":{\"paused\":true,\"paused\":false,\"foo\":1}}";
        for (String type : List.of("application/merge-patch+json", "application/strategic-merge-patch+json")) {
            Response strict = api.patch(DEPLOYMENTS + "/patched?fieldValidation=Strict", patch, type);
            assertThat(strict.code()).as(strict.body()).isEqualTo(400);
            assertThat(strict.json().path("message").asString()).isEqualTo(
                    "strict decoding error: duplicate field \"spec.paused\", unknown field \"spec.foo\"");
            Response warn = api.patch(DEPLOYMENTS + "/patched", patch, type);
            assertThat(warn.code()).as(warn.body()).isEqualTo(200);
            assertThat(warnings(warn)).containsExactly("299 - \"duplicate field \\\"spec.paused\\\"\"",
                    "299 - \"unknown field \\\"spec.foo\\\"\"");
        }
        Response json = api.patch(DEPLOYMENTS + "/patched?fieldValidation=Strict",
                "[{\"op\":\"add\",\"path\":\"/spec/bar\",\"value\":1}]", "application/json-patch+json");
        assertThat(json.code()).as(json.body()).isEqualTo(400);
        assertThat(json.json().path("message").asString()).isEqualTo("strict decoding error: unknown field \"spec.bar\"");
        assertThat(api.get(DEPLOYMENTS + "/patched").json().at("/spec/paused").asBoolean()).isFalse();
    }

    @Test
    void kubectlApplyReportsUnknownFields() throws IOException {
        Path binary = Requirements.requireBinary("kubectl");
        KubectlRunner kubectl = new KubectlRunner(binary, server.url(), NS, dir, Duration.ofSeconds(60));
        Path file = dir.resolve("typo.yaml");
        Files.writeString(file, """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: typo
                dta:
                  a: "1"
                """);
        KubectlRunner.Result r = kubectl.kubectl("apply", "-f", file.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: "
                + "strict decoding error: unknown field \"dta\"");
        assertThat(api.get("/api/v1/namespaces/" + NS + "/configmaps/typo").code()).isEqualTo(404);
        KubectlRunner.Result warned = kubectl.kubectl("apply", "--validate=warn", "-f", file.toString()).ok();
        assertThat(warned.err()).contains("Warning: unknown field \"dta\"");
    }
}
