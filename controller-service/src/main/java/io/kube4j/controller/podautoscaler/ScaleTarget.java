package io.kube4j.controller.podautoscaler;

/**
 * What the {@code scale} subresource (autoscaling/v1 Scale) says of an HPA's target: the wanted replicas, the
 * replicas that exist, and the selector of its pods as a string (empty when the target has none).
 */
public record ScaleTarget(int specReplicas, int statusReplicas, String selector) {
}
