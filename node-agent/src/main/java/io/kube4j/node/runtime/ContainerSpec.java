package io.kube4j.node.runtime;

import java.util.List;
import java.util.Map;

/**
 * A container to create in a sandbox. {@code command} replaces the image's entrypoint and {@code args} its cmd
 * (either may be empty: keep the image's). {@code env} is ordered. Resources are Docker's units: CPU shares from the
 * request, a CFS quota from the limit (millicores), and a memory limit (0: none). {@code attempt} is the
 * restart count this container starts with; {@code hash} identifies the spec it was made from.
 */
public record ContainerSpec(String podUid, String podName, String namespace, String name, String image,
                            List<String> command, List<String> args, List<EnvVar> env, String workingDir,
                            List<Mount> mounts, long cpuRequestMillis, long cpuLimitMillis, long memoryLimitBytes,
                            boolean tty, boolean stdin, boolean stdinOnce, int attempt, String hash,
                            String terminationMessagePath, Long runAsUser, boolean privileged,
                            Map<String, String> labels) {

    public ContainerSpec {
        command = command == null ? List.of() : List.copyOf(command);
        args = args == null ? List.of() : List.copyOf(args);
        env = env == null ? List.of() : List.copyOf(env);
        mounts = mounts == null ? List.of() : List.copyOf(mounts);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
    }

    public record EnvVar(String name, String value) {
    }

    /**
     * A mount into the container: a host path (bind) or, when {@code volumeName} is set, an engine volume made by
     * {@link ContainerRuntime#ensureTmpfsVolume}.
     */
    public record Mount(String hostPath, String volumeName, String containerPath, boolean readOnly) {

        public static Mount bind(String hostPath, String containerPath, boolean readOnly) {
            return new Mount(hostPath, null, containerPath, readOnly);
        }

        public static Mount volume(String volumeName, String containerPath, boolean readOnly) {
            return new Mount(null, volumeName, containerPath, readOnly);
        }
    }
}
