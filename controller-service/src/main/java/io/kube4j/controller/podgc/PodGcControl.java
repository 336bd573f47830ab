package io.kube4j.controller.podgc;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import reactor.core.publisher.Mono;

/** The pod garbage collector's side effects: asking whether a node exists, failing and force-deleting a pod. */
public interface PodGcControl {

    /** A fresh GET of the node: false only on NotFound (any other error is thrown). */
    boolean nodeExists(String name);

    /**
     * Moves a pod that is not terminal yet to phase Failed (with {@code condition}, when not null) through
     * {@code /status}, then deletes it with grace period 0 and its uid as precondition; a pod already gone completes.
     */
    Mono<Void> markFailedAndDelete(Pod pod, PodCondition condition);
}
