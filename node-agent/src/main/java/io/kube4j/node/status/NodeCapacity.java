package io.kube4j.node.status;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Quantity;
import io.kube4j.node.config.NodeAgentProperties;
import io.kube4j.node.eviction.NodeSignals;
import io.kube4j.node.eviction.ProcNodeSignals;
import io.kube4j.node.runtime.RuntimeInfo;

/**
 * A Node's capacity and allocatable. Capacity: the runtime's CPUs, memory and storage, each bounded by the host
 * cgroup's limit when that is smaller, and {@code maxPods}. Allocatable, as the kubelet computes it: capacity minus
 * the reservations, minus the hard eviction thresholds for memory and ephemeral storage, never below zero.
 */
public record NodeCapacity(Map<String, Quantity> capacity, Map<String, Quantity> allocatable) {

    public static NodeCapacity compute(RuntimeInfo info, CgroupLimits limits, NodeAgentProperties p) {
        long cpuMillis = info.cpus() * 1000L;
        if (limits.cpuMillis().isPresent() && limits.cpuMillis().getAsLong() < cpuMillis) {
            cpuMillis = limits.cpuMillis().getAsLong();
        }
        long memory = info.memoryBytes();
        if (limits.memoryBytes().isPresent() && limits.memoryBytes().getAsLong() < memory) {
            memory = limits.memoryBytes().getAsLong();
        }
        long storage = Math.max(0, info.storageBytes());

        NodeAgentProperties.Reserved r = p.reserved();
        long cpuReserved = millis(r.cpu(), "kube4j.node.reserved.cpu");
        long memReserved = bytes(r.memory(), "kube4j.node.reserved.memory")
                + p.eviction().memoryAvailable().toBytes();
        long storageReserved = bytes(r.ephemeralStorage(), "kube4j.node.reserved.ephemeral-storage")
                + storage * p.eviction().nodefsAvailablePercent() / 100;

        Map<String, Quantity> cap = new LinkedHashMap<>();
        cap.put("cpu", cpu(cpuMillis));
        cap.put("ephemeral-storage", new Quantity(Long.toString(storage)));
        cap.put("memory", memory(memory));
        cap.put("pods", new Quantity(Integer.toString(p.maxPods())));
        Map<String, Quantity> alloc = new LinkedHashMap<>();
        alloc.put("cpu", cpu(Math.max(0, cpuMillis - cpuReserved)));
        alloc.put("ephemeral-storage", new Quantity(Long.toString(Math.max(0, storage - storageReserved))));
        alloc.put("memory", memory(Math.max(0, memory - memReserved)));
        alloc.put("pods", new Quantity(Integer.toString(p.maxPods())));
        return new NodeCapacity(Map.copyOf(cap), Map.copyOf(alloc));
    }

    /**
     * The host's CPUs, memory and the size of the file system holding {@code storageDir} (read as eviction reads them,
     * {@link ProcNodeSignals}), as a runtime would report them: what a node without a container engine advertises, so
     * that its capacity is known (and bounded by the cgroup limits as usual) before the engine answers. Versions are
     * blank; what cannot be read is 0.
     */
    public static RuntimeInfo hostResources(Path storageDir) {
        NodeSignals.Observation host = new ProcNodeSignals(storageDir).observe();
        return new RuntimeInfo("", "", "", "linux", System.getProperty("os.version"), "", System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(), Math.max(0, host.memoryCapacityBytes()),
                Math.max(0, host.nodefsCapacityBytes()), "");
    }

    static Quantity cpu(long millis) {
        return millis % 1000 == 0 ? new Quantity(Long.toString(millis / 1000)) : new Quantity(millis + "m");
    }

    /** Kibibytes when exact, as the kubelet writes memory; bytes otherwise. */
    static Quantity memory(long bytes) {
        return bytes % 1024 == 0 ? new Quantity(bytes / 1024 + "Ki") : new Quantity(Long.toString(bytes));
    }

    static long millis(String quantity, String property) {
        return amount(quantity, property).movePointRight(3).longValue();
    }

    static long bytes(String quantity, String property) {
        return amount(quantity, property).longValue();
    }

    private static BigDecimal amount(String quantity, String property) {
        if (quantity == null || quantity.isBlank()) {
            return BigDecimal.ZERO;
        }
        try {
            BigDecimal v = Quantity.getAmountInBytes(new Quantity(quantity.trim()));
            if (v.signum() < 0) {
                throw new IllegalArgumentException(property + " must not be negative, got '" + quantity + "'");
            }
            return v;
        } catch (IllegalArgumentException | ArithmeticException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(property)) {
                throw e;
            }
            throw new IllegalArgumentException(property + " is not a valid quantity: '" + quantity + "'", e);
        }
    }
}
