package io.kube4j.node.env;

import java.math.BigDecimal;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Quantity;
import io.kube4j.node.config.NodeAgentProperties;
import io.kube4j.node.runtime.RuntimeInfo;

/**
 * The node's allocatable cpu (cores), memory and ephemeral storage (bytes): the runtime's host resources minus the
 * reservations (and the hard memory eviction threshold), as the kubelet computes allocatable. Used as the value of
 * a resourceFieldRef to a limit the container does not set.
 */
public final class NodeAllocatable {

    private NodeAllocatable() {
    }

    public static Map<String, BigDecimal> of(RuntimeInfo info, NodeAgentProperties props) {
        BigDecimal cpu = BigDecimal.valueOf(info.cpus());
        BigDecimal memory = BigDecimal.valueOf(info.memoryBytes());
        BigDecimal storage = BigDecimal.valueOf(info.storageBytes());
        if (props != null && props.reserved() != null) {
            cpu = cpu.subtract(amount(props.reserved().cpu()));
            memory = memory.subtract(amount(props.reserved().memory()));
            storage = storage.subtract(amount(props.reserved().ephemeralStorage()));
        }
        if (props != null && props.eviction() != null && props.eviction().enabled()
                && props.eviction().memoryAvailable() != null) {
            memory = memory.subtract(BigDecimal.valueOf(props.eviction().memoryAvailable().toBytes()));
        }
        return Map.of("cpu", cpu.max(BigDecimal.ZERO), "memory", memory.max(BigDecimal.ZERO),
                "ephemeral-storage", storage.max(BigDecimal.ZERO));
    }

    private static BigDecimal amount(String q) {
        return q == null || q.isBlank() ? BigDecimal.ZERO : new Quantity(q).getNumericalAmount();
    }
}
