package io.kube4j.node.status;

/** Which resources the node is short of, as the Node's MemoryPressure, DiskPressure and PIDPressure conditions. */
public record NodePressure(boolean memory, boolean disk, boolean pid) {

    public static final NodePressure NONE = new NodePressure(false, false, false);
}
