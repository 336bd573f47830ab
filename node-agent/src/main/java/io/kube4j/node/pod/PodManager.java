package io.kube4j.node.pod;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.node.agent.NodeContext;
import io.kube4j.node.runtime.ContainerStatus;
import io.kube4j.node.runtime.Sandbox;
import io.kube4j.node.source.ApiServerPodSource;
import io.kube4j.node.source.PodSource;
import io.kube4j.node.source.PodSourceListener;
import io.kube4j.node.source.StaticPods;
import io.kube4j.node.volume.VolumeManager;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's pods: merges the sources (apiserver, static manifests), hands each pod to its worker for syncing,
 * watches the runtime for container changes (a relisting PLEG), writes statuses, mirrors static pods to the
 * apiserver, deletes pods from the apiserver once they are stopped (as the kubelet does), and cleans up whatever
 * the runtime holds for pods that no source wants any more (after a crash, too).
 */
public final class PodManager implements ActivePods, PodSourceListener {

    private static final Logger log = LoggerFactory.getLogger(PodManager.class);

    private final NodeContext ctx;
    private final PodSyncer syncer;
    private final PodWorkers workers;
    private final PodStatusManager statuses;
    private final MirrorPods mirrors;
    private final VolumeManager volumes;
    private final ResourceClient<Pod> podClient;
    private final List<PodSource> sources = new ArrayList<>();
    private final ConcurrentHashMap<String, Record> records = new ConcurrentHashMap<>();
    private final Map<String, String> fingerprints = new HashMap<>(); // PLEG: pod uid -> runtime state
    private final AtomicInteger runningPods = new AtomicInteger();
    private final Timer startDuration;
    private final Gauge runningGauge;
    private volatile boolean orphansCleaned;
    private volatile boolean stopped;
    private java.util.concurrent.ScheduledFuture<?> pleg;

    private static final class Record {
        volatile Pod pod;
        volatile String source;
        volatile boolean removed;
        volatile PodStatusBuilder.Terminal verdict;
        final Instant firstSeen;
        volatile boolean startRecorded;
        volatile boolean deleteSent;

        Record(Pod pod, String source, Instant firstSeen) {
            this.pod = pod;
            this.source = source;
            this.firstSeen = firstSeen;
        }
    }

    public PodManager(NodeContext ctx, PodSyncer syncer, VolumeManager volumes, java.util.concurrent.Executor executor) {
        this.ctx = ctx;
        this.syncer = syncer;
        this.volumes = volumes;
        this.podClient = ctx.client().resources(Pod.class);
        this.workers = new PodWorkers(executor, ctx.scheduler(), this::syncPod);
        this.mirrors = new MirrorPods(ctx, podClient);
        this.statuses = new PodStatusManager(podClient, pod -> StaticPods.isStatic(pod) ? mirrors.mirrorOf(pod) : pod);
        this.startDuration = Timer.builder("kubelet.pod.start.duration.seconds")
                .description("Duration from the node agent seeing a pod to the pod running")
                .tag("node", ctx.nodeName()).publishPercentileHistogram().register(ctx.meters());
        this.runningGauge = Gauge.builder("kubelet.running.pods", runningPods, AtomicInteger::get)
                .description("Pods that have a running sandbox").tag("node", ctx.nodeName()).register(ctx.meters());
    }

    public void addSource(PodSource source) {
        sources.add(source);
    }

    /** Starts the sources and the PLEG. */
    public void start() {
        for (PodSource s : sources) {
            s.start(this);
        }
        mirrors.start(this::mirrorChanged);
        long period = ctx.properties().relistPeriod().toMillis();
        pleg = ctx.scheduler().scheduleWithFixedDelay(this::relistAsync, period, period,
                java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    public void stop() {
        stopped = true;
        if (pleg != null) {
            pleg.cancel(false);
        }
        sources.forEach(PodSource::stop);
        mirrors.stop();
        workers.stop();
        ctx.meters().remove(runningGauge); // a new manager for this node registers its own
    }

    public boolean sourcesReady() {
        return sources.stream().allMatch(PodSource::ready);
    }

    // ------------------------------------------------------------------------------------------ sources

    @Override
    public void upsert(String source, Pod pod) {
        if (StaticPods.isMirror(pod)) {
            mirrors.observed(pod);
            return;
        }
        if (pod.getKind() == null) {
            pod.setKind("Pod");
            pod.setApiVersion("v1");
        }
        String uid = pod.getMetadata().getUid();
        boolean[] changed = {true};
        Record r = records.compute(uid, (k, old) -> {
            if (old == null) {
                return new Record(pod, source, ctx.clock().now());
            }
            changed[0] = old.removed || !sameDesiredState(old.pod, pod);
            old.pod = pod;
            old.source = source;
            old.removed = false;
            return old;
        });
        if (StaticPods.isStatic(r.pod)) {
            mirrors.want(r.pod);
        }
        // the agent's own status writes come back as updates: they need no sync (as the kubelet's pod config
        // reconciles status-only changes without one), unless readiness gates make others' conditions matter
        if (changed[0] || (pod.getSpec().getReadinessGates() != null && !pod.getSpec().getReadinessGates().isEmpty())) {
            workers.enqueue(uid);
        }
    }

    /** True when only the status differs: spec, labels, annotations and deletion are the same. */
    private static boolean sameDesiredState(Pod a, Pod b) {
        var ma = a.getMetadata();
        var mb = b.getMetadata();
        return java.util.Objects.equals(ma.getDeletionTimestamp(), mb.getDeletionTimestamp())
                && java.util.Objects.equals(ma.getDeletionGracePeriodSeconds(), mb.getDeletionGracePeriodSeconds())
                && java.util.Objects.equals(ma.getLabels(), mb.getLabels())
                && java.util.Objects.equals(ma.getAnnotations(), mb.getAnnotations())
                && java.util.Objects.equals(a.getSpec(), b.getSpec());
    }

    @Override
    public void remove(String source, Pod pod) {
        if (StaticPods.isMirror(pod)) {
            mirrors.observedGone(pod);
            return;
        }
        Record r = records.get(pod.getMetadata().getUid());
        if (r != null && source.equals(r.source)) {
            r.pod = pod;
            r.removed = true;
            workers.enqueue(pod.getMetadata().getUid());
        }
    }

    @Override
    public void snapshot(String source, Collection<Pod> pods) {
        Set<String> present = new HashSet<>();
        for (Pod p : pods) {
            present.add(p.getMetadata().getUid());
            Record existing = records.get(p.getMetadata().getUid());
            if (existing == null || existing.removed) {
                upsert(source, p);
            }
        }
        for (Record r : records.values()) {
            if (source.equals(r.source) && !present.contains(r.pod.getMetadata().getUid()) && !r.removed) {
                r.removed = true;
                mirrors.unwant(r.pod);
                workers.enqueue(r.pod.getMetadata().getUid());
            }
        }
    }

    private void mirrorChanged(String staticUid) {
        workers.enqueue(staticUid);
    }

    // ------------------------------------------------------------------------------------------ ActivePods

    @Override
    public List<Pod> activePods() {
        List<Pod> out = new ArrayList<>();
        for (Record r : records.values()) {
            if (!r.removed && r.pod.getMetadata().getDeletionTimestamp() == null) {
                PodStatus s = statuses.cached(r.pod.getMetadata().getUid());
                String phase = s != null ? s.getPhase() : r.pod.getStatus() == null ? null : r.pod.getStatus().getPhase();
                if (!PodStatusBuilder.isTerminalPhase(phase)) {
                    out.add(withCachedStatus(r.pod));
                }
            }
        }
        return out;
    }

    @Override
    public Pod pod(String podUid) {
        Record r = records.get(podUid);
        return r == null ? null : withCachedStatus(r.pod);
    }

    /** Every pod the node knows (including terminated ones not yet deleted), with the agent's view of its status. */
    public List<Pod> allPods() {
        return records.values().stream().map(r -> withCachedStatus(r.pod)).toList();
    }

    @Override
    public List<Pod> knownPods() {
        return records.values().stream().filter(r -> !r.removed).map(r -> withCachedStatus(r.pod)).toList();
    }

    @Override
    public void evict(String podUid, String message) {
        Record r = records.get(podUid);
        if (r == null) {
            return;
        }
        r.verdict = new PodStatusBuilder.Terminal("Failed", "Evicted", message);
        ctx.events().event(r.pod, "Warning", "Evicted", message);
        workers.enqueue(podUid);
    }

    private Pod withCachedStatus(Pod pod) {
        PodStatus s = statuses.cached(pod.getMetadata().getUid());
        if (s == null) {
            return pod;
        }
        return new Pod(pod.getApiVersion(), pod.getKind(), pod.getMetadata(), pod.getSpec(), s);
    }

    // ------------------------------------------------------------------------------------------ sync

    private void syncPod(String uid) {
        if (stopped) {
            return;
        }
        Record r = records.get(uid);
        if (r == null) {
            cleanOrphan(uid);
            return;
        }
        Pod pod = r.pod;
        PodRuntimeState state = syncer.relist(uid);
        if (r.removed || pod.getMetadata().getDeletionTimestamp() != null) {
            terminate(uid, r, pod, state);
            return;
        }
        PodStatus last = statuses.cached(uid);
        if (last == null) {
            last = StaticPods.isStatic(pod) ? mirrorStatus(pod) : pod.getStatus();
        }
        if (r.verdict == null && PodSyncer.ready(last)) {
            // a Ready pod whose containers died (a crash, an engine restart): report it as it is before this sync
            // starts them again, as the kubelet does, so that clients see it NotReady and the Ready transition
            PodStatus observed = syncer.observedStatus(pod, state, last);
            if (!PodSyncer.ready(observed) && !PodStatusBuilder.isTerminalPhase(observed.getPhase())) {
                statuses.setStatus(pod, observed);
            }
        }
        PodSyncer.Outcome out = syncer.sync(pod, state, last, r.verdict);
        statuses.setStatus(pod, out.status());
        if (out.running() && !r.startRecorded) {
            r.startRecorded = true;
            startDuration.record(Duration.between(r.firstSeen, ctx.clock().now()));
        }
        if (StaticPods.isStatic(pod)) {
            mirrors.want(pod);
        }
        Duration next = out.requeueAfter();
        Duration deadline = syncer.untilDeadline(pod, out.status());
        Duration periodic = jitter(ctx.properties().syncFrequency());
        next = next == null ? periodic : next.compareTo(periodic) < 0 ? next : periodic;
        if (deadline != null && !PodStatusBuilder.isTerminalPhase(out.status().getPhase()) && deadline.compareTo(next) < 0) {
            next = deadline.plusMillis(100);
        }
        workers.enqueueAfter(uid, next);
    }

    private void terminate(String uid, Record r, Pod pod, PodRuntimeState state) {
        if (!state.isEmpty()) {
            Duration grace = syncer.grace(pod);
            syncer.killPod(pod, state, grace);
            PodRuntimeState after = syncer.relist(uid);
            if (!r.removed && !StaticPods.isStatic(pod)) {
                PodStatus last = statuses.cached(uid);
                statuses.setStatus(pod, syncer.terminatedStatus(pod, last != null ? last : pod.getStatus(), after));
            }
            syncer.cleanup(uid, after);
        } else {
            volumes.tearDown(uid);
        }
        if (StaticPods.isStatic(pod)) {
            mirrors.unwant(pod);
            finish(uid);
            return;
        }
        if (r.removed) {
            finish(uid); // already gone from the apiserver
            return;
        }
        // the final delete, with grace 0 and the UID as precondition (a pod recreated under the name survives)
        if (!r.deleteSent) {
            r.deleteSent = true;
            podClient.delete(pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                    new DeleteOptions(0L, null, uid, null)).subscribe(ok -> { }, err -> {
                        if (err instanceof ApiStatusException a && (a.code() == 404 || a.code() == 409)) {
                            finish(uid);
                        } else {
                            log.warn("final delete of pod {}/{} failed: {}", pod.getMetadata().getNamespace(),
                                    pod.getMetadata().getName(), err.toString());
                            r.deleteSent = false;
                            workers.enqueueAfter(uid, Duration.ofSeconds(2));
                        }
                    });
        }
        // the informer's DELETED event marks the record removed and finishes it
    }

    private void finish(String uid) {
        records.remove(uid);
        statuses.forget(uid);
        workers.forget(uid);
    }

    private void cleanOrphan(String uid) {
        if (!sourcesReady()) {
            return; // the sources have not said yet which pods are wanted
        }
        PodRuntimeState state = syncer.relist(uid);
        if (!state.isEmpty()) {
            log.info("removing pod {} from the runtime: no source wants it", uid);
            syncer.killPod(null, state, Duration.ofSeconds(2));
            syncer.cleanup(uid, syncer.relist(uid));
        } else {
            volumes.tearDown(uid);
        }
        workers.forget(uid);
    }

    // ------------------------------------------------------------------------------------------ PLEG

    private void relistAsync() {
        if (stopped) {
            return;
        }
        try {
            relist();
        } catch (RuntimeException e) {
            log.warn("relisting the runtime failed: {}", e.getMessage());
        }
    }

    /** Compares the runtime with the last listing and syncs every pod whose containers changed. */
    synchronized void relist() {
        List<Sandbox> sandboxes = ctx.runtime().listSandboxes();
        List<ContainerStatus> containers = ctx.runtime().listContainers();
        Map<String, StringBuilder> now = new HashMap<>();
        int running = 0;
        for (Sandbox s : sandboxes) {
            now.computeIfAbsent(s.podUid(), k -> new StringBuilder()).append(s.id()).append(':').append(s.state())
                    .append(';');
            if (s.ready()) {
                running++;
            }
        }
        for (ContainerStatus c : containers) {
            now.computeIfAbsent(c.podUid(), k -> new StringBuilder()).append(c.id()).append(':').append(c.state())
                    .append(';');
        }
        runningPods.set(running);
        Set<String> changed = new HashSet<>();
        for (var e : now.entrySet()) {
            String fp = e.getValue().toString();
            if (!fp.equals(fingerprints.get(e.getKey()))) {
                changed.add(e.getKey());
            }
            fingerprints.put(e.getKey(), fp);
        }
        fingerprints.keySet().removeIf(uid -> !now.containsKey(uid));
        boolean ready = sourcesReady();
        for (String uid : changed) {
            if (records.containsKey(uid) || ready) {
                workers.enqueue(uid);
            }
        }
        if (ready && !orphansCleaned) {
            orphansCleaned = true;
            for (String uid : now.keySet()) {
                if (!records.containsKey(uid)) {
                    workers.enqueue(uid);
                }
            }
            for (String uid : volumes.podsWithVolumes()) {
                if (!records.containsKey(uid) && !now.containsKey(uid)) {
                    volumes.tearDown(uid);
                }
            }
        }
    }

    private PodStatus mirrorStatus(Pod staticPod) {
        Pod m = mirrors.mirrorOf(staticPod);
        return m == null ? null : m.getStatus();
    }

    private static Duration jitter(Duration d) {
        long ms = d.toMillis();
        return Duration.ofMillis(ms + ThreadLocalRandom.current().nextLong(Math.max(1, ms / 10)));
    }

    /** Syncs the pod soon (a probe result changed, a volume's content changed, ...). */
    public void podChanged(String podUid) {
        workers.enqueue(podUid);
    }

    public int workerCount() {
        return workers.size();
    }
}
