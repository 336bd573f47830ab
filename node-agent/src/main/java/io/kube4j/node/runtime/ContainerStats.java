package io.kube4j.node.runtime;

import java.time.Instant;

/**
 * One sample of a container's usage: cumulative CPU time (nanoseconds), memory usage and working set (usage minus
 * inactive file pages, as the kubelet reports it), RSS, and bytes written to its writable layer when known (-1).
 */
public record ContainerStats(Instant timestamp, long cpuUsageCoreNanoSeconds, long memoryUsageBytes,
                             long memoryWorkingSetBytes, long memoryRssBytes, long rootfsUsedBytes) {
}
