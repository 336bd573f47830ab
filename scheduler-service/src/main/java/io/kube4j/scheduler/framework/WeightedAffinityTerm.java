package io.kube4j.scheduler.framework;

/** A preferred (anti-)affinity term with its weight (Kubernetes' {@code framework.WeightedAffinityTerm}). */
public record WeightedAffinityTerm(AffinityTerm term, int weight) {
}
