package io.kube4j.scheduler;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.kube4j.client.KubeClient;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.Lister;
import io.kube4j.client.informer.ResourceEventHandler;
import io.kube4j.client.informer.SharedIndexInformer;
import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.client.util.Clock;
import io.kube4j.scheduler.cache.SchedulerCache;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.FitError;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.PodKeys;
import io.kube4j.scheduler.framework.PostFilterResult;
import io.kube4j.scheduler.framework.QueuedPodInfo;
import io.kube4j.scheduler.framework.ScheduleResult;
import io.kube4j.scheduler.framework.Snapshot;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.scheduler.plugins.AssignedPodHints;
import io.kube4j.scheduler.queue.ClusterEvent;
import io.kube4j.scheduler.queue.SchedulingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scheduling loop, as kube-scheduler's {@code scheduleOne}: pop a pod, refresh the snapshot, run the profile's
 * filters and scores, assume the pod on the chosen node, reserve and permit on the scheduling thread, then pre-bind,
 * bind and post-bind on a binding thread so the next pod is scheduled meanwhile. A pod that fits nowhere gets
 * {@code PodScheduled=False/Unschedulable} with the reasons and a {@code FailedScheduling} event, and waits in the
 * queue for a cluster event.
 */
public final class Scheduler implements AutoCloseable {

    /** The {@code schedulerName} of pods that name none. */
    public static final String DEFAULT_SCHEDULER_NAME = "default-scheduler";

    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

    /** How the scheduler runs: timing and pools. */
    public record Settings(Duration podInitialBackoff, Duration podMaxBackoff, Duration unschedulableFlushInterval,
            Duration assumedPodTtl, int bindingThreads) {
    }

    private final KubeClient client;
    private final SharedInformerFactory informers;
    private final Map<String, Framework> frameworks = new LinkedHashMap<>();
    private final SchedulerCache cache;
    private final SchedulingQueue queue;
    private final EventRecorder events;
    private final Snapshot snapshot = new Snapshot();
    private final ExecutorService binders;
    private final ScheduledExecutorService housekeeping;
    private final SharedIndexInformer<Pod> podInformer;
    private final SharedIndexInformer<Node> nodeInformer;
    private final Thread loop;
    private volatile boolean running;

    public Scheduler(KubeClient client, SharedInformerFactory informers, List<Framework> profiles,
            EventRecorder events, Clock clock, Settings settings) {
        this.client = Objects.requireNonNull(client);
        this.informers = Objects.requireNonNull(informers);
        this.events = Objects.requireNonNull(events);
        if (profiles.isEmpty()) {
            throw new IllegalArgumentException("the scheduler needs at least one profile");
        }
        for (Framework fw : profiles) {
            if (frameworks.putIfAbsent(fw.profile().schedulerName(), fw) != null) {
                throw new IllegalArgumentException("two profiles serve schedulerName " + fw.profile().schedulerName());
            }
            // One queue serves every profile, so they must agree on its order (as Kubernetes requires).
            if (!fw.queueSort().name().equals(profiles.get(0).queueSort().name())) {
                throw new IllegalArgumentException("profiles must use the same queue sort plugin: "
                        + profiles.get(0).queueSort().name() + " vs " + fw.queueSort().name());
            }
        }
        this.cache = new SchedulerCache(clock, settings.assumedPodTtl());
        this.queue = new SchedulingQueue(profiles.get(0).queueSort(), clock, settings.podInitialBackoff(),
                settings.podMaxBackoff(), settings.unschedulableFlushInterval());
        AtomicInteger n = new AtomicInteger();
        this.binders = Executors.newFixedThreadPool(settings.bindingThreads(), r -> daemon(r,
                "scheduler-binder-" + n.incrementAndGet()));
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "scheduler-housekeeping"));
        this.podInformer = informers.informerFor(Pod.class, null);
        this.nodeInformer = informers.informerFor(Node.class, null);
        this.loop = daemon(this::run, "scheduler-loop");
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** The queue, for metrics and tests. */
    public SchedulingQueue queue() {
        return queue;
    }

    /** The cache, for metrics and tests. */
    public SchedulerCache cache() {
        return cache;
    }

    /** Registers the event handlers, starts the informers, waits for their caches and starts scheduling. */
    public void start(Duration syncTimeout) {
        nodeInformer.addEventHandler(new NodeHandler());
        podInformer.addEventHandler(new PodHandler());
        informers.startAll();
        if (!informers.waitForCacheSync(syncTimeout)) {
            throw new IllegalStateException("the scheduler's informers did not sync within " + syncTimeout);
        }
        running = true;
        housekeeping.scheduleWithFixedDelay(this::housekeep, 1, 1, TimeUnit.SECONDS);
        loop.start();
    }

    private void housekeep() {
        try {
            queue.flushBackoffCompleted();
            queue.flushUnschedulableLeftover();
            if (!cache.cleanupExpiredAssumedPods().isEmpty()) {
                queue.moveAllToActiveOrBackoff(ClusterEvent.ASSIGNED_POD_DELETE);
            }
        } catch (RuntimeException e) {
            log.error("scheduler housekeeping failed", e);
        }
    }

    private void run() {
        while (running) {
            try {
                QueuedPodInfo info = queue.pop(Duration.ofSeconds(1));
                if (info != null) {
                    scheduleOne(info);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("scheduling loop error", e);
            }
        }
    }

    /** One scheduling cycle for one pod; the binding cycle continues on a binding thread. */
    void scheduleOne(QueuedPodInfo info) {
        Pod pod = info.pod();
        Framework fw = frameworks.get(schedulerName(pod));
        if (fw == null || pod.getMetadata().getDeletionTimestamp() != null || cache.contains(pod)) {
            return;
        }
        long cycle = queue.schedulingCycle();
        cache.updateSnapshot(snapshot);
        CycleState state = new CycleState();
        ScheduleResult result;
        try {
            result = fw.schedule(state, pod, snapshot);
        } catch (FitError e) {
            PostFilterResult pf = fw.runPostFilter(state, pod, e.nodeStatuses());
            if (pf.nominatedNodeName() != null) {
                log.debug("pod {} nominated to {}", PodKeys.key(pod), pf.nominatedNodeName());
            }
            fail(info.withUnschedulablePlugins(e.unschedulablePlugins()), cycle, true, e.getMessage());
            return;
        } catch (RuntimeException e) {
            log.warn("scheduling {} failed: {}", PodKeys.key(pod), e.toString());
            fail(info, cycle, false, e.getMessage());
            return;
        }
        String host = result.suggestedHost();
        Pod assumed = new PodBuilder(pod).editSpec().withNodeName(host).endSpec().build();
        cache.assumePod(assumed);
        Status s = fw.runReserve(state, assumed, host);
        if (s.isSuccess()) {
            s = fw.runPermit(state, assumed, host);
        }
        if (!s.isSuccess()) {
            fw.runUnreserve(state, assumed, host);
            cache.forgetPod(assumed);
            fail(info, cycle, s.isRejected(), s.message());
            return;
        }
        binders.execute(() -> bindingCycle(fw, state, info, assumed, host, cycle));
    }

    private void bindingCycle(Framework fw, CycleState state, QueuedPodInfo info, Pod assumed, String host,
            long cycle) {
        Status s;
        try {
            s = fw.runPreBind(state, assumed, host);
            if (s.isSuccess()) {
                s = fw.runBind(state, assumed, host);
            }
        } catch (RuntimeException e) {
            s = Status.error(e.toString());
        }
        if (!s.isSuccess()) {
            fw.runUnreserve(state, assumed, host);
            cache.forgetPod(assumed);
            // The room the pod was assumed to take is free again.
            queue.moveAllToActiveOrBackoff(ClusterEvent.ASSIGNED_POD_DELETE);
            log.info("binding {} to {} failed: {}", PodKeys.key(assumed), host, s.message());
            fail(info, cycle, false, s.message());
            return;
        }
        cache.finishBinding(assumed);
        fw.runPostBind(state, assumed, host);
        events.event(info.pod(), EventRecorder.NORMAL, "Scheduled",
                "Successfully assigned " + PodKeys.key(assumed) + " to " + host);
    }

    /** Requeues a pod that could not be scheduled and tells its owner why, unless it is gone or bound meanwhile. */
    private void fail(QueuedPodInfo info, long cycle, boolean unschedulable, String message) {
        Pod pod = info.pod();
        Lister<Pod> pods = podInformer.lister();
        Pod current = pods.get(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
        if (current == null || !Objects.equals(current.getMetadata().getUid(), pod.getMetadata().getUid())
                || assigned(current)) {
            return;
        }
        QueuedPodInfo latest = info.withPod(current);
        if (unschedulable) {
            queue.addUnschedulable(latest, cycle);
        } else {
            queue.addAfterError(latest);
        }
        String reason = unschedulable ? "Unschedulable" : "SchedulerError";
        events.event(current, EventRecorder.WARNING, "FailedScheduling", message);
        if (hasCondition(current, reason, message)) {
            return;
        }
        client.resources(Pod.class).updateWithRetry(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                p -> {
                    if (assigned(p)) {
                        return p;
                    }
                    setCondition(p, reason, message);
                    return p;
                }, true).subscribe(ok -> {
                }, e -> log.warn("could not record why {} is unschedulable: {}", PodKeys.key(pod), e.toString()));
    }

    private static boolean hasCondition(Pod pod, String reason, String message) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return false;
        }
        return pod.getStatus().getConditions().stream().anyMatch(c -> "PodScheduled".equals(c.getType())
                && "False".equals(c.getStatus()) && reason.equals(c.getReason()) && message.equals(c.getMessage()));
    }

    private static void setCondition(Pod pod, String reason, String message) {
        if (pod.getStatus() == null) {
            pod.setStatus(new PodStatus());
        }
        List<PodCondition> conditions = new java.util.ArrayList<>(
                pod.getStatus().getConditions() == null ? List.of() : pod.getStatus().getConditions());
        conditions.removeIf(c -> "PodScheduled".equals(c.getType()));
        conditions.add(new PodConditionBuilder().withType("PodScheduled").withStatus("False").withReason(reason)
                .withMessage(message).withLastTransitionTime(java.time.Instant.now().toString()).build());
        pod.getStatus().setConditions(conditions);
    }

    static String schedulerName(Pod pod) {
        String name = pod.getSpec() == null ? null : pod.getSpec().getSchedulerName();
        return name == null || name.isEmpty() ? DEFAULT_SCHEDULER_NAME : name;
    }

    static boolean assigned(Pod pod) {
        return pod.getSpec() != null && pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty();
    }

    static boolean terminal(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    private boolean responsibleFor(Pod pod) {
        return frameworks.containsKey(schedulerName(pod));
    }

    /** Turns node changes into cache updates and, when they could make a pod fit, queue moves. */
    private final class NodeHandler implements ResourceEventHandler<Node> {
        @Override
        public void onAdd(Node node) {
            cache.addNode(node);
            queue.moveAllToActiveOrBackoff(ClusterEvent.NODE_ADD);
        }

        @Override
        public void onUpdate(Node oldNode, Node newNode) {
            cache.updateNode(newNode);
            // Heartbeats change only conditions and timestamps; waking every parked pod for them would be waste.
            if (schedulingRelevantChange(oldNode, newNode)) {
                queue.moveAllToActiveOrBackoff(ClusterEvent.NODE_UPDATE);
            }
        }

        @Override
        public void onDelete(Node node, boolean finalStateUnknown) {
            cache.removeNode(node);
        }
    }

    static boolean schedulingRelevantChange(Node a, Node b) {
        return !Objects.equals(a.getSpec(), b.getSpec())
                || !Objects.equals(a.getMetadata().getLabels(), b.getMetadata().getLabels())
                || !Objects.equals(a.getStatus() == null ? null : a.getStatus().getAllocatable(),
                        b.getStatus() == null ? null : b.getStatus().getAllocatable());
    }

    /** Assigned pods feed the cache; unassigned pods this scheduler serves feed the queue. */
    private final class PodHandler implements ResourceEventHandler<Pod> {
        @Override
        public void onAdd(Pod pod) {
            if (assigned(pod)) {
                if (!terminal(pod)) {
                    cache.addPod(pod);
                    queue.moveToActiveOrBackoff(ClusterEvent.ASSIGNED_POD_ADD,
                            p -> AssignedPodHints.mayHelp(p, null, pod));
                }
            } else if (responsibleFor(pod) && !terminal(pod)) {
                queue.add(pod);
            }
        }

        @Override
        public void onUpdate(Pod oldPod, Pod newPod) {
            if (assigned(newPod)) {
                if (!assigned(oldPod)) {
                    queue.delete(newPod);
                }
                if (terminal(newPod)) {
                    cache.removePod(newPod);
                    queue.moveAllToActiveOrBackoff(ClusterEvent.ASSIGNED_POD_DELETE);
                } else {
                    cache.updatePod(newPod);
                    // Just bound (an add, for pods waiting on affinity or spreading), or relabelled.
                    Pod old = assigned(oldPod) ? oldPod : null;
                    if (old == null
                            || !Objects.equals(old.getMetadata().getLabels(), newPod.getMetadata().getLabels())) {
                        queue.moveToActiveOrBackoff(ClusterEvent.ASSIGNED_POD_ADD,
                                p -> AssignedPodHints.mayHelp(p, old, newPod));
                    }
                }
            } else if (responsibleFor(newPod)) {
                if (terminal(newPod)) {
                    queue.delete(newPod);
                } else {
                    queue.update(oldPod, newPod);
                }
            }
        }

        @Override
        public void onDelete(Pod pod, boolean finalStateUnknown) {
            if (assigned(pod)) {
                cache.removePod(pod);
                queue.moveAllToActiveOrBackoff(ClusterEvent.ASSIGNED_POD_DELETE);
            } else {
                queue.delete(pod);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        queue.close();
        housekeeping.shutdownNow();
        binders.shutdown();
        try {
            loop.join(5000);
            binders.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        binders.shutdownNow();
    }
}
