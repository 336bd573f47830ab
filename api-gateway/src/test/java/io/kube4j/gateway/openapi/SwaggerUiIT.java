package io.kube4j.gateway.openapi;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.TestPki;
import io.kube4j.gateway.testsupport.GatewayInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Swagger UI served by the gateway lists the apiserver's OpenAPI v3 group-versions (from its real {@code /openapi/v3}
 * index) and the documents load through the gateway's API route.
 */
class SwaggerUiIT {

    static GatewayInstance gateway;
    static TestPki pki;
    static ApiServerInstance apiserver;

    @BeforeAll
    static void start() {
        apiserver = ApiServerInstance.secureShared();
        pki = apiserver.pki();
        gateway = GatewayInstance.start(pki, List.of(apiserver.url()));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void swaggerUiPageLoadsWithTheGatewaysConfiguration() {
        ApiClient browser = gateway.client(TestPki.Credential.anonymous());
        ApiClient.Response welcome = browser.get("/swagger-ui.html");
        assertThat(welcome.code()).as(welcome.body()).isBetween(301, 308);
        URI index = URI.create(gateway.url()).resolve(welcome.header("Location"));
        ApiClient.Response page = browser.get(index.getRawPath());
        assertThat(page.code()).isEqualTo(200);
        assertThat(page.body()).contains("swagger-ui");
        ApiClient.Response initializer = browser.get(index.resolve("swagger-initializer.js").getRawPath());
        assertThat(initializer.code()).isEqualTo(200);
        assertThat(initializer.body()).contains(OpenApiConfiguration.SWAGGER_CONFIG);
    }

    @Test
    void theConfigurationListsTheApiserversGroupVersions() {
        ApiClient.Response index = new ApiClient(apiserver.url(),
                ApiClient.httpClient(pki.sslContext(pki.admin())), null).get("/openapi/v3");
        assertThat(index.code()).isEqualTo(200);
        Map<String, String> expected = new TreeMap<>();
        index.json().at("/paths").properties().forEach(p ->
                expected.put(p.getKey(), p.getValue().at("/serverRelativeURL").asText()));
        assertThat(expected).containsKeys("api/v1", "apis/apps/v1");

        ApiClient.Response config = gateway.client(TestPki.Credential.anonymous())
                .get(OpenApiConfiguration.SWAGGER_CONFIG);
        assertThat(config.code()).as(config.body()).isEqualTo(200);
        Map<String, String> listed = new TreeMap<>();
        List<String> order = new ArrayList<>();
        for (JsonNode u : config.json().at("/urls")) {
            listed.put(u.at("/name").asText(), u.at("/url").asText());
            order.add(u.at("/name").asText());
        }
        // the same group-versions at the index's own (gateway-relative) URLs; a hash may have moved on since
        assertThat(listed.keySet()).isEqualTo(expected.keySet());
        listed.forEach((name, url) -> assertThat(url).startsWith("/openapi/v3/" + name + "?hash="));
        assertThat(order.get(0)).isEqualTo("api/v1");
        assertThat(config.json().at("/validatorUrl").asText()).isEqualTo("none");
    }

    @Test
    void aDocumentLoadsThroughTheGatewayForAnAuthenticatedUser() {
        ApiClient.Response config = gateway.client(TestPki.Credential.anonymous())
                .get(OpenApiConfiguration.SWAGGER_CONFIG);
        String coreUrl = null;
        for (JsonNode u : config.json().at("/urls")) {
            if (u.at("/name").asText().equals("api/v1")) {
                coreUrl = u.at("/url").asText();
            }
        }
        assertThat(coreUrl).startsWith("/openapi/v3/api/v1");
        ApiClient.Response doc = gateway.client(pki.clientCert("swagger-reader")).get(coreUrl);
        assertThat(doc.code()).as(doc.body()).isEqualTo(200);
        assertThat(doc.json().at("/openapi").asText()).startsWith("3.");
        assertThat(doc.json().at("/paths").has("/api/v1/namespaces/{namespace}/pods")).isTrue();

        // as in Kubernetes, the documents are for authenticated users (system:discovery)
        ApiClient.Response anonymous = gateway.client(TestPki.Credential.anonymous()).get(coreUrl);
        assertThat(anonymous.code()).as(anonymous.body()).isEqualTo(403);
    }

    @Test
    void springdocDocumentsNothingOfTheGatewayItself() {
        ApiClient.Response own = gateway.client(TestPki.Credential.anonymous()).get("/v3/api-docs");
        assertThat(own.code()).as(own.body()).isEqualTo(200);
        assertThat(own.json().at("/paths").size()).isZero();
    }
}
