package io.kube4j.scheduler.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.client.util.Clock;
import io.kube4j.scheduler.framework.PodKeys;
import io.kube4j.scheduler.framework.QueueSortPlugin;
import io.kube4j.scheduler.framework.QueuedPodInfo;

/**
 * Kubernetes' priority queue of pods to schedule, in three parts: the active queue (ordered by the profile's
 * {@link QueueSortPlugin}), the backoff queue (pods that failed, waiting out 1 s doubling up to 10 s) and the
 * unschedulable pods (parked until a {@link ClusterEvent} or until they waited {@code maxUnschedulableStay}).
 * A cluster event that happens while a pod is being scheduled sends that pod to backoff rather than parking it, so the
 * event is not lost. Thread-safe; time comes from the injected {@link Clock}.
 */
public final class SchedulingQueue {

    private final Clock clock;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration maxUnschedulableStay;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final TreeSet<QueuedPodInfo> active;
    private final TreeSet<QueuedPodInfo> backoff;
    private final Map<String, QueuedPodInfo> activeByKey = new HashMap<>();
    private final Map<String, QueuedPodInfo> backoffByKey = new HashMap<>();
    private final Map<String, QueuedPodInfo> unschedulable = new HashMap<>();
    private long schedulingCycle;
    private long moveRequestCycle = -1;
    private boolean closed;
    private final Nominator nominator = new Nominator();

    public SchedulingQueue(QueueSortPlugin sort, Clock clock, Duration initialBackoff, Duration maxBackoff,
            Duration maxUnschedulableStay) {
        this.clock = Objects.requireNonNull(clock);
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.maxUnschedulableStay = maxUnschedulableStay;
        this.active = new TreeSet<>(((Comparator<QueuedPodInfo>) sort::compare)
                .thenComparing(QueuedPodInfo::key));
        this.backoff = new TreeSet<>(Comparator.comparing(this::backoffExpiry).thenComparing(QueuedPodInfo::key));
    }

    /** A new pod to schedule. */
    public void add(Pod pod) {
        lock.lock();
        try {
            String key = PodKeys.key(pod);
            removeEverywhere(key);
            pushActive(QueuedPodInfo.of(pod, clock.now()));
            nominator.add(pod, null);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A pod in the queue changed. A parked pod whose spec changed may fit now, so it goes back to the active (or
     * backoff) queue; otherwise the pod is updated where it is. A pod in no queue (being scheduled) is added anew.
     */
    public void update(Pod oldPod, Pod newPod) {
        lock.lock();
        try {
            nominator.update(oldPod, newPod);
            String key = PodKeys.key(newPod);
            QueuedPodInfo a = activeByKey.get(key);
            if (a != null) {
                removeActive(key);
                pushActive(a.withPod(newPod));
                return;
            }
            QueuedPodInfo b = backoffByKey.get(key);
            if (b != null) {
                removeBackoff(key);
                pushBackoff(b.withPod(newPod));
                return;
            }
            QueuedPodInfo u = unschedulable.get(key);
            if (u != null) {
                QueuedPodInfo updated = u.withPod(newPod);
                if (oldPod != null && Objects.equals(oldPod.getSpec(), newPod.getSpec())) {
                    unschedulable.put(key, updated);
                } else {
                    unschedulable.remove(key);
                    requeueByBackoff(updated);
                }
                return;
            }
            pushActive(QueuedPodInfo.of(newPod, clock.now()));
        } finally {
            lock.unlock();
        }
    }

    /** A pod left the queue's concern (deleted, or bound by someone). */
    public void delete(Pod pod) {
        lock.lock();
        try {
            removeEverywhere(PodKeys.key(pod));
            nominator.delete(pod);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the next pod to schedule, waiting up to {@code timeout}; null on timeout or once closed. Starts a new
     * scheduling cycle.
     */
    public QueuedPodInfo pop(Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            long nanos = timeout.toNanos();
            while (active.isEmpty()) {
                if (closed || nanos <= 0) {
                    return null;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            QueuedPodInfo info = active.pollFirst();
            activeByKey.remove(info.key());
            schedulingCycle++;
            return info.withAttempt();
        } finally {
            lock.unlock();
        }
    }

    /** The cycle the last popped pod is scheduled in. */
    public long schedulingCycle() {
        lock.lock();
        try {
            return schedulingCycle;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns a pod that failed to schedule in {@code podSchedulingCycle}. It is parked as unschedulable, unless a
     * cluster event arrived since that cycle began (then it backs off) or the pod is queued again already.
     */
    public void addUnschedulable(QueuedPodInfo info, long podSchedulingCycle) {
        lock.lock();
        try {
            String key = info.key();
            if (activeByKey.containsKey(key) || backoffByKey.containsKey(key)) {
                return;
            }
            QueuedPodInfo stamped = info.withTimestamp(clock.now());
            if (moveRequestCycle >= podSchedulingCycle) {
                unschedulable.remove(key);
                pushBackoff(stamped);
            } else {
                unschedulable.put(key, stamped);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Returns a pod whose attempt failed with an error (not a fit problem): it backs off and is retried. */
    public void addAfterError(QueuedPodInfo info) {
        lock.lock();
        try {
            String key = info.key();
            if (activeByKey.containsKey(key) || backoffByKey.containsKey(key)) {
                return;
            }
            unschedulable.remove(key);
            pushBackoff(info.withTimestamp(clock.now()));
        } finally {
            lock.unlock();
        }
    }

    /** A cluster event: every parked pod goes back to the active queue, or to backoff if its backoff is not over. */
    public void moveAllToActiveOrBackoff(ClusterEvent event) {
        lock.lock();
        try {
            List<QueuedPodInfo> parked = new ArrayList<>(unschedulable.values());
            unschedulable.clear();
            for (QueuedPodInfo info : parked) {
                requeueByBackoff(info);
            }
            moveRequestCycle = schedulingCycle;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A cluster event that can help only some parked pods (Kubernetes' queueing hints): those {@code mayHelp} accepts
     * go back to the active queue, or to backoff if their backoff is not over; the others stay parked.
     */
    public void moveToActiveOrBackoff(ClusterEvent event, java.util.function.Predicate<QueuedPodInfo> mayHelp) {
        lock.lock();
        try {
            List<QueuedPodInfo> moved = new ArrayList<>();
            for (QueuedPodInfo info : unschedulable.values()) {
                if (mayHelp.test(info)) {
                    moved.add(info);
                }
            }
            for (QueuedPodInfo info : moved) {
                unschedulable.remove(info.key());
                requeueByBackoff(info);
            }
            moveRequestCycle = schedulingCycle;
        } finally {
            lock.unlock();
        }
    }

    /** Moves pods whose backoff is over to the active queue (run every second). */
    public void flushBackoffCompleted() {
        lock.lock();
        try {
            Instant now = clock.now();
            while (!backoff.isEmpty() && !backoffExpiry(backoff.first()).isAfter(now)) {
                QueuedPodInfo info = backoff.pollFirst();
                backoffByKey.remove(info.key());
                pushActive(info);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Moves pods parked longer than {@code maxUnschedulableStay} back to be retried (run periodically). */
    public void flushUnschedulableLeftover() {
        lock.lock();
        try {
            Instant now = clock.now();
            List<QueuedPodInfo> due = new ArrayList<>();
            for (QueuedPodInfo info : unschedulable.values()) {
                if (!info.timestamp().plus(maxUnschedulableStay).isAfter(now)) {
                    due.add(info);
                }
            }
            for (QueuedPodInfo info : due) {
                unschedulable.remove(info.key());
                requeueByBackoff(info);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The backoff after {@code attempts} failed attempts: initial, doubling, at most the maximum. */
    public Duration backoffDuration(int attempts) {
        Duration d = initialBackoff;
        for (int i = 1; i < attempts; i++) {
            d = d.multipliedBy(2);
            if (d.compareTo(maxBackoff) >= 0) {
                return maxBackoff;
            }
        }
        return d;
    }

    /** The pods nominated to nodes (by preemption), kept in step with the pods this queue sees. */
    public Nominator nominator() {
        return nominator;
    }

    /** Wakes {@link #pop} callers; later pops return null once the active queue is empty. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Pending pod counts by queue: {@code active}, {@code backoff}, {@code unschedulable}. */
    public Map<String, Integer> pendingCounts() {
        lock.lock();
        try {
            return Map.of("active", active.size(), "backoff", backoff.size(), "unschedulable", unschedulable.size());
        } finally {
            lock.unlock();
        }
    }

    /** Where the pod with this key waits: {@code active}, {@code backoff}, {@code unschedulable} or null. */
    public String whereIs(String key) {
        lock.lock();
        try {
            if (activeByKey.containsKey(key)) {
                return "active";
            }
            if (backoffByKey.containsKey(key)) {
                return "backoff";
            }
            return unschedulable.containsKey(key) ? "unschedulable" : null;
        } finally {
            lock.unlock();
        }
    }

    private Instant backoffExpiry(QueuedPodInfo info) {
        return info.timestamp().plus(backoffDuration(info.attempts()));
    }

    private void requeueByBackoff(QueuedPodInfo info) {
        if (backoffExpiry(info).isAfter(clock.now())) {
            pushBackoff(info);
        } else {
            pushActive(info);
        }
    }

    private void pushActive(QueuedPodInfo info) {
        active.add(info);
        activeByKey.put(info.key(), info);
        notEmpty.signal();
    }

    private void pushBackoff(QueuedPodInfo info) {
        backoff.add(info);
        backoffByKey.put(info.key(), info);
    }

    private void removeActive(String key) {
        QueuedPodInfo a = activeByKey.remove(key);
        if (a != null) {
            active.remove(a);
        }
    }

    private void removeBackoff(String key) {
        QueuedPodInfo b = backoffByKey.remove(key);
        if (b != null) {
            backoff.remove(b);
        }
    }

    private void removeEverywhere(String key) {
        removeActive(key);
        removeBackoff(key);
        unschedulable.remove(key);
    }
}
