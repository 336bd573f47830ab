package io.kube4j.scheduler.framework;

/** Orders the active queue; exactly one per profile. */
public interface QueueSortPlugin extends Plugin {

    /** Negative when {@code a} should be scheduled before {@code b}. */
    int compare(QueuedPodInfo a, QueuedPodInfo b);
}
