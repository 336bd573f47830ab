package io.kube4j.node.source;

import java.util.Collection;

import io.fabric8.kubernetes.api.model.Pod;

/** Receives a source's pods: single changes (apiserver) or whole snapshots (file, http). */
public interface PodSourceListener {

    void upsert(String source, Pod pod);

    void remove(String source, Pod pod);

    /** The complete set of the source's pods now: pods of the source not in it are removed. */
    void snapshot(String source, Collection<Pod> pods);
}
