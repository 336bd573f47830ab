package io.kube4j.scheduler.framework;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;

/**
 * A node with the pods placed on it and what they request. The cache mutates its own instances under its lock; a
 * {@link Snapshot} holds copies that plugins read, never change, during a cycle. {@code generation} grows on every
 * change so a snapshot copies only the nodes that changed.
 */
public final class NodeInfo {

    private Node node;
    // Read by filters on every node of every cycle: kept here, so a filter reads this object rather than chasing
    // the Node's metadata and spec (with 5,000 nodes those are cache misses).
    private String name;
    private boolean unschedulable;
    // requested, nonZeroRequested and allocatable's cpu/memory/ephemeral-storage as plain fields, refreshed whenever
    // those change: node-resources filters and scores read them for every node without a hop to a Resources object.
    private long requestedMilliCpu;
    private long requestedMemory;
    private long requestedEphemeralStorage;
    private long nonZeroRequestedMilliCpu;
    private long nonZeroRequestedMemory;
    private long allocatableMilliCpu;
    private long allocatableMemory;
    private long allocatableEphemeralStorage;
    private List<Taint> taints = List.of();
    private final List<PodEntry> pods;
    private Resources requested;
    private Resources nonZeroRequested;
    private Resources allocatable;
    private long allowedPodNumber;
    private long generation;
    // Host ports the node's pods bind (immutable; replaced on change, shared by copies).
    private List<HostPorts.HostPort> usedPorts = List.of();
    // The pods with inter-pod (anti-)affinity, their terms parsed once (Kubernetes' PodsWithAffinity and
    // PodsWithRequiredAntiAffinity), so InterPodAffinity looks only at these.
    private final List<PodAffinityInfo> podsWithAffinity;
    private final List<PodAffinityInfo> podsWithRequiredAntiAffinity;

    /** A pod on the node with its requests computed once. */
    public record PodEntry(Pod pod, String key, Resources requests, Resources nonZeroRequests) {

        static PodEntry of(Pod pod) {
            return new PodEntry(pod, PodKeys.key(pod), PodRequests.of(pod), PodRequests.nonZero(pod));
        }
    }

    public NodeInfo() {
        this.pods = new ArrayList<>();
        this.requested = Resources.ZERO;
        this.nonZeroRequested = Resources.ZERO;
        this.allocatable = Resources.ZERO;
        this.podsWithAffinity = new ArrayList<>(0);
        this.podsWithRequiredAntiAffinity = new ArrayList<>(0);
    }

    /** A node info for {@code node} holding {@code pods} (for tests and simulations). */
    public static NodeInfo of(Node node, Pod... pods) {
        NodeInfo info = new NodeInfo();
        info.setNode(node);
        for (Pod p : pods) {
            info.addPod(p);
        }
        return info;
    }

    private NodeInfo(NodeInfo o) {
        this.node = o.node;
        this.name = o.name;
        this.unschedulable = o.unschedulable;
        this.taints = o.taints;
        this.pods = new ArrayList<>(o.pods);
        this.requested = o.requested;
        this.nonZeroRequested = o.nonZeroRequested;
        this.allocatable = o.allocatable;
        this.requestedMilliCpu = o.requestedMilliCpu;
        this.requestedMemory = o.requestedMemory;
        this.requestedEphemeralStorage = o.requestedEphemeralStorage;
        this.nonZeroRequestedMilliCpu = o.nonZeroRequestedMilliCpu;
        this.nonZeroRequestedMemory = o.nonZeroRequestedMemory;
        this.allocatableMilliCpu = o.allocatableMilliCpu;
        this.allocatableMemory = o.allocatableMemory;
        this.allocatableEphemeralStorage = o.allocatableEphemeralStorage;
        this.allowedPodNumber = o.allowedPodNumber;
        this.generation = o.generation;
        this.usedPorts = o.usedPorts;
        this.podsWithAffinity = new ArrayList<>(o.podsWithAffinity);
        this.podsWithRequiredAntiAffinity = new ArrayList<>(o.podsWithRequiredAntiAffinity);
    }

    /** A copy sharing the (immutable) pods and resources. */
    public NodeInfo copy() {
        return new NodeInfo(this);
    }

    /** The node, or null while only pods bound to a node the cache has not seen yet are known. */
    public Node node() {
        return node;
    }

    public String name() {
        return name;
    }

    /** Whether the node is cordoned ({@code spec.unschedulable}). */
    public boolean unschedulable() {
        return unschedulable;
    }

    /** The node's taints ({@code spec.taints}), never null. */
    public List<Taint> taints() {
        return taints;
    }

    public List<PodEntry> pods() {
        return Collections.unmodifiableList(pods);
    }

    /** How many pods are on the node ({@code pods().size()} without a view object). */
    public int podCount() {
        return pods.size();
    }

    /** The pods here with pod affinity or anti-affinity, terms parsed. */
    public List<PodAffinityInfo> podsWithAffinity() {
        return Collections.unmodifiableList(podsWithAffinity);
    }

    /** The pods here with required pod anti-affinity, terms parsed. */
    public List<PodAffinityInfo> podsWithRequiredAntiAffinity() {
        return Collections.unmodifiableList(podsWithRequiredAntiAffinity);
    }

    private void requestedChanged() {
        requestedMilliCpu = requested.milliCpu();
        requestedMemory = requested.memory();
        requestedEphemeralStorage = requested.ephemeralStorage();
        nonZeroRequestedMilliCpu = nonZeroRequested.milliCpu();
        nonZeroRequestedMemory = nonZeroRequested.memory();
    }

    /** {@code requested().milliCpu()}, read without the Resources object. */
    public long requestedMilliCpu() {
        return requestedMilliCpu;
    }

    /** {@code requested().memory()}, read without the Resources object. */
    public long requestedMemory() {
        return requestedMemory;
    }

    /** {@code requested().ephemeralStorage()}, read without the Resources object. */
    public long requestedEphemeralStorage() {
        return requestedEphemeralStorage;
    }

    /** {@code nonZeroRequested().milliCpu()}, read without the Resources object. */
    public long nonZeroRequestedMilliCpu() {
        return nonZeroRequestedMilliCpu;
    }

    /** {@code nonZeroRequested().memory()}, read without the Resources object. */
    public long nonZeroRequestedMemory() {
        return nonZeroRequestedMemory;
    }

    /** {@code allocatable().milliCpu()}, read without the Resources object. */
    public long allocatableMilliCpu() {
        return allocatableMilliCpu;
    }

    /** {@code allocatable().memory()}, read without the Resources object. */
    public long allocatableMemory() {
        return allocatableMemory;
    }

    /** {@code allocatable().ephemeralStorage()}, read without the Resources object. */
    public long allocatableEphemeralStorage() {
        return allocatableEphemeralStorage;
    }

    public Resources requested() {
        return requested;
    }

    /** Requests with Kubernetes' defaults for containers without CPU or memory requests; used for scoring. */
    public Resources nonZeroRequested() {
        return nonZeroRequested;
    }

    /** The node's allocatable resources (capacity when no allocatable is reported). */
    public Resources allocatable() {
        return allocatable;
    }

    public long allowedPodNumber() {
        return allowedPodNumber;
    }

    /** The host ports the node's pods bind. */
    public List<HostPorts.HostPort> usedPorts() {
        return usedPorts;
    }

    public long generation() {
        return generation;
    }

    public void setGeneration(long generation) {
        this.generation = generation;
    }

    public void setNode(Node node) {
        this.node = node;
        this.name = node == null ? null : node.getMetadata().getName();
        this.unschedulable = node != null && node.getSpec() != null
                && Boolean.TRUE.equals(node.getSpec().getUnschedulable());
        List<Taint> t = node == null || node.getSpec() == null ? null : node.getSpec().getTaints();
        this.taints = t == null || t.isEmpty() ? List.of() : List.copyOf(t);
        Map<String, Quantity> alloc = null;
        if (node != null && node.getStatus() != null) {
            alloc = node.getStatus().getAllocatable();
            if (alloc == null || alloc.isEmpty()) {
                alloc = node.getStatus().getCapacity();
            }
        }
        this.allocatable = Resources.of(alloc);
        this.allocatableMilliCpu = allocatable.milliCpu();
        this.allocatableMemory = allocatable.memory();
        this.allocatableEphemeralStorage = allocatable.ephemeralStorage();
        this.allowedPodNumber = alloc == null ? 0 : Resources.value(alloc.get(Resources.PODS));
    }

    public void addPod(Pod pod) {
        PodEntry e = PodEntry.of(pod);
        pods.add(e);
        requested = requested.plus(e.requests());
        nonZeroRequested = nonZeroRequested.plus(e.nonZeroRequests());
        requestedChanged();
        if (PodAffinityInfo.hasAffinity(pod)) {
            PodAffinityInfo a = PodAffinityInfo.lenient(pod);
            podsWithAffinity.add(a);
            if (!a.requiredAntiAffinity().isEmpty()) {
                podsWithRequiredAntiAffinity.add(a);
            }
        }
        updateUsedPorts(pod, true);
    }

    private void updateUsedPorts(Pod pod, boolean add) {
        List<HostPorts.HostPort> ports = HostPorts.of(pod);
        if (ports.isEmpty()) {
            return;
        }
        List<HostPorts.HostPort> next = new ArrayList<>(usedPorts);
        if (add) {
            next.addAll(ports);
        } else {
            ports.forEach(next::remove);
        }
        usedPorts = List.copyOf(next);
    }

    /** Removes the pod with {@code pod}'s key; false when it was not here. */
    public boolean removePod(Pod pod) {
        String key = PodKeys.key(pod);
        for (int i = 0; i < pods.size(); i++) {
            PodEntry e = pods.get(i);
            if (e.key().equals(key)) {
                pods.remove(i);
                requested = requested.minus(e.requests());
                nonZeroRequested = nonZeroRequested.minus(e.nonZeroRequests());
                requestedChanged();
                updateUsedPorts(e.pod(), false);
                if (!podsWithAffinity.isEmpty()) {
                    podsWithAffinity.removeIf(a -> a.key().equals(key));
                    podsWithRequiredAntiAffinity.removeIf(a -> a.key().equals(key));
                }
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "NodeInfo{" + name() + ", pods=" + pods.size() + ", requested=" + requested + ", gen=" + generation
                + "}";
    }
}
