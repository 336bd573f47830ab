package io.kube4j.controller.podautoscaler;

import java.time.Duration;
import java.time.Instant;

/**
 * One pod's usage of one resource as the resource metrics API reported it: {@code milliValue} in millicores for cpu,
 * milli-bytes for memory (Kubernetes' {@code MilliValue()}), measured over {@code window} ending at {@code timestamp}.
 */
public record PodMetric(long milliValue, Instant timestamp, Duration window) {
}
