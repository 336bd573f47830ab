package io.kube4j.addons.logging.collect;

import java.util.List;

/**
 * The containers of this node's pods, from the container engine: the collector's one view of the runtime, behind an
 * interface so the collector's rules (read to the end after removal, checkpoints, label waits) are tested with a fake.
 */
public interface ContainerDirectory extends AutoCloseable {

    /** Every pod container of this node that still exists (running or exited), sandboxes excluded. */
    List<ContainerInfo> list();

    /** Calls {@code onChange} soon after a container of this node is created, started, dies or is removed. */
    void watch(Runnable onChange);

    @Override
    default void close() {
    }
}
