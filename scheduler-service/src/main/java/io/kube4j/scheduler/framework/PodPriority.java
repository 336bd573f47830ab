package io.kube4j.scheduler.framework;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;

import io.fabric8.kubernetes.api.model.Pod;

/** A pod's priority and the "more important pod" order preemption uses (Kubernetes' {@code corev1helpers}). */
public final class PodPriority {

    /**
     * Higher priority first; at equal priority the pod that started earlier (Kubernetes' {@code MoreImportantPod});
     * a pod that has not started counts as starting now.
     */
    public static final Comparator<Pod> MORE_IMPORTANT_FIRST = (a, b) -> {
        int pa = of(a);
        int pb = of(b);
        if (pa != pb) {
            return Integer.compare(pb, pa);
        }
        return startTime(a).compareTo(startTime(b));
    };

    private PodPriority() {
    }

    /** {@code spec.priority}, 0 when unset (as {@code corev1helpers.PodPriority}). */
    public static int of(Pod pod) {
        Integer p = pod.getSpec() == null ? null : pod.getSpec().getPriority();
        return p == null ? 0 : p;
    }

    /** {@code status.startTime}, or now when the pod has none (as Kubernetes' {@code GetPodStartTime}). */
    public static Instant startTime(Pod pod) {
        String t = pod.getStatus() == null ? null : pod.getStatus().getStartTime();
        if (t != null && !t.isEmpty()) {
            try {
                return Instant.parse(t);
            } catch (DateTimeParseException e) {
                // fall through: an unreadable start time counts as now, as a missing one
            }
        }
        return Instant.now();
    }
}
