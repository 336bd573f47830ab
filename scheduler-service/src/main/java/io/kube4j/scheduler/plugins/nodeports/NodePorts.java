package io.kube4j.scheduler.plugins.nodeports;

import java.util.List;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.FilterPlugin;
import io.kube4j.scheduler.framework.HostPorts;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PreFilterPlugin;
import io.kube4j.scheduler.framework.Status;

/**
 * Kubernetes' {@code NodePorts}: a node whose pods already bind one of the pod's host ports (same protocol and port, on
 * the same host IP or where either side binds 0.0.0.0) is filtered out. PreFilter collects the pod's host ports once;
 * the node's used ports are kept incrementally by {@link NodeInfo#usedPorts()}. Host ports are a per-node matter, so
 * nominated or victim pods change nothing this plugin precomputed and it needs no PreFilterExtensions.
 */
public final class NodePorts implements PreFilterPlugin, FilterPlugin {

    public static final String NAME = "NodePorts";
    /** Kubernetes' {@code ErrReason}. */
    public static final String ERR_REASON = "node(s) didn't have free ports for the requested pod ports";
    private static final String STATE_KEY = "PreFilter" + NAME;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status preFilter(CycleState state, Pod pod) {
        List<HostPorts.HostPort> wanted = HostPorts.of(pod);
        state.write(STATE_KEY, wanted);
        return wanted.isEmpty() ? Status.skip() : Status.success();
    }

    @Override
    @SuppressWarnings("unchecked")
    public Status filter(CycleState state, Pod pod, NodeInfo node) {
        List<HostPorts.HostPort> wanted = state.read(STATE_KEY, List.class);
        if (wanted == null) {
            wanted = HostPorts.of(pod);
        }
        if (wanted.isEmpty() || node.usedPorts().isEmpty()) {
            return Status.success();
        }
        return HostPorts.conflict(wanted, node.usedPorts()) ? Status.unschedulable(ERR_REASON) : Status.success();
    }
}
