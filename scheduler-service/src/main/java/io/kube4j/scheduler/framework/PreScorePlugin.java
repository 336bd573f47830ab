package io.kube4j.scheduler.framework;

import java.util.List;

import io.fabric8.kubernetes.api.model.Pod;

/** Runs once per cycle before scoring, with the feasible nodes. */
public interface PreScorePlugin extends Plugin {

    Status preScore(CycleState state, Pod pod, List<NodeInfo> feasibleNodes);
}
