package io.kube4j.scheduler.framework;

import java.time.Instant;
import java.util.Set;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * A pod waiting in the scheduling queue: when it was (re)queued, when it first was, how many times it was tried and
 * which plugins rejected it last time.
 */
public record QueuedPodInfo(Pod pod, Instant timestamp, Instant initialAttemptTimestamp, int attempts,
        Set<String> unschedulablePlugins) {

    public QueuedPodInfo {
        unschedulablePlugins = Set.copyOf(unschedulablePlugins);
    }

    public static QueuedPodInfo of(Pod pod, Instant now) {
        return new QueuedPodInfo(pod, now, now, 0, Set.of());
    }

    public String key() {
        return PodKeys.key(pod);
    }

    /** The pod's priority ({@code spec.priority}, 0 when unset). */
    public int priority() {
        Integer p = pod.getSpec() == null ? null : pod.getSpec().getPriority();
        return p == null ? 0 : p;
    }

    public QueuedPodInfo withPod(Pod p) {
        return new QueuedPodInfo(p, timestamp, initialAttemptTimestamp, attempts, unschedulablePlugins);
    }

    public QueuedPodInfo withTimestamp(Instant t) {
        return new QueuedPodInfo(pod, t, initialAttemptTimestamp, attempts, unschedulablePlugins);
    }

    public QueuedPodInfo withAttempt() {
        return new QueuedPodInfo(pod, timestamp, initialAttemptTimestamp, attempts + 1, unschedulablePlugins);
    }

    public QueuedPodInfo withUnschedulablePlugins(Set<String> plugins) {
        return new QueuedPodInfo(pod, timestamp, initialAttemptTimestamp, attempts, plugins);
    }
}
