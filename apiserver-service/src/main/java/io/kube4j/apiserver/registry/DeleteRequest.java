package io.kube4j.apiserver.registry;

/**
 * What a DELETE asks for (from DeleteOptions in the body and the query).
 *
 * @param gracePeriodSeconds    null: the object's default
 * @param propagationPolicy     Orphan, Background or Foreground (null: the resource's default)
 * @param preconditionUid       delete only if the uid is this
 * @param preconditionVersion   delete only if the resourceVersion is this
 * @param dryRun                {@code dryRun=All} (query or DeleteOptions.dryRun): admission and checks run, nothing
 *                              is deleted or changed
 */
public record DeleteRequest(Long gracePeriodSeconds, String propagationPolicy, String preconditionUid,
                            String preconditionVersion, boolean dryRun) {

    /** A real (not dry-run) delete. */
    public DeleteRequest(Long gracePeriodSeconds, String propagationPolicy, String preconditionUid,
                         String preconditionVersion) {
        this(gracePeriodSeconds, propagationPolicy, preconditionUid, preconditionVersion, false);
    }

    public static DeleteRequest defaults() {
        return new DeleteRequest(null, null, null, null);
    }
}
