package io.kube4j.scheduler.framework;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;

/**
 * What a pod asks of a node, as Kubernetes' {@code resourcehelper.PodRequests}: the larger of the app containers'
 * sum and each init container's request (restartable "sidecar" init containers keep theirs for the pod's life), plus
 * the pod overhead.
 */
public final class PodRequests {

    /** What the scoring plugins assume for a container without a CPU request (Kubernetes' 100m). */
    public static final long DEFAULT_MILLI_CPU = 100;
    /** What the scoring plugins assume for a container without a memory request (Kubernetes' 200 MiB). */
    public static final long DEFAULT_MEMORY = 200L * 1024 * 1024;

    private PodRequests() {
    }

    /** The pod's effective requests. */
    public static Resources of(Pod pod) {
        return compute(pod, false);
    }

    /** Like {@link #of}, with a container's missing CPU or memory request counted as the defaults (for scoring). */
    public static Resources nonZero(Pod pod) {
        return compute(pod, true);
    }

    private static Resources compute(Pod pod, boolean nonZero) {
        PodSpec spec = pod.getSpec();
        if (spec == null) {
            return Resources.ZERO;
        }
        Resources apps = Resources.ZERO;
        for (Container c : list(spec.getContainers())) {
            apps = apps.plus(container(c, nonZero));
        }
        // Walk init containers in order: sidecars started so far run beside each later init container and the apps.
        Resources sidecars = Resources.ZERO;
        Resources initMax = Resources.ZERO;
        for (Container c : list(spec.getInitContainers())) {
            Resources r = container(c, nonZero);
            if ("Always".equals(c.getRestartPolicy())) {
                sidecars = sidecars.plus(r);
                initMax = initMax.max(sidecars);
            } else {
                initMax = initMax.max(sidecars.plus(r));
            }
        }
        Resources total = apps.plus(sidecars).max(initMax);
        Map<String, Quantity> overhead = spec.getOverhead();
        return overhead == null ? total : total.plus(Resources.of(overhead));
    }

    private static Resources container(Container c, boolean nonZero) {
        Map<String, Quantity> req = c.getResources() == null ? null : c.getResources().getRequests();
        Resources r = Resources.of(req);
        if (nonZero) {
            boolean hasCpu = req != null && req.containsKey(Resources.CPU);
            boolean hasMem = req != null && req.containsKey(Resources.MEMORY);
            if (!hasCpu || !hasMem) {
                r = new Resources(hasCpu ? r.milliCpu() : DEFAULT_MILLI_CPU, hasMem ? r.memory() : DEFAULT_MEMORY,
                        r.ephemeralStorage(), r.scalars());
            }
        }
        return r;
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }
}
