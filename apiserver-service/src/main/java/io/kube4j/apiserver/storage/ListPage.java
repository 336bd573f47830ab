package io.kube4j.apiserver.storage;

import java.util.List;

/**
 * A page of a prefix listing read at one store revision.
 *
 * @param items     the objects in key order
 * @param revision  the revision the page was read at (pass it back to read the next page consistently)
 * @param more      whether keys remain after the last item
 * @param remaining how many keys remain after this page (0 when {@code more} is false)
 */
public record ListPage(List<StoredObject> items, long revision, boolean more, long remaining) {
}
