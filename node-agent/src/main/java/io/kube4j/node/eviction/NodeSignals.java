package io.kube4j.node.eviction;

/** Where eviction reads the node's resource levels from: {@link ProcNodeSignals} on a host, a fake in tests. */
public interface NodeSignals {

    /** One observation of the node now. */
    Observation observe();

    /**
     * Node-level resource levels; a value below zero means "unknown" (that signal is then never under pressure).
     *
     * @param memoryCapacityBytes memory the node has (MemTotal, or the cgroup limit when smaller)
     * @param memoryAvailableBytes capacity minus the working set
     * @param nodefsCapacityBytes size of the filesystem holding the agent's root directory
     * @param nodefsAvailableBytes bytes available to unprivileged users on it
     * @param pidMax              the kernel's pid_max
     * @param pidsInUse           processes and threads now (the total of /proc/loadavg)
     */
    record Observation(long memoryCapacityBytes, long memoryAvailableBytes, long nodefsCapacityBytes,
                       long nodefsAvailableBytes, long pidMax, long pidsInUse) {
    }
}
