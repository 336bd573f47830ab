package io.kube4j.apiserver.patch;

import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.rest.ApiException;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonReader;
import jakarta.json.JsonStructure;
import jakarta.json.JsonValue;
import tools.jackson.databind.JsonNode;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;

/**
 * JSON Patch (RFC 6902) and JSON Merge Patch (RFC 7386), applied with Eclipse Parsson, the Jakarta JSON
 * Processing implementation, rather than a hand-written patcher.
 */
public final class Patches {

    public static final String JSON_PATCH = "application/json-patch+json";
    public static final String MERGE_PATCH = "application/merge-patch+json";
    public static final String STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
    public static final String APPLY_PATCH = "application/apply-patch+yaml";

    private Patches() {
    }

    public static JsonNode apply(String patchType, JsonNode target, byte[] patchBytes) {
        String patchText = new String(patchBytes, StandardCharsets.UTF_8);
        JsonValue patch;
        try (JsonReader r = Json.createReader(new StringReader(patchText))) {
            patch = r.readValue();
        } catch (JsonException e) {
            throw ApiException.badRequest("the patch is not valid JSON: " + e.getMessage());
        }
        JsonStructure doc;
        try (JsonReader r = Json.createReader(new StringReader(Codecs.json().writeValueAsString(target)))) {
            doc = r.read();
        }
        JsonValue result;
        try {
            result = switch (patchType) {
                case JSON_PATCH -> {
                    if (!(patch instanceof JsonArray array)) {
                        throw ApiException.badRequest("a JSON patch must be an array of operations");
                    }
                    yield Json.createPatch(array).apply(doc);
                }
                case MERGE_PATCH -> {
                    if (patch.getValueType() != JsonValue.ValueType.OBJECT) {
                        throw ApiException.badRequest("a merge patch must be a JSON object");
                    }
                    yield Json.createMergePatch(patch).apply(doc);
                }
                default -> throw ApiException.unsupportedMediaType(patchType);
            };
        } catch (JsonException | ClassCastException | IllegalArgumentException e) {
            throw new ApiException(422, "Invalid", "the patch could not be applied: " + e.getMessage());
        }
        if (result.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new ApiException(422, "Invalid", "the patch did not produce an object");
        }
        return Codecs.json().readTree(result.toString());
    }
}
