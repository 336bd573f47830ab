package io.kube4j.cli.commands.patch;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.cli.testsupport.CliHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code k4j patch} (strategic by default, as kubectl), {@code set image} and {@code get}'s managedFields against a
 * real secure apiserver on etcd.
 */
class PatchCommandIT {

    private static final String NS = "patch-smp";
    private static Path kubeconfig;
    private static ApiClient admin;

    @BeforeAll
    static void start() {
        ApiServerInstance apiserver = ApiServerInstance.secureShared();
        kubeconfig = apiserver.kubeconfig(apiserver.pki().admin());
        admin = apiserver.client(apiserver.pki().admin());
        ApiClient.Response r = admin.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + NS + "\"}}");
        assertThat(r.code()).as(r.body()).isIn(201, 409);
    }

    private static CliHarness.Result k4j(String... args) {
        return CliHarness.shared().run(kubeconfig, args);
    }

    private static void deployment(String name) {
        ApiClient.Response r = admin.post("/apis/apps/v1/namespaces/" + NS + "/deployments", """
                {"metadata":{"name":"%s"},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"%s"}},
                 "template":{"metadata":{"labels":{"app":"%s"}},"spec":{"containers":[
                   {"name":"web","image":"nginx:1.25"},{"name":"side","image":"busybox"}]}}}}"""
                .formatted(name, name, name));
        assertThat(r.code()).as(r.body()).isEqualTo(201);
    }

    private static List<String> containers(String name) {
        List<String> out = new ArrayList<>();
        admin.get("/apis/apps/v1/namespaces/" + NS + "/deployments/" + name).json()
                .at("/spec/template/spec/containers").forEach(c -> out.add(c.path("name").asString() + "="
                        + c.path("image").asString()));
        return out;
    }

    @Test
    void theDefaultTypeIsStrategicSoContainersMergeByName() {
        deployment("smp-default");
        assertThat(k4j("patch", "deployment", "smp-default", "-n", NS, "-p",
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"side\",\"image\":\"busybox:1.36\"}]}}}}")
                .ok().out()).isEqualTo("deployment.apps/smp-default patched\n");
        assertThat(containers("smp-default")).containsExactly("web=nginx:1.25", "side=busybox:1.36");

        assertThat(k4j("patch", "deployment", "smp-default", "-n", NS, "-p",
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"side\",\"$patch\":\"delete\"}]}}}}")
                .ok().out()).isEqualTo("deployment.apps/smp-default patched\n");
        assertThat(containers("smp-default")).containsExactly("web=nginx:1.25");
    }

    @Test
    void clientDryRunAppliesTheStrategicPatchLocallyAndStoresNothing() {
        deployment("smp-dry");
        CliHarness.Result r = k4j("patch", "deployment", "smp-dry", "-n", NS, "--dry-run=client", "-o", "json", "-p",
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.26\"}]}}}}").ok();
        JsonNode printed = io.kube4j.api.codec.Codecs.json().readTree(r.out());
        assertThat(printed.at("/spec/template/spec/containers/0/image").asString()).isEqualTo("nginx:1.26");
        assertThat(printed.at("/spec/template/spec/containers/1/name").asString()).isEqualTo("side");
        assertThat(containers("smp-dry")).containsExactly("web=nginx:1.25", "side=busybox");
    }

    @Test
    void setImageChangesOnlyTheNamedContainer() {
        deployment("smp-set");
        assertThat(k4j("set", "image", "deployment/smp-set", "side=busybox:1.37", "-n", NS).ok().out())
                .isEqualTo("deployment.apps/smp-set image updated\n");
        assertThat(containers("smp-set")).containsExactly("web=nginx:1.25", "side=busybox:1.37");
    }

    @Test
    void getHidesManagedFieldsUnlessAsked() {
        ApiClient.Response r = admin.post("/api/v1/namespaces/" + NS + "/configmaps", """
                {"metadata":{"name":"managed","managedFields":[{"manager":"someone","operation":"Update",
                  "apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:data":{"f:k":{}}}}]},"data":{"k":"v"}}""");
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        assertThat(admin.get("/api/v1/namespaces/" + NS + "/configmaps/managed").json().at("/metadata/managedFields")
                .isArray()).as("the server keeps managedFields").isTrue();

        assertThat(k4j("get", "configmap", "managed", "-n", NS, "-o", "yaml").ok().out()).doesNotContain("managedFields");
        assertThat(k4j("get", "configmaps", "-n", NS, "-o", "json").ok().out()).doesNotContain("managedFields");
        assertThat(k4j("get", "configmap", "managed", "-n", NS, "-o", "yaml", "--show-managed-fields").ok().out())
                .contains("managedFields:");
    }
}
