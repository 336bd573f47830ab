package io.kube4j.controller.common;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import reactor.core.publisher.Mono;

/**
 * The side effects a workload controller has on pods, as Kubernetes' {@code controller.PodControlInterface}: create a
 * pod from a template under a controller reference, delete a pod, each recording the event users look for
 * ({@code SuccessfulCreate}/{@code FailedCreate}, {@code SuccessfulDelete}/{@code FailedDelete}) on the owner.
 * Controllers take this interface so unit tests can record the calls instead of making them.
 */
public interface PodControl {

    /** Event reasons, as Kubernetes' {@code controller_utils.go}. */
    String SUCCESSFUL_CREATE = "SuccessfulCreate";
    String FAILED_CREATE = "FailedCreate";
    String SUCCESSFUL_DELETE = "SuccessfulDelete";
    String FAILED_DELETE = "FailedDelete";

    /**
     * Creates one pod in {@code namespace} from {@code template} (labels, annotations, finalizers and spec copied;
     * {@code generateName} {@code <owner>-}) controlled by {@code controllerRef}. Errors with the apiserver's error.
     */
    Mono<Pod> createPod(String namespace, PodTemplateSpec template, HasMetadata owner, OwnerReference controllerRef);

    /**
     * {@link #createPod} with the pod's {@code generateName} given (an Indexed Job's pods are {@code <job>-<index>-},
     * as Kubernetes names them); implementations that cannot name pods fall back to {@code <owner>-}.
     */
    default Mono<Pod> createPod(String namespace, PodTemplateSpec template, HasMetadata owner,
            OwnerReference controllerRef, String generateName) {
        return createPod(namespace, template, owner, controllerRef);
    }

    /** Deletes pod {@code namespace/name} of {@code owner}; a {@code NotFound} error means it was already gone. */
    Mono<Void> deletePod(String namespace, String name, HasMetadata owner);
}
