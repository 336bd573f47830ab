package io.kube4j.scheduler.plugins.nodeunschedulable;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.FilterPlugin;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.api.scheduling.Tolerations;

/** Filters out cordoned nodes ({@code spec.unschedulable}) unless the pod tolerates the unschedulable taint. */
public final class NodeUnschedulable implements FilterPlugin {

    public static final String NAME = "NodeUnschedulable";
    public static final String REASON = "node(s) were unschedulable";
    static final Taint UNSCHEDULABLE_TAINT = new TaintBuilder().withKey("node.kubernetes.io/unschedulable")
            .withEffect("NoSchedule").build();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo nodeInfo) {
        if (!nodeInfo.unschedulable()) {
            return Status.success();
        }
        return Tolerations.tolerated(Tolerations.of(pod), UNSCHEDULABLE_TAINT) ? Status.success()
                : Status.unresolvable(REASON);
    }
}
