package io.kube4j.scheduler.framework;

/** A node's total weighted score. */
public record NodeScore(String name, long score) {
}
