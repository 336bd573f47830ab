package io.kube4j.node.pod;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;

/** A pod's QoS class as Kubernetes computes it: Guaranteed, Burstable or BestEffort. */
public final class QosClasses {

    private QosClasses() {
    }

    public static String of(Pod pod) {
        boolean any = false;
        boolean guaranteed = true;
        Set<String> limited = new HashSet<>();
        List<Container> all = new java.util.ArrayList<>(pod.getSpec().getContainers());
        if (pod.getSpec().getInitContainers() != null) {
            all.addAll(pod.getSpec().getInitContainers());
        }
        for (Container c : all) {
            Map<String, Quantity> req = c.getResources() == null ? null : c.getResources().getRequests();
            Map<String, Quantity> lim = c.getResources() == null ? null : c.getResources().getLimits();
            for (String r : List.of("cpu", "memory")) {
                Quantity q = req == null ? null : req.get(r);
                Quantity l = lim == null ? null : lim.get(r);
                if ((q != null && !isZero(q)) || (l != null && !isZero(l))) {
                    any = true;
                }
                if (l == null || isZero(l)) {
                    guaranteed = false;
                } else {
                    limited.add(r);
                    if (q != null && q.getNumericalAmount().compareTo(l.getNumericalAmount()) != 0) {
                        guaranteed = false;
                    }
                }
            }
        }
        if (!any) {
            return "BestEffort";
        }
        return guaranteed && limited.size() == 2 ? "Guaranteed" : "Burstable";
    }

    private static boolean isZero(Quantity q) {
        return q.getNumericalAmount().signum() == 0;
    }
}
