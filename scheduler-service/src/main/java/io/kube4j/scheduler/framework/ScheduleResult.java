package io.kube4j.scheduler.framework;

/** The node picked for a pod, with how many nodes were evaluated and how many of them were feasible. */
public record ScheduleResult(String suggestedHost, int evaluatedNodes, int feasibleNodes) {
}
