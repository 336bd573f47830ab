package io.kube4j.apiserver.patch;

import io.kube4j.api.patch.PatchMetaTable;
import io.kube4j.api.patch.PatchSchema;
import io.kube4j.api.patch.StrategicMergePatch;
import io.kube4j.api.patch.StrategicMergePatchException;
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
 * Processing implementation, rather than a hand-written patcher; and Kubernetes' strategic merge patch
 * ({@link StrategicMergePatch}), which needs the kind of the object for its merge keys ({@link PatchMetaTable}).
 */
public final class Patches {

    public static final String JSON_PATCH = "application/json-patch+json";
    public static final String MERGE_PATCH = "application/merge-patch+json";
    public static final String STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
    public static final String APPLY_PATCH = "application/apply-patch+yaml";

    private Patches() {
    }

    /** Applies a JSON patch or a merge patch; a strategic merge patch needs {@link #apply(String, JsonNode, byte[], String, String)}. */
    public static JsonNode apply(String patchType, JsonNode target, byte[] patchBytes) {
        return apply(patchType, target, patchBytes, null, null);
    }

    /** Whether a strategic merge patch can be applied to objects of this kind (not to custom resources, as in Kubernetes). */
    public static boolean supportsStrategicMergePatch(String apiVersion, String kind) {
        return apiVersion != null && kind != null && PatchMetaTable.builtin().forKind(apiVersion, kind).isPresent();
    }

    /**
     * Applies a patch of any type but server-side apply to {@code target}, an object of the given kind
     * ({@code apiVersion} like {@code apps/v1}); the kind matters for strategic merge patches only.
     */
    public static JsonNode apply(String patchType, JsonNode target, byte[] patchBytes, String apiVersion, String kind) {
        if (patchType.equals(STRATEGIC_MERGE_PATCH)) {
            return strategicMergePatch(target, patchBytes, apiVersion, kind);
        }
        String patchText = new String(patchBytes, StandardCharsets.UTF_8);
        JsonValue patch;
        try (JsonReader r = Json.createReader(new StringReader(patchText))) {
            patch = r.readValue();
        } catch (RuntimeException e) {
            // JsonException, and Parsson's plain RuntimeException for nesting beyond its limit
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
        try {
            return Codecs.json().readTree(result.toString());
        } catch (tools.jackson.core.JacksonException e) {
            throw new ApiException(422, "Invalid", "the patched object cannot be read: " + e.getOriginalMessage());
        }
    }

    private static JsonNode strategicMergePatch(JsonNode target, byte[] patchBytes, String apiVersion, String kind) {
        PatchSchema schema = (apiVersion == null || kind == null ? java.util.Optional.<PatchSchema>empty()
                : PatchMetaTable.builtin().forKind(apiVersion, kind))
                .orElseThrow(() -> ApiException.unsupportedMediaType(STRATEGIC_MERGE_PATCH
                        + " is not supported for " + (kind == null ? "this resource" : kind)
                        + ": use application/merge-patch+json or application/json-patch+json"));
        JsonNode patch;
        try {
            patch = Codecs.json().readTree(patchBytes);
        } catch (tools.jackson.core.JacksonException e) {
            throw ApiException.badRequest("the patch is not valid JSON: " + e.getOriginalMessage());
        }
        if (patch == null || !patch.isObject()) {
            throw ApiException.badRequest("a strategic merge patch must be a JSON object");
        }
        try {
            return StrategicMergePatch.apply(target, patch, schema);
        } catch (StrategicMergePatchException e) {
            throw e.status() == 400 ? ApiException.badRequest(e.getMessage())
                    : new ApiException(e.status(), "Invalid", e.getMessage());
        }
    }
}
