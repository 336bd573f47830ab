package io.kube4j.client;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The query parameters of a PATCH (Kubernetes' {@code metav1.PatchOptions}): {@code fieldManager} (required for
 * {@link PatchType#APPLY}), {@code force} (apply only: take over fields other managers own), {@code dryRun}
 * ({@code dryRun=All}: validated and answered, not stored) and {@code fieldValidation} ({@code Strict}, {@code Warn},
 * {@code Ignore}). Null leaves a parameter out.
 */
public record PatchOptions(String fieldManager, Boolean force, boolean dryRun, String fieldValidation) {

    public static PatchOptions none() {
        return new PatchOptions(null, null, false, null);
    }

    /** Server-side apply as {@code fieldManager}; {@code force} as kubectl's {@code --force-conflicts}. */
    public static PatchOptions apply(String fieldManager, boolean force) {
        if (fieldManager == null || fieldManager.isBlank()) {
            throw new IllegalArgumentException("server-side apply needs a field manager");
        }
        return new PatchOptions(fieldManager, force, false, null);
    }

    public PatchOptions withDryRun(boolean dryRun) {
        return new PatchOptions(fieldManager, force, dryRun, fieldValidation);
    }

    public PatchOptions withFieldValidation(String fieldValidation) {
        return new PatchOptions(fieldManager, force, dryRun, fieldValidation);
    }

    /** The query parameters, in kubectl's order ({@code fieldManager}, {@code fieldValidation}, {@code force}). */
    public Map<String, String> query() {
        Map<String, String> q = new LinkedHashMap<>();
        if (dryRun) {
            q.put("dryRun", "All");
        }
        if (fieldManager != null) {
            q.put("fieldManager", fieldManager);
        }
        if (fieldValidation != null) {
            q.put("fieldValidation", fieldValidation);
        }
        if (force != null) {
            q.put("force", force.toString());
        }
        return q;
    }
}
