package io.kube4j.scheduler.plugins.noderesources;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PluginArgs;
import io.kube4j.scheduler.framework.Resources;

/**
 * The resources a node-resources score plugin looks at, with weights, read as Kubernetes' {@code ResourceSpec} list
 * ({@code [{name, weight}]}), and the per-node lookup of allocatable and requested amounts (Kubernetes'
 * {@code resourceAllocationScorer}). Extended resources the pod does not request, and resources the node does not
 * have, are left out of a node's score.
 */
final class ResourceScorer {

    private static final int CPU = 0;
    private static final int MEMORY = 1;
    private static final int EPHEMERAL = 2;
    private static final int SCALAR = 3;

    /** One resource with its weight. */
    record Spec(String name, int weight) {
    }

    final String[] names;
    final long[] weights;
    private final int[] kinds;

    ResourceScorer(List<Spec> specs) {
        names = new String[specs.size()];
        weights = new long[specs.size()];
        kinds = new int[specs.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = specs.get(i).name();
            weights[i] = specs.get(i).weight();
            kinds[i] = switch (names[i]) {
                case Resources.CPU -> CPU;
                case Resources.MEMORY -> MEMORY;
                case Resources.EPHEMERAL_STORAGE -> EPHEMERAL;
                default -> SCALAR;
            };
        }
    }

    /** Reads {@code [{name, weight}]} from a list arg; missing weights are 1; weights must be within {@code [min, max]}. */
    static List<Spec> specs(PluginArgs args, List<Object> items, String path, int min, int max) {
        List<Spec> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String ip = path + "[" + i + "]";
            if (!(items.get(i) instanceof Map<?, ?> m)) {
                throw args.invalid(ip, "an object {name, weight}", items.get(i));
            }
            PluginArgs item = new PluginArgs(args.plugin(), stringKeys(m));
            item.requireOnly(ip, "name", "weight");
            String name = item.string("name", null);
            if (name == null || name.isBlank()) {
                throw args.invalid(ip + ".name", "a resource name", name);
            }
            int w = item.integer("weight", 1);
            if (w < min || w > max) {
                throw args.invalid(ip + ".weight", min == max ? "" + min : "within [" + min + ", " + max + "]", w);
            }
            if (!seen.add(name)) {
                throw args.invalid(ip + ".name", "unique", name);
            }
            out.add(new Spec(name, w));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> stringKeys(Map<?, ?> m) {
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
        m.forEach((k, v) -> {
            if (v != null) {
                out.put(k.toString(), v);
            }
        });
        return out;
    }

    int size() {
        return names.length;
    }

    /** The pod's amount of each resource, in order. */
    long[] podRequests(Resources podRequests) {
        long[] out = new long[names.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = amount(podRequests, i);
        }
        return out;
    }

    /**
     * The node's allocatable amount of resource {@code i} as the score sees it: 0 (leave the resource out) when the
     * node has none, or for an extended resource the pod does not request.
     */
    long allocatable(NodeInfo node, int i, long podRequest) {
        return switch (kinds[i]) {
            case CPU -> node.allocatableMilliCpu();
            case MEMORY -> node.allocatableMemory();
            case EPHEMERAL -> node.allocatableEphemeralStorage();
            default -> podRequest == 0 ? 0 : node.allocatable().scalar(names[i]);
        };
    }

    /**
     * What the node's pods plus this pod request of resource {@code i}. {@code nonZero}: cpu and memory count
     * containers without requests at the defaults (NodeResourcesFit scoring); otherwise actual requests
     * (BalancedAllocation).
     */
    long requested(NodeInfo node, int i, long podRequest, boolean nonZero) {
        return switch (kinds[i]) {
            case CPU -> (nonZero ? node.nonZeroRequestedMilliCpu() : node.requestedMilliCpu()) + podRequest;
            case MEMORY -> (nonZero ? node.nonZeroRequestedMemory() : node.requestedMemory()) + podRequest;
            case EPHEMERAL -> node.requestedEphemeralStorage() + podRequest;
            default -> node.requested().scalar(names[i]) + podRequest;
        };
    }

    private long amount(Resources r, int i) {
        return switch (kinds[i]) {
            case CPU -> r.milliCpu();
            case MEMORY -> r.memory();
            case EPHEMERAL -> r.ephemeralStorage();
            default -> r.scalar(names[i]);
        };
    }
}
