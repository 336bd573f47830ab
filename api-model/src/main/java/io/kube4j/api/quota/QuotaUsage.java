package io.kube4j.api.quota;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one object counts against a ResourceQuota (Kubernetes' quota evaluators, {@code pkg/quota/v1/evaluator/core}):
 * object counts ({@code pods}, {@code services}, {@code configmaps}, ..., and {@code count/<resource>[.<group>]}),
 * pod compute requests and limits ({@code requests.cpu} or {@code cpu}, {@code limits.memory}, ...), Service node
 * ports and load balancers, and claims' {@code requests.storage}. Shared by the apiserver's admission (charging)
 * and the controller's recalculation so both count alike.
 */
public final class QuotaUsage {

    /** Resources counted by their plain name besides {@code count/<resource>}. */
    private static final Set<String> LEGACY_COUNTED = Set.of("pods", "services", "configmaps", "secrets",
            "persistentvolumeclaims", "replicationcontrollers", "resourcequotas");

    private QuotaUsage() {
    }

    /**
     * The usage of {@code obj} (a {@code plural} of API {@code group}) for every resource name it counts for; a pod
     * that has finished (Succeeded, Failed) counts for nothing, as in Kubernetes.
     */
    public static Map<String, BigDecimal> of(String group, String plural, HasMetadata obj) {
        Map<String, BigDecimal> out = new TreeMap<>();
        if (obj instanceof Pod pod && isTerminal(pod)) {
            return out;
        }
        out.put(group.isEmpty() ? "count/" + plural : "count/" + plural + "." + group, BigDecimal.ONE);
        if (group.isEmpty() && LEGACY_COUNTED.contains(plural)) {
            out.put(plural, BigDecimal.ONE);
        }
        if (obj instanceof Pod pod) {
            Map<String, BigDecimal> req = podTotal(pod, true);
            Map<String, BigDecimal> lim = podTotal(pod, false);
            for (String r : List.of("cpu", "memory", "ephemeral-storage")) {
                if (req.containsKey(r)) {
                    out.put("requests." + r, req.get(r));
                    out.put(r, req.get(r));
                }
                if (lim.containsKey(r)) {
                    out.put("limits." + r, lim.get(r));
                }
            }
        } else if (obj instanceof Service svc && svc.getSpec() != null) {
            String type = svc.getSpec().getType();
            int ports = svc.getSpec().getPorts() == null ? 0 : svc.getSpec().getPorts().size();
            if ("NodePort".equals(type) || "LoadBalancer".equals(type)) {
                out.put("services.nodeports", BigDecimal.valueOf(ports));
            }
            if ("LoadBalancer".equals(type)) {
                out.put("services.loadbalancers", BigDecimal.ONE);
            }
        } else if (obj instanceof PersistentVolumeClaim pvc && pvc.getSpec() != null
                && pvc.getSpec().getResources() != null && pvc.getSpec().getResources().getRequests() != null) {
            Quantity s = pvc.getSpec().getResources().getRequests().get("storage");
            if (s != null) {
                out.put("requests.storage", s.getNumericalAmount());
            }
        }
        return out;
    }

    /**
     * The compute resources a quota with {@code hard} requires every pod to state (Kubernetes refuses a pod without a
     * cpu request under a {@code requests.cpu} quota): the missing names, sorted.
     */
    public static List<String> missingPodResources(Pod pod, Set<String> hard) {
        Map<String, BigDecimal> req = podTotalAll(pod, true);
        Map<String, BigDecimal> lim = podTotalAll(pod, false);
        java.util.TreeSet<String> missing = new java.util.TreeSet<>();
        for (String h : hard) {
            if (h.startsWith("limits.") && isCompute(h.substring(7)) && !lim.containsKey(h.substring(7))) {
                missing.add(h);
            } else if (h.startsWith("requests.") && isCompute(h.substring(9)) && !req.containsKey(h.substring(9))) {
                missing.add(h);
            } else if (isCompute(h) && !req.containsKey(h)) {
                missing.add(h);
            }
        }
        return List.copyOf(missing);
    }

    private static boolean isCompute(String r) {
        return r.equals("cpu") || r.equals("memory");
    }

    public static boolean isTerminal(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    /** A pod's total: the sum over its containers, or its largest init container when that is more. */
    private static Map<String, BigDecimal> podTotal(Pod pod, boolean requests) {
        return podTotalAll(pod, requests);
    }

    /** Only resources every container states count as present (a partial sum is not the pod's requirement). */
    private static Map<String, BigDecimal> podTotalAll(Pod pod, boolean requests) {
        Map<String, BigDecimal> sum = new LinkedHashMap<>();
        if (pod.getSpec() == null) {
            return sum;
        }
        List<Container> containers = pod.getSpec().getContainers() == null ? List.of() : pod.getSpec().getContainers();
        for (Container c : containers) {
            amounts(c, requests).forEach((k, v) -> sum.merge(k, v.getNumericalAmount(), BigDecimal::add));
        }
        sum.keySet().removeIf(k -> containers.stream().anyMatch(c -> !amounts(c, requests).containsKey(k)));
        if (pod.getSpec().getInitContainers() != null) {
            for (Container c : pod.getSpec().getInitContainers()) {
                amounts(c, requests).forEach((k, v) -> sum.merge(k, v.getNumericalAmount(), BigDecimal::max));
            }
        }
        return sum;
    }

    private static Map<String, Quantity> amounts(Container c, boolean requests) {
        if (c.getResources() == null) {
            return Map.of();
        }
        Map<String, Quantity> m = requests ? c.getResources().getRequests() : c.getResources().getLimits();
        return m == null ? Map.of() : m;
    }

    /** A quantity's canonical text: an integer as is, a fraction in milli-units ({@code 500m}), else plain. */
    public static String format(BigDecimal v) {
        BigDecimal s = v.stripTrailingZeros();
        if (s.scale() <= 0) {
            return s.toBigInteger().toString();
        }
        BigDecimal milli = s.movePointRight(3);
        if (milli.stripTrailingZeros().scale() <= 0) {
            return milli.toBigInteger() + "m";
        }
        return s.toPlainString();
    }

    public static Quantity quantity(BigDecimal v) {
        return new Quantity(format(v));
    }
}
