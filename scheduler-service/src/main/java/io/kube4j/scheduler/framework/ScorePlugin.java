package io.kube4j.scheduler.framework;

import io.fabric8.kubernetes.api.model.Pod;

/**
 * Ranks feasible nodes. {@link #score} is called concurrently for different nodes; after all nodes are scored,
 * {@link #normalizeScores} brings the raw scores into {@code [0, MAX_NODE_SCORE]}.
 */
public interface ScorePlugin extends Plugin {

    long MAX_NODE_SCORE = 100;
    long MIN_NODE_SCORE = 0;

    long score(CycleState state, Pod pod, NodeInfo node);

    /** Rewrites {@code scores} (one per feasible node, in order) in place; the default leaves them as they are. */
    default void normalizeScores(CycleState state, Pod pod, long[] scores) {
    }

    /**
     * Kubernetes' {@code DefaultNormalizeScore}: scales scores so the highest becomes {@code MAX_NODE_SCORE}, and with
     * {@code reverse} the lowest raw score ranks best.
     */
    static void defaultNormalize(long[] scores, boolean reverse) {
        long max = 0;
        for (long s : scores) {
            max = Math.max(max, s);
        }
        for (int i = 0; i < scores.length; i++) {
            long s = max == 0 ? 0 : MAX_NODE_SCORE * scores[i] / max;
            scores[i] = reverse ? MAX_NODE_SCORE - s : s;
        }
    }
}
