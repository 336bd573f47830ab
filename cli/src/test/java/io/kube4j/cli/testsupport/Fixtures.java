package io.kube4j.cli.testsupport;

import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.testsupport.ApiClient;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Writes fixture objects (given as YAML) through the apiserver's REST API and returns what the server stored, for
 * ITs that print real objects. Timestamps that tests want stable in printed ages come from {@link #daysAgo}.
 */
public final class Fixtures {

    private final ApiClient api;

    public Fixtures(ApiClient api) {
        this.api = api;
    }

    /** POSTs {@code yaml} to the collection {@code path}; the created object. */
    public JsonNode create(String path, String yaml) {
        ApiClient.Response r = api.post(path, json(yaml));
        assertThat(r.code()).as("POST %s: %s", path, r.body()).isIn(200, 201);
        return r.json();
    }

    /** Merge-patches the object's status subresource ({@code path} is the object's path). */
    public JsonNode patchStatus(String path, String yaml) {
        ApiClient.Response r = api.mergePatch(path + "/status", json(yaml));
        assertThat(r.code()).as("PATCH %s/status: %s", path, r.body()).isEqualTo(200);
        return r.json();
    }

    /** An RFC 3339 timestamp {@code days} days and 12 hours ago: its age prints the same all day ({@code 30d}). */
    public static String daysAgo(int days) {
        return Instant.now().minus(days, ChronoUnit.DAYS).minus(12, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS)
                .toString();
    }

    public static String json(String yaml) {
        return Codecs.json().writeValueAsString(Codecs.yaml().readTree(yaml));
    }
}
