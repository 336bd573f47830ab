package io.kube4j.apiserver.openapi;

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
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OpenAPI documents over HTTP ({@code /openapi/v2}, {@code /openapi/v3} and a group-version document with its
 * ETag) and what real kubectl does with them: {@code kubectl explain} (1.31, which the server's version selects,
 * 1.29 and 1.33) prints Kubernetes' types and descriptions, and {@code kubectl apply --validate=strict} rejects a
 * manifest with an unknown field, naming it.
 */
class OpenApiKubectlIT {

    private static final String NS = "openapi-kubectl";

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

    @Test
    void v3IndexAndGroupVersionDocumentWithRealSchemas() {
        ApiClient.Response index = api.get("/openapi/v3");
        assertThat(index.code()).isEqualTo(200);
        String url = index.json().path("paths").path("apis/apps/v1").path("serverRelativeURL").asString();
        assertThat(url).startsWith("/openapi/v3/apis/apps/v1?hash=");

        ApiClient.Response doc = api.get(url);
        assertThat(doc.code()).isEqualTo(200);
        assertThat(doc.header("Cache-Control")).isEqualTo("public, immutable");
        JsonNode schemas = doc.json().path("components").path("schemas");
        JsonNode strategy = schemas.path("io.k8s.api.apps.v1.DeploymentSpec").path("properties").path("strategy");
        assertThat(strategy.path("x-kubernetes-patch-strategy").asString()).isEqualTo("retainKeys");
        assertThat(strategy.path("allOf").path(0).path("$ref").asString())
                .isEqualTo("#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy");
        assertThat(schemas.path("io.k8s.api.apps.v1.DeploymentStrategy").path("description").asString())
                .isEqualTo("DeploymentStrategy describes how to replace existing pods with new ones.");
        assertThat(schemas.path("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta").path("properties")
                .path("labels").path("additionalProperties").path("type").asString()).isEqualTo("string");
        assertThat(doc.json().path("paths").path("/apis/apps/v1/namespaces/{namespace}/deployments/{name}")
                .path("patch").path("x-kubernetes-group-version-kind").path("kind").asString()).isEqualTo("Deployment");

        String etag = doc.header("Etag");
        ApiClient.Response again = api.send(HttpRequest.newBuilder(api.uri(url)).header("If-None-Match", etag).GET(),
                null);
        assertThat(again.code()).isEqualTo(304);
        assertThat(api.get("/openapi/v3/apis/nosuch.k8s.io/v1").code()).isEqualTo(404);
    }

    @Test
    void v2IsSwaggerJsonAndProtobufOnlyIsNotAcceptable() {
        ApiClient.Response v2 = api.get("/openapi/v2");
        assertThat(v2.code()).isEqualTo(200);
        assertThat(v2.json().path("swagger").asString()).isEqualTo("2.0");
        JsonNode rolling = v2.json().path("definitions").path("io.k8s.api.apps.v1.RollingUpdateDeployment");
        assertThat(rolling.path("properties").path("maxSurge").path("$ref").asString())
                .isEqualTo("#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString");
        JsonNode patch = v2.json().path("paths").path("/api/v1/namespaces/{namespace}/pods/{name}").path("patch");
        assertThat(patch.path("x-kubernetes-action").asString()).isEqualTo("patch");
        assertThat(patch.path("parameters").findValuesAsString("name")).contains("fieldValidation", "body");

        ApiClient.Response pb = api.send(HttpRequest.newBuilder(api.uri("/openapi/v2")).GET(),
                "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
        assertThat(pb.code()).isEqualTo(406);
        assertThat(pb.json().path("kind").asString()).isEqualTo("Status");
    }

    @ParameterizedTest
    @ValueSource(strings = {"default", "1.29", "1.33"})
    void kubectlExplainPrintsKubernetesTypesAndDescriptions(String version) {
        KubectlRunner k = version.equals("default") ? kubectl : kubectl.versioned(version);
        String strategy = k.kubectl("explain", "deployment.spec.strategy").ok().out();
        assertThat(strategy).contains("GROUP:      apps", "KIND:       Deployment", "VERSION:    v1",
                "FIELD: strategy <DeploymentStrategy>",
                "DeploymentStrategy describes how to replace existing pods with new ones.",
                "  rollingUpdate\t<RollingUpdateDeployment>", "  type\t<string>",
                "Type of deployment. Can be \"Recreate\" or \"RollingUpdate\". Default is");

        String containers = k.kubectl("explain", "pods.spec.containers", "--recursive").ok().out();
        assertThat(containers).contains("FIELD: containers <[]Container>", "  name\t<string> -required-",
                "  ports\t<[]ContainerPort>", "    containerPort\t<integer> -required-",
                "  resources\t<ResourceRequirements>", "    limits\t<map[string]Quantity>");

        String svc = k.kubectl("explain", "svc", "--api-version=v1").ok().out();
        assertThat(svc).contains("KIND:       Service", "VERSION:    v1",
                "Service is a named abstraction of software service", "  spec\t<ServiceSpec>");
    }

    @Test
    void applyValidateStrictNamesTheUnknownField() throws IOException {
        Path manifest = dir.resolve("unknown-field.yaml");
        Files.writeString(manifest, """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: strict
                data:
                  a: b
                colour: blue
                """);
        Result r = kubectl.kubectl("apply", "--validate=strict", "-f", manifest.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("colour");
        assertThat(api.get("/api/v1/namespaces/" + NS + "/configmaps/strict").code()).isEqualTo(404);
    }
}
