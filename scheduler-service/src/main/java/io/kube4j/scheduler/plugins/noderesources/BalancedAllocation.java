package io.kube4j.scheduler.plugins.noderesources;

import java.util.List;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PluginArgs;
import io.kube4j.scheduler.framework.PodRequests;
import io.kube4j.scheduler.framework.PreScorePlugin;
import io.kube4j.scheduler.framework.Resources;
import io.kube4j.scheduler.framework.ScorePlugin;
import io.kube4j.scheduler.framework.Status;

/**
 * Kubernetes' {@code NodeResourcesBalancedAllocation}: prefers nodes whose resources would be used evenly with the pod
 * placed, {@code score = (1 - std) * 100} over the requested/allocatable fractions (each at most 1) of the configured
 * resources (args {@code resources: [{name, weight: 1}]}, default cpu and memory), using actual requests. Best-effort
 * pods (no requests of these resources) are not scored by it, so they do not all pile onto one node.
 */
public final class BalancedAllocation implements PreScorePlugin, ScorePlugin {

    public static final String NAME = "NodeResourcesBalancedAllocation";
    private static final String STATE_KEY = "PreScore" + NAME;

    private final ResourceScorer resources;

    /** Over cpu and memory, Kubernetes' default. */
    public BalancedAllocation() {
        this(List.of(new ResourceScorer.Spec(Resources.CPU, 1), new ResourceScorer.Spec(Resources.MEMORY, 1)));
    }

    BalancedAllocation(List<ResourceScorer.Spec> resources) {
        if (resources.isEmpty()) {
            throw new IllegalArgumentException("plugin " + NAME + ": args.resources must not be empty");
        }
        this.resources = new ResourceScorer(resources);
    }

    /** The plugin as {@code args} (Kubernetes' NodeResourcesBalancedAllocationArgs) configure it. */
    public static BalancedAllocation of(PluginArgs args) {
        args.requireOnly(null, "resources");
        if (!args.has("resources")) {
            return new BalancedAllocation();
        }
        return new BalancedAllocation(ResourceScorer.specs(args, args.list("resources"), "resources", 1, 1));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status preScore(CycleState state, Pod pod, List<NodeInfo> feasibleNodes) {
        long[] req = resources.podRequests(PodRequests.of(pod));
        if (bestEffort(req)) {
            state.write(STATE_KEY, new long[0]);
            return Status.skip();
        }
        state.write(STATE_KEY, req);
        return Status.success();
    }

    private static boolean bestEffort(long[] req) {
        for (long r : req) {
            if (r != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public long score(CycleState state, Pod pod, NodeInfo node) {
        long[] req = state.read(STATE_KEY, long[].class);
        if (req == null) {
            req = resources.podRequests(PodRequests.of(pod));
            if (bestEffort(req)) {
                return 0;
            }
        }
        if (req.length == 0) {
            return 0;
        }
        // Two passes over the resources instead of a list of fractions: no allocation per node.
        int count = 0;
        double total = 0;
        double first = 0;
        double second = 0;
        for (int i = 0; i < req.length; i++) {
            double f = fraction(node, i, req[i]);
            if (f < 0) {
                continue;
            }
            if (count == 0) {
                first = f;
            } else if (count == 1) {
                second = f;
            }
            total += f;
            count++;
        }
        double std = 0;
        if (count == 2) {
            std = Math.abs((first - second) / 2);
        } else if (count > 2) {
            double mean = total / count;
            double sum = 0;
            for (int i = 0; i < req.length; i++) {
                double f = fraction(node, i, req[i]);
                if (f >= 0) {
                    sum += (f - mean) * (f - mean);
                }
            }
            std = Math.sqrt(sum / count);
        }
        return (long) ((1 - std) * MAX_NODE_SCORE);
    }

    /** requested/allocatable of resource {@code i}, at most 1; -1 when the resource is left out. */
    private double fraction(NodeInfo node, int i, long podRequest) {
        long alloc = resources.allocatable(node, i, podRequest);
        if (alloc == 0) {
            return -1;
        }
        double f = (double) resources.requested(node, i, podRequest, false) / alloc;
        return Math.min(f, 1);
    }
}
