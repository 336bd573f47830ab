package io.kube4j.node.pod;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import io.kube4j.node.runtime.ContainerStatus;
import io.kube4j.node.runtime.Sandbox;

/** One pod's objects in the runtime: its sandboxes and containers (all attempts), as listed now. */
public record PodRuntimeState(String podUid, List<Sandbox> sandboxes, List<ContainerStatus> containers) {

    public static PodRuntimeState of(String podUid, List<Sandbox> allSandboxes, List<ContainerStatus> allContainers) {
        List<Sandbox> s = new ArrayList<>();
        for (Sandbox x : allSandboxes) {
            if (podUid.equals(x.podUid())) {
                s.add(x);
            }
        }
        List<ContainerStatus> c = new ArrayList<>();
        for (ContainerStatus x : allContainers) {
            if (podUid.equals(x.podUid())) {
                c.add(x);
            }
        }
        return new PodRuntimeState(podUid, List.copyOf(s), List.copyOf(c));
    }

    /** The newest sandbox (highest attempt, then newest). */
    public Optional<Sandbox> latestSandbox() {
        return sandboxes.stream().max(Comparator.comparingInt(Sandbox::attempt)
                .thenComparing(Sandbox::createdAt, Comparator.nullsFirst(Comparator.naturalOrder())));
    }

    /** The newest container of that name (highest attempt). */
    public Optional<ContainerStatus> latest(String containerName) {
        return containers.stream().filter(c -> containerName.equals(c.containerName()))
                .max(Comparator.comparingInt(ContainerStatus::attempt)
                        .thenComparing(ContainerStatus::createdAt, Comparator.nullsFirst(Comparator.naturalOrder())));
    }

    /** The newest exited container of that name older than {@code latest} (its "last state"). */
    public Optional<ContainerStatus> previous(String containerName, ContainerStatus latest) {
        return containers.stream().filter(c -> containerName.equals(c.containerName()))
                .filter(c -> c.state() == ContainerStatus.State.EXITED)
                .filter(c -> latest == null || (!c.id().equals(latest.id()) && c.attempt() < latest.attempt()))
                .max(Comparator.comparingInt(ContainerStatus::attempt));
    }

    public List<ContainerStatus> running() {
        return containers.stream().filter(ContainerStatus::running).toList();
    }

    public boolean isEmpty() {
        return sandboxes.isEmpty() && containers.isEmpty();
    }
}
