package io.kube4j.apiserver.registry;

import io.kube4j.apiserver.rest.ApiException;

import java.util.List;
import java.util.Map;

/**
 * The query options of a write (create, update, patch; delete carries {@code dryRun} in {@link DeleteRequest} too),
 * as Kubernetes' CreateOptions / UpdateOptions / PatchOptions.
 *
 * @param dryRun          {@code dryRun=All}: admission and validation run, nothing is stored
 * @param fieldManager    the manager recorded in {@code metadata.managedFields} (null: derived from the user agent)
 * @param force           server-side apply's {@code force}: take over fields owned by other managers
 * @param fieldValidation what to do with unknown and duplicate fields in the body
 */
public record WriteOptions(boolean dryRun, String fieldManager, boolean force, FieldValidation fieldValidation) {

    /** Kubernetes' fieldValidation modes; {@link #WARN} is the server's default. */
    public enum FieldValidation { IGNORE, WARN, STRICT }

    /** The options of a write made by the apiserver itself (bootstrap objects, subresource handlers). */
    public static final WriteOptions NONE = new WriteOptions(false, null, false, FieldValidation.WARN);

    /** Reads {@code dryRun}, {@code fieldManager}, {@code force} and {@code fieldValidation}; bad values are a 400. */
    public static WriteOptions fromQuery(Map<String, List<String>> query) {
        boolean dryRun = false;
        for (String dry : query.getOrDefault("dryRun", List.of())) {
            if (!dry.equals("All")) {
                throw ApiException.badRequest("Unsupported value: \"" + dry + "\": supported values: \"All\"");
            }
            dryRun = true;
        }
        String manager = first(query, "fieldManager");
        if (manager != null && manager.length() > 128) {
            throw ApiException.badRequest("fieldManager: Too long: may not be more than 128 bytes");
        }
        String force = first(query, "force");
        if (force != null && !force.equals("true") && !force.equals("false")) {
            throw ApiException.badRequest("force: invalid value \"" + force + "\": must be true or false");
        }
        String mode = first(query, "fieldValidation");
        FieldValidation validation = FieldValidation.WARN;
        if (mode != null && !mode.isEmpty()) {
            validation = switch (mode) {
                case "Ignore" -> FieldValidation.IGNORE;
                case "Warn" -> FieldValidation.WARN;
                case "Strict" -> FieldValidation.STRICT;
                default -> throw ApiException.badRequest("fieldValidation: Unsupported value: \"" + mode
                        + "\": supported values: \"Ignore\", \"Strict\", \"Warn\"");
            };
        }
        return new WriteOptions(dryRun, manager == null || manager.isEmpty() ? null : manager, "true".equals(force),
                validation);
    }

    private static String first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
