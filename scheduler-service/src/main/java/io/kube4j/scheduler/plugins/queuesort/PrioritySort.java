package io.kube4j.scheduler.plugins.queuesort;

import io.kube4j.scheduler.framework.QueueSortPlugin;
import io.kube4j.scheduler.framework.QueuedPodInfo;

/** Higher {@code spec.priority} first, then the pod queued earlier. */
public final class PrioritySort implements QueueSortPlugin {

    public static final String NAME = "PrioritySort";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int compare(QueuedPodInfo a, QueuedPodInfo b) {
        int byPriority = Integer.compare(b.priority(), a.priority());
        return byPriority != 0 ? byPriority : a.timestamp().compareTo(b.timestamp());
    }
}
