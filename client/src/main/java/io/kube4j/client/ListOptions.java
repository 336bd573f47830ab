package io.kube4j.client;

/**
 * Options of a list or watch.
 *
 * @param labelSelector   Kubernetes label selector, or null
 * @param fieldSelector   Kubernetes field selector, or null
 * @param limit           page size, 0 for everything
 * @param continueToken   the previous page's continue token, or null
 * @param resourceVersion null (most recent), "0" (any, from the cache) or a revision
 * @param timeoutSeconds  for watches: how long the server keeps the stream, or null
 * @param bookmarks       for watches: ask for BOOKMARK events
 */
public record ListOptions(String labelSelector, String fieldSelector, long limit, String continueToken,
                          String resourceVersion, Integer timeoutSeconds, boolean bookmarks) {

    public static ListOptions all() {
        return new ListOptions(null, null, 0, null, null, null, false);
    }

    public ListOptions withLabelSelector(String s) {
        return new ListOptions(s, fieldSelector, limit, continueToken, resourceVersion, timeoutSeconds, bookmarks);
    }

    public ListOptions withFieldSelector(String s) {
        return new ListOptions(labelSelector, s, limit, continueToken, resourceVersion, timeoutSeconds, bookmarks);
    }

    public ListOptions withLimit(long l, String cont) {
        return new ListOptions(labelSelector, fieldSelector, l, cont, resourceVersion, timeoutSeconds, bookmarks);
    }

    public ListOptions withResourceVersion(String rv) {
        return new ListOptions(labelSelector, fieldSelector, limit, continueToken, rv, timeoutSeconds, bookmarks);
    }

    public ListOptions withBookmarks(boolean b) {
        return new ListOptions(labelSelector, fieldSelector, limit, continueToken, resourceVersion, timeoutSeconds, b);
    }
}
