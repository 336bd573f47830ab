package io.kube4j.controller.common;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import io.kube4j.client.util.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ControllerExpectations} that also remember which pods (by {@code namespace/name}) a controller is deleting,
 * as Kubernetes' {@code UIDTrackingControllerExpectations}: a delete lowers the expectations only when it is one the
 * controller asked for and only once, so a pod seen deleted twice (an update with a deletionTimestamp, then the
 * delete) or deleted by someone else does not count twice.
 */
public class UIDTrackingExpectations extends ControllerExpectations {

    private static final Logger log = LoggerFactory.getLogger(UIDTrackingExpectations.class);

    private final ConcurrentMap<String, Set<String>> deleting = new ConcurrentHashMap<>();

    public UIDTrackingExpectations(Clock clock) {
        super(clock);
    }

    /** The pod keys {@code key} still waits to see deleted (a copy). */
    public synchronized Set<String> deletingKeys(String key) {
        Set<String> s = deleting.get(key);
        return s == null ? Set.of() : Set.copyOf(s);
    }

    /** Expects the deletion of exactly the pods {@code podKeys}. */
    public synchronized void expectDeletions(String key, Set<String> podKeys) {
        Set<String> existing = deleting.get(key);
        if (existing != null && !existing.isEmpty()) {
            log.warn("clobbering the delete expectations of {}: {} were still outstanding", key, existing);
        }
        Set<String> s = ConcurrentHashMap.newKeySet();
        s.addAll(podKeys);
        deleting.put(key, s);
        super.expectDeletions(key, podKeys.size());
    }

    /** The deletion of pod {@code podKey} was seen: lowers {@code key}'s expectations if it was expected. */
    public synchronized void deletionObserved(String key, String podKey) {
        Set<String> s = deleting.get(key);
        if (s != null && s.remove(podKey)) {
            lower(key, 0, 1);
        }
    }

    @Override
    public synchronized void delete(String key) {
        deleting.remove(key);
        super.delete(key);
    }
}
