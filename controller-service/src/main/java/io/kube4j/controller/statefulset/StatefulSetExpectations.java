package io.kube4j.controller.statefulset;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.kube4j.client.util.Clock;

/**
 * The pod creates and deletes a StatefulSet's sync made that the pod informer has not shown yet, by pod name (as the
 * ReplicaSet controller's expectations, but tracked by name since a set's pod names are fixed): while any is
 * outstanding the controller does not act on its stale cache (it would re-create a pod it just created, or delete
 * one twice). Outstanding entries expire after {@link #EXPIRY}, in case a watch event was lost.
 */
final class StatefulSetExpectations {

    static final Duration EXPIRY = Duration.ofMinutes(5);

    private final Clock clock;
    private final Map<String, Map<String, Instant>> creates = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Instant>> deletes = new ConcurrentHashMap<>();

    StatefulSetExpectations(Clock clock) {
        this.clock = clock;
    }

    void expectCreation(String setKey, String podName) {
        creates.computeIfAbsent(setKey, k -> new ConcurrentHashMap<>()).put(podName, clock.now());
    }

    void expectDeletion(String setKey, String podName) {
        deletes.computeIfAbsent(setKey, k -> new ConcurrentHashMap<>()).put(podName, clock.now());
    }

    /** The pod was seen created (or its create failed). */
    void creationObserved(String setKey, String podName) {
        Map<String, Instant> m = creates.get(setKey);
        if (m != null) {
            m.remove(podName);
        }
    }

    /** The pod was seen terminating or gone (or its delete failed). */
    void deletionObserved(String setKey, String podName) {
        Map<String, Instant> m = deletes.get(setKey);
        if (m != null) {
            m.remove(podName);
        }
    }

    /** Whether nothing unexpired is outstanding for the set. */
    boolean satisfied(String setKey) {
        Instant now = clock.now();
        return fresh(creates.get(setKey), now).isEmpty() && fresh(deletes.get(setKey), now).isEmpty();
    }

    void delete(String setKey) {
        creates.remove(setKey);
        deletes.remove(setKey);
    }

    private static Set<String> fresh(Map<String, Instant> m, Instant now) {
        if (m == null) {
            return Set.of();
        }
        m.values().removeIf(t -> Duration.between(t, now).compareTo(EXPIRY) > 0);
        return m.keySet();
    }
}
