package io.kube4j.controller.podautoscaler;

/** Reads and writes a workload's {@code scale} subresource (Kubernetes' {@code scale.ScalesGetter}). */
public interface ScaleClient {

    /** The target's scale; throws an exception with Kubernetes' message when the kind is unknown or has no scale. */
    ScaleTarget get(String namespace, String apiVersion, String kind, String name);

    /** Sets the target's {@code spec.replicas}. */
    void update(String namespace, String apiVersion, String kind, String name, int replicas);
}
