package io.kube4j.client.watch;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * One event of a watch.
 *
 * @param type            ADDED, MODIFIED, DELETED or BOOKMARK
 * @param object          the object (for BOOKMARK: only metadata.resourceVersion is meaningful)
 * @param resourceVersion the event's resourceVersion (the SSE id)
 */
public record WatchEvent<T extends HasMetadata>(Type type, T object, String resourceVersion) {

    public enum Type { ADDED, MODIFIED, DELETED, BOOKMARK }
}
