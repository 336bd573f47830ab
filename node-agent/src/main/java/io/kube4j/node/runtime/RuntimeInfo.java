package io.kube4j.node.runtime;

/**
 * What the engine reports about itself and the host: {@code runtimeName} ("docker", "hollow"), versions, and the
 * CPUs, memory and storage it can use (for the Node's capacity and nodeInfo).
 */
public record RuntimeInfo(String runtimeName, String runtimeVersion, String apiVersion, String operatingSystem,
                          String kernelVersion, String osImage, String architecture, int cpus, long memoryBytes,
                          long storageBytes, String cgroupDriver) {

    /** {@code docker://20.10.24}, as Kubernetes writes nodeInfo.containerRuntimeVersion. */
    public String containerRuntimeVersion() {
        return runtimeName + "://" + runtimeVersion;
    }
}
