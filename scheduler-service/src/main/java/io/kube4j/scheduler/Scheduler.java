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
import io.kube4j.scheduler.metrics.SchedulerMetrics;
import io.kube4j.scheduler.plugins.AssignedPodHints;
import io.kube4j.scheduler.queue.ClusterEvent;
import io.kube4j.scheduler.plugins.volumebinding.VolumeBinding;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
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
    private final SchedulerMetrics metrics;
    private final Clock clock;
    private final NodeHandler nodeHandler = new NodeHandler();
    private final PodHandler podHandler = new PodHandler();
    private volatile Thread loop;
    private volatile boolean running;
    private boolean informersStarted;
    private volatile AttemptObserver attemptObserver = (pod, result, nanos) -> {
    };

    /** Told the outcome and duration of every scheduling attempt (for benchmarks; the metrics record them too). */
    @FunctionalInterface
    public interface AttemptObserver {
        /**
         * @param result {@code scheduled}, {@code unschedulable} or {@code error}, as Kubernetes'
         *               {@code scheduler_schedule_attempts_total}
         * @param nanos  from the pop to the end of the attempt; for a scheduled pod that is the end of its binding,
         *               as Kubernetes' {@code scheduler_scheduling_attempt_duration_seconds}
         */
        void attempted(Pod pod, String result, long nanos);
    }

    public Scheduler(KubeClient client, SharedInformerFactory informers, List<Framework> profiles,
            EventRecorder events, Clock clock, Settings settings) {
        this(client, informers, profiles, events, clock, settings, SchedulerMetrics.noop());
    }

    public Scheduler(KubeClient client, SharedInformerFactory informers, List<Framework> profiles,
            EventRecorder events, Clock clock, Settings settings, SchedulerMetrics metrics) {
        this(Objects.requireNonNull(client), Objects.requireNonNull(informers), profiles,
                Objects.requireNonNull(events), clock, settings, metrics, true);
    }

    /**
     * A scheduler without an apiserver (in-process benchmarks): nodes and pods come in through {@link #nodeEvents()}
     * and {@link #podEvents()}, the profiles' bind plugins do the binding, and a failed pod is only requeued (no
     * condition, no event). Start it with {@link #startLoop()}.
     */
    public static Scheduler inProcess(List<Framework> profiles, Clock clock, Settings settings) {
        return new Scheduler(null, null, profiles, null, clock, settings, SchedulerMetrics.noop(), false);
    }

    private Scheduler(KubeClient client, SharedInformerFactory informers, List<Framework> profiles,
            EventRecorder events, Clock clock, Settings settings, SchedulerMetrics metrics, boolean withApiServer) {
        this.client = client;
        this.metrics = Objects.requireNonNull(metrics);
        this.clock = Objects.requireNonNull(clock);
        this.informers = informers;
        this.events = events;
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
        // filters account for pods nominated by preemption (Kubernetes' frameworks share the queue's nominator)
        profiles.forEach(fw -> fw.setNominator(queue.nominator()));
        metrics.registerQueue(queue);
        profiles.forEach(fw -> {
            fw.setPluginMetrics(metrics);
            fw.setPreemptionMetrics(metrics);
        });
        AtomicInteger n = new AtomicInteger();
        this.binders = Executors.newFixedThreadPool(settings.bindingThreads(), r -> daemon(r,
                "scheduler-binder-" + n.incrementAndGet()));
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "scheduler-housekeeping"));
        this.podInformer = withApiServer ? informers.informerFor(Pod.class, null) : null;
        this.nodeInformer = withApiServer ? informers.informerFor(Node.class, null) : null;
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

    /** The scheduler's metrics (also the {@code PreemptionMetrics} a preemption plugin reports to). */
    public SchedulerMetrics metrics() {
        return metrics;
    }

    /** The cache, for metrics and tests. */
    public SchedulerCache cache() {
        return cache;
    }

    /** The framework of the profile serving {@code schedulerName}, or null. */
    public Framework framework(String schedulerName) {
        return frameworks.get(schedulerName);
    }

    /** A fresh, private copy of the cluster as the scheduler sees it now (assumed pods included), for simulations. */
    public Snapshot snapshotCopy() {
        Snapshot copy = new Snapshot();
        cache.updateSnapshot(copy);
        return copy;
    }

    /** The handler the node informer feeds; an {@link #inProcess} scheduler is fed through it directly. */
    public ResourceEventHandler<Node> nodeEvents() {
        return nodeHandler;
    }

    /** The handler the pod informer feeds; an {@link #inProcess} scheduler is fed through it directly. */
    public ResourceEventHandler<Pod> podEvents() {
        return podHandler;
    }

    /** Sets who is told about each scheduling attempt. */
    public void observeAttempts(AttemptObserver observer) {
        this.attemptObserver = Objects.requireNonNull(observer);
    }

    /** Registers the event handlers, starts the informers, waits for their caches and starts scheduling. */
    public void start(Duration syncTimeout) {
        startInformers(syncTimeout);
        startScheduling();
    }

    /**
     * Registers the event handlers, starts the informers and waits for their caches: the cache and the queue follow
     * the cluster from now on, so a standby replica is ready to schedule the moment it is elected.
     */
    public synchronized void startInformers(Duration syncTimeout) {
        if (informersStarted) {
            return;
        }
        informersStarted = true;
        nodeInformer.addEventHandler(nodeHandler);
        podInformer.addEventHandler(podHandler);
        if (usesVolumeBinding()) {
            // pods parked for a missing claim, an unbound immediate claim or a PV not cached yet may fit now
            informers.informerFor(PersistentVolumeClaim.class, null).addEventHandler(new StorageHandler<>());
            informers.informerFor(PersistentVolume.class, null).addEventHandler(new StorageHandler<>());
            informers.informerFor(StorageClass.class, null).addEventHandler(new StorageHandler<>());
        }
        informers.startAll();
        if (!informers.waitForCacheSync(syncTimeout)) {
            throw new IllegalStateException("the scheduler's informers did not sync within " + syncTimeout);
        }
        housekeeping.scheduleWithFixedDelay(this::housekeep, 1, 1, TimeUnit.SECONDS);
    }

    /** Starts an {@link #inProcess} scheduler: its housekeeping and its scheduling loop. */
    public synchronized void startLoop() {
        if (podInformer != null) {
            throw new IllegalStateException("startLoop is for in-process schedulers; use start");
        }
        if (!informersStarted) {
            informersStarted = true;
            housekeeping.scheduleWithFixedDelay(this::housekeep, 1, 1, TimeUnit.SECONDS);
        }
        startScheduling();
    }

    /** Starts the scheduling loop (the leader's job); the informers must have been started. */
    public synchronized void startScheduling() {
        if (!informersStarted) {
            throw new IllegalStateException("start the informers first");
        }
        if (running) {
            return;
        }
        running = true;
        loop = daemon(this::run, "scheduler-loop");
        loop.start();
    }

    /**
     * Stops the scheduling loop after the cycle in progress (leadership lost); bindings already under way finish,
     * and the apiserver refuses to bind a pod twice. The informers keep the cache and queue current.
     */
    public void stopScheduling() {
        Thread l;
        synchronized (this) {
            running = false;
            l = loop;
        }
        if (l != null && l != Thread.currentThread()) {
            try {
                // the cycle in progress ends well within the renew deadline's margin before the lease expires
                l.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether the scheduling loop runs (this replica leads, or runs without leader election). */
    public boolean isScheduling() {
        return running;
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
        // a loop stopped and replaced (leadership lost and won again) ends even if running is true again
        while (running && loop == Thread.currentThread()) {
            try {
                QueuedPodInfo info = queue.pop(Duration.ofSeconds(1));
                if (info != null && !(running && loop == Thread.currentThread())) {
                    // Scheduling stopped (leadership lost) while we waited: the pod goes back for the next leader.
                    queue.update(null, info.pod());
                    return;
                }
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
        long start = System.nanoTime();
        Pod pod = info.pod();
        Framework fw = frameworks.get(schedulerName(pod));
        if (fw == null || pod.getMetadata().getDeletionTimestamp() != null || cache.contains(pod)) {
            return;
        }
        long cycle = queue.schedulingCycle();
        cache.updateSnapshot(snapshot);
        CycleState state = new CycleState();
        state.setRecordPluginMetrics(metrics.samplePluginMetrics());
        ScheduleResult result;
        try {
            result = fw.schedule(state, pod, snapshot);
        } catch (FitError e) {
            PostFilterResult pf = fw.runPostFilter(state, pod, e.nodeStatuses());
            if (pf.nominatedNodeName() != null && !pf.nominatedNodeName().isEmpty()) {
                log.debug("pod {} nominated to {}", PodKeys.key(pod), pf.nominatedNodeName());
            }
            // as Kubernetes: "0/3 nodes are available: 3 Insufficient cpu. preemption: ..."
            String postFilterMsg = pf.status().message();
            fail(info.withUnschedulablePlugins(e.unschedulablePlugins()), cycle, true,
                    postFilterMsg.isEmpty() ? e.getMessage() : e.getMessage() + " " + postFilterMsg,
                    pf.nominatedNodeName());
            attempted(fw, pod, SchedulerMetrics.UNSCHEDULABLE, start);
            return;
        } catch (RuntimeException e) {
            log.warn("scheduling {} failed: {}", PodKeys.key(pod), e.toString());
            fail(info, cycle, false, e.getMessage());
            attempted(fw, pod, SchedulerMetrics.ERROR, start);
            return;
        }
        String host = result.suggestedHost();
        Pod assumed = AssumedPod.of(pod, host);
        cache.assumePod(assumed);
        queue.nominator().delete(pod);
        Status s = fw.runReserve(state, assumed, host);
        if (s.isSuccess()) {
            s = fw.runPermit(state, assumed, host);
        }
        if (!s.isSuccess()) {
            fw.runUnreserve(state, assumed, host);
            cache.forgetPod(assumed);
            fail(info, cycle, s.isRejected(), s.message());
            attempted(fw, pod, s.isRejected() ? SchedulerMetrics.UNSCHEDULABLE : SchedulerMetrics.ERROR, start);
            return;
        }
        binders.execute(() -> bindingCycle(fw, state, info, assumed, host, cycle, start));
    }

    private void bindingCycle(Framework fw, CycleState state, QueuedPodInfo info, Pod assumed, String host,
            long cycle, long start) {
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
            attempted(fw, info.pod(), SchedulerMetrics.ERROR, start);
            return;
        }
        cache.finishBinding(assumed);
        attempted(fw, info.pod(), SchedulerMetrics.SCHEDULED, start);
        metrics.podScheduled(info.attempts(),
                Duration.between(info.initialAttemptTimestamp(), clock.now()).toNanos());
        fw.runPostBind(state, assumed, host);
        if (events != null) {
            events.event(info.pod(), EventRecorder.NORMAL, "Scheduled",
                    "Successfully assigned " + PodKeys.key(assumed) + " to " + host);
        }
    }

    /**
     * Reports one attempt's outcome and its duration since {@code start} (the pop), measured once, to the metrics and
     * the attempt observer; for a failure after the failure was handled, as Kubernetes' handleSchedulingFailure.
     */
    private void attempted(Framework fw, Pod pod, String result, long start) {
        long nanos = System.nanoTime() - start;
        metrics.attempt(result, fw.profile().schedulerName(), nanos);
        attemptObserver.attempted(pod, result, nanos);
    }

    /** Requeues a pod that could not be scheduled and tells its owner why, unless it is gone or bound meanwhile. */
    private void fail(QueuedPodInfo info, long cycle, boolean unschedulable, String message) {
        fail(info, cycle, unschedulable, message, null);
    }

    /**
     * As {@link #fail(QueuedPodInfo, long, boolean, String)}, and sets the pod's {@code status.nominatedNodeName} to
     * {@code nominatedNode} ("" clears it; null keeps what the pod has), in the queue's nominator at once and in the
     * same status write as the condition (Kubernetes' {@code handleSchedulingFailure}).
     */
    private void fail(QueuedPodInfo info, long cycle, boolean unschedulable, String message, String nominatedNode) {
        Pod pod = info.pod();
        if (podInformer == null) {
            // In process: no apiserver to ask whether the pod still exists or to tell its owner.
            if (unschedulable) {
                queue.addUnschedulable(info, cycle);
            } else {
                queue.addAfterError(info);
            }
            return;
        }
        Lister<Pod> pods = podInformer.lister();
        Pod current = pods.get(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
        if (current == null || !Objects.equals(current.getMetadata().getUid(), pod.getMetadata().getUid())
                || assigned(current)) {
            return;
        }
        QueuedPodInfo latest = info.withPod(current);
        queue.nominator().add(current, nominatedNode);
        if (unschedulable) {
            queue.addUnschedulable(latest, cycle);
        } else {
            queue.addAfterError(latest);
        }
        String reason = unschedulable ? "Unschedulable" : "SchedulerError";
        events.event(current, EventRecorder.WARNING, "FailedScheduling", message);
        String nomination = nominatedNode == null || nominatedNode.isEmpty() ? null : nominatedNode;
        if (hasCondition(current, reason, message) && (nominatedNode == null
                || Objects.equals(nomination, current.getStatus().getNominatedNodeName()))) {
            return;
        }
        client.resources(Pod.class).updateWithRetry(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                p -> {
                    if (assigned(p)) {
                        return p;
                    }
                    setCondition(p, reason, message);
                    if (nominatedNode != null) {
                        p.getStatus().setNominatedNodeName(nomination);
                    }
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

    private boolean usesVolumeBinding() {
        return frameworks.values().stream().anyMatch(fw -> fw.profile().plugins().stream()
                .anyMatch(p -> VolumeBinding.NAME.equals(p.name())));
    }

    /** Storage objects changed: every parked pod is retried (Kubernetes' VolumeBinding events, without hints). */
    private final class StorageHandler<T> implements ResourceEventHandler<T> {
        @Override
        public void onAdd(T obj) {
            queue.moveAllToActiveOrBackoff(ClusterEvent.STORAGE_CHANGE);
        }

        @Override
        public void onUpdate(T oldObj, T newObj) {
            queue.moveAllToActiveOrBackoff(ClusterEvent.STORAGE_CHANGE);
        }
    }

    static boolean schedulingRelevantChange(Node a, Node b) {
        return !Objects.equals(a.getSpec(), b.getSpec())
                || !Objects.equals(localPathDir(a), localPathDir(b))
                || !Objects.equals(a.getMetadata().getLabels(), b.getMetadata().getLabels())
                || !Objects.equals(a.getStatus() == null ? null : a.getStatus().getAllocatable(),
                        b.getStatus() == null ? null : b.getStatus().getAllocatable());
    }

    private static String localPathDir(Node n) {
        return n.getMetadata().getAnnotations() == null ? null
                : n.getMetadata().getAnnotations().get(VolumeBinding.LOCAL_PATH_DIR_ANNOTATION);
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
        Thread l;
        synchronized (this) {
            l = loop;
        }
        try {
            if (l != null) {
                l.join(5000);
            }
            binders.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        binders.shutdownNow();
    }
}
