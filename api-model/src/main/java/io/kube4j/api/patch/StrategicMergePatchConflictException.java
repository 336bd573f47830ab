package io.kube4j.api.patch;

import tools.jackson.databind.node.ObjectNode;

/**
 * A three-way strategic merge patch that would overwrite a change made to the live object since the last apply
 * (apimachinery's {@code mergepatch.ErrConflict}); thrown only when the caller asked not to overwrite.
 */
public final class StrategicMergePatchConflictException extends RuntimeException {

    private final transient ObjectNode patch;
    private final transient ObjectNode changed;

    StrategicMergePatchConflictException(ObjectNode patch, ObjectNode changed) {
        super("patch:\n" + patch + "\nconflicts with changes made from original to current:\n" + changed + "\n");
        this.patch = patch;
        this.changed = changed;
    }

    /** The patch that was computed. */
    public ObjectNode patch() {
        return patch;
    }

    /** The changes from the original (last applied) configuration to the live object. */
    public ObjectNode changed() {
        return changed;
    }
}
