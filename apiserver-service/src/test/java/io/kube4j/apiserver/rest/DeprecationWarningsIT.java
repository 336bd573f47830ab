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

import static org.assertj.core.api.Assertions.assertThat;

/** Kubernetes' pod spec deprecation warnings as {@code Warning} headers, and as kubectl prints them. */
class DeprecationWarningsIT {

    private static final String NS = "deprecation-warnings-it";
    private static final String OS_WARNING = "spec.template.spec.nodeSelector[beta.kubernetes.io/os]: deprecated since "
            + "v1.14; use \"kubernetes.io/os\" instead";

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

    @Test
    void kubectlApplyPrintsTheWarningOnCreateAndOnASpecChangeOnly() throws IOException {
        Path binary = Requirements.requireBinary("kubectl");
        KubectlRunner kubectl = new KubectlRunner(binary, server.url(), NS, dir, Duration.ofSeconds(60));
        Path file = dir.resolve("deploy.yaml");
        Files.writeString(file, """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: old-labels
                spec:
                  selector: {matchLabels: {app: old}}
                  template:
                    metadata: {labels: {app: old}}
                    spec:
                      nodeSelector: {beta.kubernetes.io/os: linux}
                      containers:
                      - name: c
                        image: nginx:1.27
                """);
        KubectlRunner.Result created = kubectl.kubectl("apply", "-f", file.toString()).ok();
        assertThat(created.err()).contains("Warning: " + OS_WARNING);
        assertThat(api.get("/apis/apps/v1/namespaces/" + NS + "/deployments/old-labels").code()).isEqualTo(200);

        KubectlRunner.Result labelled = kubectl.kubectl("label", "deployment", "old-labels", "x=y").ok();
        assertThat(labelled.err()).as("metadata-only changes do not warn").doesNotContain("Warning:");
        Files.writeString(file, Files.readString(file).replace("nginx:1.27", "nginx:1.28"));
        assertThat(kubectl.kubectl("apply", "-f", file.toString()).ok().err()).contains("Warning: " + OS_WARNING);
    }

    @Test
    void podCreateWarnsAndDryRunToo() {
        String pod = """
                {"metadata":{"name":"%s"},"spec":{"nodeSelector":{"failure-domain.beta.kubernetes.io/zone":"a"},
                 "containers":[{"name":"c","image":"busybox","env":[{"name":"A","value":"1"},{"name":"A","value":"2"}]}]}}""";
        for (String query : new String[] {"?dryRun=All", ""}) {
            Response r = api.post("/api/v1/namespaces/" + NS + "/pods" + query, pod.formatted("warned"));
            assertThat(r.code()).as(r.body()).isEqualTo(201);
            assertThat(r.raw().headers().allValues("Warning")).containsExactly(
                    "299 - \"spec.nodeSelector[failure-domain.beta.kubernetes.io/zone]: deprecated since v1.17; use "
                            + "\\\"topology.kubernetes.io/zone\\\" instead\"",
                    "299 - \"spec.containers[0].env[1]: hides previous definition of \\\"A\\\", which may be dropped when using apply\"");
        }
    }

    @Test
    void serviceWritesWarnAboutIgnoredFields() {
        Response r = api.post("/api/v1/namespaces/" + NS + "/services", """
                {"metadata":{"name":"named"},"spec":{"externalName":"example.com","ports":[{"port":80}]}}""");
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        assertThat(r.raw().headers().allValues("Warning"))
                .containsExactly("299 - \"spec.externalName is ignored when spec.type is not \\\"ExternalName\\\"\"");
        Response relabel = api.mergePatch("/api/v1/namespaces/" + NS + "/services/named", "{\"metadata\":{\"labels\":{\"a\":\"b\"}}}");
        assertThat(relabel.raw().headers().allValues("Warning")).as("on every write").hasSize(1);
    }
}
