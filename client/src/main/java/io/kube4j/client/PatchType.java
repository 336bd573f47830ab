package io.kube4j.client;

/** The patch formats the apiserver accepts, with their media types. */
public enum PatchType {
    MERGE("application/merge-patch+json"),
    JSON("application/json-patch+json");

    private final String mediaType;

    PatchType(String mediaType) {
        this.mediaType = mediaType;
    }

    public String mediaType() {
        return mediaType;
    }
}
