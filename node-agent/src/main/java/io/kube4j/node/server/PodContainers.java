package io.kube4j.node.server;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.node.pod.ActivePods;
import io.kube4j.node.runtime.ContainerRuntime;
import io.kube4j.node.runtime.ContainerStatus;

/** Finds a pod this node runs and the runtime container behind one of its containers (blocking: lists the runtime). */
final class PodContainers {

    private final ActivePods pods;
    private final ContainerRuntime runtime;

    PodContainers(ActivePods pods, ContainerRuntime runtime) {
        this.pods = pods;
        this.runtime = runtime;
    }

    Pod pod(String namespace, String name) {
        // terminated pods too: a finished pod's logs are served until it is deleted (exec and attach then find its
        // containers not running and say so)
        return pods.knownPods().stream()
                .filter(p -> name.equals(p.getMetadata().getName()) && namespace.equals(p.getMetadata().getNamespace()))
                .findFirst()
                .orElseThrow(() -> NodeApiException.notFound("pod \"" + namespace + "/" + name + "\" not found on this node"));
    }

    /** The container's latest attempt, or with {@code previous} the latest exited attempt before it. */
    ContainerStatus container(String namespace, String podName, String container, boolean previous) {
        Pod pod = pod(namespace, podName);
        if (!declared(pod, container)) {
            throw NodeApiException.badRequest("container " + container + " is not valid for pod " + podName);
        }
        String uid = pod.getMetadata().getUid();
        List<ContainerStatus> attempts = runtime.listContainers().stream()
                .filter(c -> uid.equals(c.podUid()) && container.equals(c.containerName()))
                .sorted(Comparator.comparingInt(ContainerStatus::attempt)
                        .thenComparing(c -> c.createdAt() == null ? java.time.Instant.EPOCH : c.createdAt()).reversed())
                .toList();
        if (attempts.isEmpty()) {
            if (previous) {
                throw NodeApiException.notFound("previous terminated container \"" + container + "\" in pod \""
                        + podName + "\" not found");
            }
            throw NodeApiException.badRequest("container \"" + container + "\" in pod \"" + podName
                    + "\" is waiting to start: ContainerCreating");
        }
        ContainerStatus latest = attempts.get(0);
        if (!previous) {
            return latest;
        }
        return attempts.stream()
                .filter(c -> c.attempt() < latest.attempt() && c.state() == ContainerStatus.State.EXITED)
                .findFirst()
                .orElseThrow(() -> NodeApiException.notFound("previous terminated container \"" + container
                        + "\" in pod \"" + podName + "\" not found"));
    }

    /** The latest attempt, which must be running (exec, attach). */
    ContainerStatus running(String namespace, String podName, String container) {
        ContainerStatus c = container(namespace, podName, container, false);
        if (!c.running()) {
            throw NodeApiException.badRequest("container \"" + container + "\" in pod \"" + podName
                    + "\" is not running (state " + c.state() + ")");
        }
        return c;
    }

    /** The pod's IP: from its status, else from its ready sandbox. */
    Optional<String> podIp(Pod pod) {
        if (pod.getStatus() != null && pod.getStatus().getPodIP() != null && !pod.getStatus().getPodIP().isBlank()) {
            return Optional.of(pod.getStatus().getPodIP());
        }
        String uid = pod.getMetadata().getUid();
        return runtime.listSandboxes().stream()
                .filter(s -> uid.equals(s.podUid()) && s.ready() && s.ip() != null && !s.ip().isBlank())
                .max(Comparator.comparingInt(io.kube4j.node.runtime.Sandbox::attempt))
                .map(io.kube4j.node.runtime.Sandbox::ip);
    }

    private static boolean declared(Pod pod, String name) {
        if (pod.getSpec() == null) {
            return false;
        }
        Stream<String> names = Stream.of(
                        Optional.ofNullable(pod.getSpec().getContainers()).orElse(List.of()).stream().map(Container::getName),
                        Optional.ofNullable(pod.getSpec().getInitContainers()).orElse(List.of()).stream().map(Container::getName),
                        Optional.ofNullable(pod.getSpec().getEphemeralContainers()).orElse(List.of()).stream()
                                .map(EphemeralContainer::getName))
                .flatMap(s -> s);
        return names.anyMatch(name::equals);
    }
}
