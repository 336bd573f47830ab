package io.kube4j.apiserver.rest;

import java.util.Set;

/**
 * Boolean query parameters ({@code watch}, {@code allowWatchBookmarks}) read as Kubernetes reads them, with Go's
 * {@code strconv.ParseBool}: the official Python client sends {@code watch=True}, which a check for "true" alone
 * turned into a plain list.
 */
public final class QueryFlags {

    private static final Set<String> TRUE = Set.of("1", "t", "T", "true", "TRUE", "True");

    private QueryFlags() {
    }

    /** Whether {@code value} is one of Go's true spellings (null and anything else: false). */
    public static boolean isTrue(String value) {
        return value != null && TRUE.contains(value);
    }
}
