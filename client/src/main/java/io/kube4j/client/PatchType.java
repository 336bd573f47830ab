package io.kube4j.client;

/** The patch formats the apiserver accepts, with their media types. */
public enum PatchType {
    /** RFC 7386 JSON merge patch: maps merge, null deletes, lists are replaced. */
    MERGE("application/merge-patch+json"),
    /** RFC 6902 JSON patch: a list of operations. */
    JSON("application/json-patch+json"),
    /**
     * Kubernetes' strategic merge patch, for built-in kinds only: lists merge by their merge key, with the
     * {@code $patch}, {@code $setElementOrder}, {@code $deleteFromPrimitiveList} and {@code $retainKeys} directives
     * ({@code io.kube4j.api.patch.StrategicMergePatchDiff} creates such patches as kubectl does).
     */
    STRATEGIC("application/strategic-merge-patch+json"),
    /**
     * Server-side apply: the body is the caller's whole intent for the fields it manages (YAML or JSON); needs a field
     * manager ({@link PatchOptions#apply}).
     */
    APPLY("application/apply-patch+yaml");

    private final String mediaType;

    PatchType(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }
}
