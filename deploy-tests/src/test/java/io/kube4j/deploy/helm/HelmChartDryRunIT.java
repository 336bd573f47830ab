package io.kube4j.deploy.helm;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every object the chart renders (for each value set) is accepted by kube4j's own apiserver: POSTed to its collection
 * with {@code dryRun=All&fieldValidation=Strict}, so the full create path (defaulting, validation, admission, unknown
 * fields) runs without storing anything. The collection is found in the apiserver's discovery, so a kind kube4j does not
 * serve fails here by name.
 */
class HelmChartDryRunIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static ApiClient api;
    /** apiVersion/kind -> resource (plural) as kube4j's discovery lists it. */
    private static final Map<String, String> served = new HashMap<>();

    @BeforeAll
    static void apiserver() {
        api = ApiServerInstance.shared().client();
        ApiClient.Response ns = api.post("/api/v1/namespaces",
                "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + RenderedChart.NAMESPACE + "\"}}");
        assertThat(ns.code()).as("creating the namespace: %s", ns.body()).isIn(201, 409);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "external-etcd.yaml", "provided-pki.yaml", "no-agents.yaml", "customised.yaml"})
    void everyRenderedObjectPassesServerSideDryRun(String values) {
        RenderedChart chart = RenderedChart.render(values.isEmpty() ? null : values);
        assertThat(chart.objects()).isNotEmpty();
        List<String> refused = new ArrayList<>();
        for (Map<String, Object> object : chart.objects()) {
            String apiVersion = (String) object.get("apiVersion");
            String kind = (String) object.get("kind");
            String resource = resourceOf(apiVersion, kind);
            if (resource == null) {
                refused.add(kind + " " + RenderedChart.name(object) + ": kube4j does not serve " + apiVersion + " " + kind);
                continue;
            }
            String base = apiVersion.contains("/") ? "/apis/" + apiVersion : "/api/" + apiVersion;
            String path = base + "/namespaces/" + RenderedChart.NAMESPACE + "/" + resource
                    + "?dryRun=All&fieldValidation=Strict";
            ApiClient.Response r = api.post(path, JSON.writeValueAsString(object));
            if (r.code() != 201) {
                refused.add(kind + " " + RenderedChart.name(object) + ": HTTP " + r.code() + " "
                        + (r.json() != null && r.json().has("message") ? r.json().get("message").asString() : r.body()));
            } else {
                // dry run: nothing may have been stored
                assertThat(api.get(base + "/namespaces/" + RenderedChart.NAMESPACE + "/" + resource + "/"
                        + RenderedChart.name(object)).code()).as("%s %s after dryRun=All", kind,
                        RenderedChart.name(object)).isEqualTo(404);
            }
        }
        assertThat(refused).as("objects kube4j refused (values %s)", values.isEmpty() ? "defaults" : values).isEmpty();
    }

    /** The namespaced resource serving {@code kind} in {@code apiVersion}, from discovery; null when not served. */
    private static synchronized String resourceOf(String apiVersion, String kind) {
        String key = apiVersion + "/" + kind;
        if (!served.containsKey(key)) {
            String path = apiVersion.contains("/") ? "/apis/" + apiVersion : "/api/" + apiVersion;
            ApiClient.Response r = api.get(path);
            served.put(key, null);
            if (r.code() == 200) {
                for (JsonNode res : r.json().get("resources")) {
                    if (kind.equals(res.get("kind").asString()) && !res.get("name").asString().contains("/")
                            && res.get("namespaced").asBoolean()) {
                        served.put(key, res.get("name").asString());
                    }
                }
            }
        }
        return served.get(key);
    }
}
