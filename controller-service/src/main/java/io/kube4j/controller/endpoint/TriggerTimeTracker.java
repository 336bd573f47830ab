package io.kube4j.controller.endpoint;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Service;

/**
 * Kubernetes' {@code TriggerTimeTracker}: for the {@code endpoints.kubernetes.io/last-change-trigger-time}
 * annotation, the earliest time of the pod or service changes a sync is the first to see (a pod's Ready
 * lastTransitionTime, the service's creation), so a consumer can measure how long a change took to reach it.
 * Remembers per service what it saw last; a service seen for the first time has no trigger time. One instance per
 * controller; calls for the same service never run concurrently (the work queue guarantees that).
 */
public final class TriggerTimeTracker {

    private record State(Map<String, Instant> podTriggerTimes, Instant serviceTriggerTime) {
    }

    private final Map<String, State> states = new ConcurrentHashMap<>();

    /** The trigger time to publish for this sync, or null (then the annotation is removed). */
    public Instant compute(Service service, Collection<Pod> pods) {
        String key = service.getMetadata().getNamespace() + "/" + service.getMetadata().getName();
        State old = states.get(key);
        Map<String, Instant> podTimes = new HashMap<>();
        Instant min = null;
        for (Pod pod : pods) {
            Instant t = podTriggerTime(pod);
            if (t == null) {
                continue;
            }
            podTimes.put(pod.getMetadata().getName(), t);
            Instant before = old == null ? null : old.podTriggerTimes().get(pod.getMetadata().getName());
            if (before == null || t.isAfter(before)) {
                min = min == null || t.isBefore(min) ? t : min;
            }
        }
        Instant svcTime = parse(service.getMetadata().getCreationTimestamp());
        if (svcTime != null && (old == null || old.serviceTriggerTime() == null || svcTime.isAfter(old.serviceTriggerTime()))) {
            min = min == null || svcTime.isBefore(min) ? svcTime : min;
        }
        states.put(key, new State(podTimes, svcTime));
        return old == null ? null : min;
    }

    public void deleteService(String namespace, String name) {
        states.remove(namespace + "/" + name);
    }

    static Instant podTriggerTime(Pod pod) {
        PodCondition c = PodEndpoints.readyCondition(pod);
        return c == null ? null : parse(c.getLastTransitionTime());
    }

    static Instant parse(String time) {
        if (time == null || time.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(time);
        } catch (DateTimeParseException e) {
            return null; // a malformed timestamp only costs the annotation
        }
    }
}
