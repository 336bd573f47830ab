package io.kube4j.apiserver.watch;

import java.util.Map;

/**
 * An object as the watch cache holds it: its encoded JSON (with resourceVersion set) plus what selectors
 * need, precomputed once, so that listing and fan-out never decode it again.
 */
public record CachedObject(String key, String namespace, String name, long resourceVersion,
                           Map<String, String> labels, Map<String, String> fields, byte[] json) {
}
