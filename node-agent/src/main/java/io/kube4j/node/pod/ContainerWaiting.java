package io.kube4j.node.pod;

/**
 * Why a container is not running, as the last sync found it: {@code ContainerCreating}, {@code PodInitializing},
 * {@code CrashLoopBackOff}, {@code ErrImagePull}, {@code ImagePullBackOff}, {@code ErrImageNeverPull},
 * {@code CreateContainerConfigError}, {@code CreateContainerError}, {@code RunContainerError}.
 */
public record ContainerWaiting(String reason, String message) {
}
