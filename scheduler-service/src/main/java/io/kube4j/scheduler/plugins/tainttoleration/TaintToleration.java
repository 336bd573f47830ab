package io.kube4j.scheduler.plugins.tainttoleration;

import java.util.List;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.FilterPlugin;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PreScorePlugin;
import io.kube4j.scheduler.framework.ScorePlugin;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.api.scheduling.Tolerations;

/**
 * Filters out nodes with a {@code NoSchedule} or {@code NoExecute} taint the pod does not tolerate, and prefers nodes
 * with fewer untolerated {@code PreferNoSchedule} taints.
 */
public final class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin {

    public static final String NAME = "TaintToleration";
    private static final String PREFER_KEY = "PreScore" + NAME;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo nodeInfo) {
        Taint t = Tolerations.firstUntolerated(nodeInfo.taints(), Tolerations.of(pod),
                x -> "NoSchedule".equals(x.getEffect()) || "NoExecute".equals(x.getEffect()));
        if (t == null) {
            return Status.success();
        }
        return Status.unresolvable("node(s) had untolerated taint {" + t.getKey() + ": "
                + (t.getValue() == null ? "" : t.getValue()) + "}");
    }

    @Override
    public Status preScore(CycleState state, Pod pod, List<NodeInfo> feasibleNodes) {
        state.write(PREFER_KEY, preferNoScheduleTolerations(pod));
        return Status.success();
    }

    // Only tolerations that apply to PreferNoSchedule count, as Kubernetes' getAllTolerationPreferNoSchedule.
    private static List<Toleration> preferNoScheduleTolerations(Pod pod) {
        return Tolerations.of(pod).stream()
                .filter(t -> t.getEffect() == null || t.getEffect().isEmpty()
                        || "PreferNoSchedule".equals(t.getEffect()))
                .toList();
    }

    @Override
    @SuppressWarnings("unchecked")
    public long score(CycleState state, Pod pod, NodeInfo nodeInfo) {
        List<Toleration> prefer = state.read(PREFER_KEY, List.class);
        if (prefer == null) {
            prefer = preferNoScheduleTolerations(pod);
        }
        long count = 0;
        for (Taint taint : nodeInfo.taints()) {
            if ("PreferNoSchedule".equals(taint.getEffect()) && !Tolerations.tolerated(prefer, taint)) {
                count++;
            }
        }
        return count;
    }

    @Override
    public void normalizeScores(CycleState state, Pod pod, long[] scores) {
        ScorePlugin.defaultNormalize(scores, true);
    }
}
