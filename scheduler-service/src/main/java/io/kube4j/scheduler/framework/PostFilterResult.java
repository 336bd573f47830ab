package io.kube4j.scheduler.framework;

/** What a post-filter (preemption) achieved: a nominated node, or why not. */
public record PostFilterResult(String nominatedNodeName, Status status) {
}
