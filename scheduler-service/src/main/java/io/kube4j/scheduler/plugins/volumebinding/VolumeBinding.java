package io.kube4j.scheduler.plugins.volumebinding;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.kube4j.client.KubeClient;
import io.kube4j.client.informer.ResourceEventHandler;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.FilterPlugin;
import io.kube4j.scheduler.framework.FrameworkHandle;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PluginArgs;
import io.kube4j.scheduler.framework.PreBindPlugin;
import io.kube4j.scheduler.framework.PreFilterPlugin;
import io.kube4j.scheduler.framework.ReservePlugin;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.scheduler.plugins.nodeaffinity.NodeAffinity;

/**
 * Kubernetes' {@code VolumeBinding}, simplified: it places pods whose PersistentVolumeClaims tie them to nodes and
 * makes their unbound claims bindable there.
 * <ul>
 * <li>PreFilter reads the pod's claims: a missing or terminating claim, or an unbound claim of an Immediate class,
 * rejects the pod (unresolvable: only a claim or class event helps).</li>
 * <li>Filter: a bound claim's PV {@code spec.nodeAffinity} must match the node ("node(s) had volume node affinity
 * conflict"); an unbound claim of a WaitForFirstConsumer class needs an Available PV of its class that fits (size,
 * access modes, node affinity; the smallest wins) or a provisioner that can provision on the node: for
 * {@code kube4j.io/local-path} the node must carry {@code kube4j.io/local-path-dir}, other provisioners except
 * {@code kubernetes.io/no-provisioner} are assumed able to (kube4j has no CSIStorageCapacity); else "node(s) didn't
 * find available persistent volumes to bind".</li>
 * <li>Reserve remembers the chosen static PVs so that pods scheduled meanwhile do not pick them too (the assume
 * cache); Unreserve forgets them.</li>
 * <li>PreBind pre-binds chosen static PVs ({@code claimRef}) or sets {@code volume.kubernetes.io/selected-node} on
 * claims to provision, then waits, woken by the PVC/PV informers' events, until every claim is Bound (the PV
 * controller's job), at most {@code bindTimeoutSeconds} (default 60): on timeout the pod goes back to the queue.</li>
 * </ul>
 * Not done: volume capacity tracking (CSIStorageCapacity), StorageClass {@code allowedTopologies}, claim selectors
 * other than {@code matchLabels}, generic ephemeral volumes.
 */
public final class VolumeBinding implements PreFilterPlugin, FilterPlugin, ReservePlugin, PreBindPlugin {

    public static final String NAME = "VolumeBinding";
    public static final String SELECTED_NODE_ANNOTATION = "volume.kubernetes.io/selected-node";
    public static final String LOCAL_PATH_PROVISIONER = "kube4j.io/local-path";
    public static final String LOCAL_PATH_DIR_ANNOTATION = "kube4j.io/local-path-dir";
    public static final String NO_PROVISIONER = "kubernetes.io/no-provisioner";
    public static final String BOUND_BY_CONTROLLER_ANNOTATION = "pv.kubernetes.io/bound-by-controller";
    /** Kubernetes' {@code ErrReasonBindConflict}. */
    public static final String ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
    /** Kubernetes' {@code ErrReasonNodeConflict}. */
    public static final String ERR_REASON_NODE_CONFLICT = "node(s) had volume node affinity conflict";
    public static final String ERR_UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims";
    public static final Duration DEFAULT_BIND_TIMEOUT = Duration.ofSeconds(60);
    private static final String STATE_KEY = "PreFilter" + NAME;

    private final VolumeObjects objects;
    private final KubeClient client;
    private final Duration bindTimeout;
    /** Static PVs chosen by a reserved pod not bound yet: PV name to claim key ("ns/name"). */
    private final Map<String, String> assumedVolumes = new ConcurrentHashMap<>();
    /** Notified on every PVC and PV event: PreBind waits on it for its claims to become Bound. */
    private final Object changes = new Object();

    /** A claim to bind and the static PV chosen for it on one node (null: to be provisioned there). */
    record Binding(PersistentVolumeClaim claim, PersistentVolume volume) {
    }

    /** The pod's claims, read in PreFilter; per-node choices written by Filter (called concurrently). */
    static final class PodVolumes {
        final List<PersistentVolume> boundVolumes = new ArrayList<>();
        final List<PersistentVolumeClaim> claimsToBind = new ArrayList<>();
        final Map<String, List<Binding>> bindingsByNode = new ConcurrentHashMap<>();
    }

    /** The plugin of a running scheduler: listers from {@code handle}'s informers, writes through its client. */
    public VolumeBinding(PluginArgs args, FrameworkHandle handle) {
        this(handle.informers() == null ? null : VolumeObjects.of(handle.informers()), handle.client(),
                bindTimeout(args));
        if (handle.informers() != null) {
            handle.informers().informerFor(PersistentVolumeClaim.class, null).addEventHandler(new Waker<>());
            handle.informers().informerFor(PersistentVolume.class, null).addEventHandler(new Waker<>());
        }
    }

    /** For tests: reads {@code objects}, writes through {@code client} (null: PreBind fails). */
    public VolumeBinding(VolumeObjects objects, KubeClient client, Duration bindTimeout) {
        this.objects = objects;
        this.client = client;
        this.bindTimeout = Objects.requireNonNull(bindTimeout);
    }

    static Duration bindTimeout(PluginArgs args) {
        args.requireOnly(null, "bindTimeoutSeconds");
        int s = args.integer("bindTimeoutSeconds", (int) DEFAULT_BIND_TIMEOUT.toSeconds());
        if (s <= 0) {
            throw args.invalid("bindTimeoutSeconds", "a positive number of seconds", s);
        }
        return Duration.ofSeconds(s);
    }

    @Override
    public String name() {
        return NAME;
    }

    // ---- PreFilter ----

    @Override
    public Status preFilter(CycleState state, Pod pod) {
        List<String> claimNames = claimNames(pod);
        if (claimNames.isEmpty()) {
            return Status.skip();
        }
        if (objects == null) {
            return Status.error("VolumeBinding has no PersistentVolumeClaim lister");
        }
        String ns = pod.getMetadata().getNamespace();
        PodVolumes pv = new PodVolumes();
        boolean unboundImmediate = false;
        for (String name : claimNames) {
            PersistentVolumeClaim claim = objects.claim(ns, name);
            if (claim == null) {
                return Status.unresolvable("persistentvolumeclaim \"" + name + "\" not found");
            }
            if (claim.getMetadata().getDeletionTimestamp() != null) {
                return Status.unresolvable("persistentvolumeclaim \"" + name + "\" is being deleted");
            }
            String volumeName = claim.getSpec() == null ? null : claim.getSpec().getVolumeName();
            if (volumeName != null && !volumeName.isEmpty()) {
                PersistentVolume volume = objects.volume(volumeName);
                if (volume == null) {
                    // bound to a PV the cache does not have (yet): a PV event may help
                    return Status.unschedulable("persistentvolume \"" + volumeName + "\" not found");
                }
                pv.boundVolumes.add(volume);
                continue;
            }
            String className = className(claim);
            StorageClass sc = className.isEmpty() ? null : objects.storageClass(className);
            if (!className.isEmpty() && sc == null) {
                return Status.unresolvable("storageclass.storage.k8s.io \"" + className + "\" not found");
            }
            if (sc != null && "WaitForFirstConsumer".equals(sc.getVolumeBindingMode())) {
                pv.claimsToBind.add(claim);
            } else {
                unboundImmediate = true;
            }
        }
        if (unboundImmediate) {
            return Status.unresolvable(ERR_UNBOUND_IMMEDIATE);
        }
        state.write(STATE_KEY, pv);
        return Status.success();
    }

    static List<String> claimNames(Pod pod) {
        if (pod.getSpec() == null || pod.getSpec().getVolumes() == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Volume v : pod.getSpec().getVolumes()) {
            if (v.getPersistentVolumeClaim() != null && v.getPersistentVolumeClaim().getClaimName() != null) {
                out.add(v.getPersistentVolumeClaim().getClaimName());
            }
        }
        return out;
    }

    private static String className(PersistentVolumeClaim claim) {
        String c = claim.getSpec() == null ? null : claim.getSpec().getStorageClassName();
        return c == null ? "" : c;
    }

    // ---- Filter ----

    @Override
    public Status filter(CycleState state, Pod pod, NodeInfo nodeInfo) {
        PodVolumes pv = state.read(STATE_KEY, PodVolumes.class);
        if (pv == null) {
            return Status.success();
        }
        Node node = nodeInfo.node();
        for (PersistentVolume volume : pv.boundVolumes) {
            if (!fitsNode(volume, node)) {
                return Status.unresolvable(ERR_REASON_NODE_CONFLICT);
            }
        }
        if (pv.claimsToBind.isEmpty()) {
            return Status.success();
        }
        List<Binding> bindings = new ArrayList<>();
        Set<String> chosen = new HashSet<>();
        for (PersistentVolumeClaim claim : pv.claimsToBind) {
            String selected = annotation(claim, SELECTED_NODE_ANNOTATION);
            if (selected != null && !selected.equals(nodeInfo.name())) {
                // a provisioner is already at work for another node
                return Status.unresolvable(ERR_REASON_BIND_CONFLICT);
            }
            PersistentVolume match = selected != null ? null : findMatchingVolume(claim, node, chosen);
            if (match != null) {
                chosen.add(match.getMetadata().getName());
                bindings.add(new Binding(claim, match));
            } else if (canProvision(claim, node)) {
                bindings.add(new Binding(claim, null));
            } else {
                return Status.unresolvable(ERR_REASON_BIND_CONFLICT);
            }
        }
        pv.bindingsByNode.put(nodeInfo.name(), bindings);
        return Status.success();
    }

    /** Whether the PV's required node affinity (none: any node) admits {@code node}. */
    static boolean fitsNode(PersistentVolume volume, Node node) {
        var affinity = volume.getSpec() == null ? null : volume.getSpec().getNodeAffinity();
        if (affinity == null || affinity.getRequired() == null) {
            return true;
        }
        return NodeAffinity.matchesNodeSelector(affinity.getRequired(), node);
    }

    /** The smallest Available PV of the claim's class that fits it and the node, not chosen by another pod. */
    PersistentVolume findMatchingVolume(PersistentVolumeClaim claim, Node node, Set<String> chosenForPod) {
        String key = claimKey(claim);
        PersistentVolume best = null;
        for (PersistentVolume v : objects.volumes()) {
            String name = v.getMetadata().getName();
            if (chosenForPod.contains(name) || v.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            String assumedFor = assumedVolumes.get(name);
            if (assumedFor != null && !assumedFor.equals(key)) {
                continue;
            }
            ObjectReference ref = v.getSpec().getClaimRef();
            if (ref != null && !(Objects.equals(ref.getNamespace(), claim.getMetadata().getNamespace())
                    && Objects.equals(ref.getName(), claim.getMetadata().getName())
                    && (ref.getUid() == null || ref.getUid().equals(claim.getMetadata().getUid())))) {
                continue; // pre-bound to another claim
            }
            String phase = v.getStatus() == null ? null : v.getStatus().getPhase();
            if (ref == null && phase != null && !"Available".equals(phase) && !"Pending".equals(phase)) {
                continue;
            }
            if (!Objects.equals(nz(v.getSpec().getStorageClassName()), className(claim))
                    || !accessModesFit(claim, v) || !selectorMatches(claim, v) || !fitsNode(v, node)) {
                continue;
            }
            long capacity = capacity(v);
            if (capacity < request(claim)) {
                continue;
            }
            if (best == null || capacity < capacity(best)) {
                best = v;
            }
        }
        return best;
    }

    boolean canProvision(PersistentVolumeClaim claim, Node node) {
        StorageClass sc = objects.storageClass(className(claim));
        if (sc == null || sc.getProvisioner() == null || NO_PROVISIONER.equals(sc.getProvisioner())) {
            return false;
        }
        if (LOCAL_PATH_PROVISIONER.equals(sc.getProvisioner())) {
            String dir = node.getMetadata().getAnnotations() == null ? null
                    : node.getMetadata().getAnnotations().get(LOCAL_PATH_DIR_ANNOTATION);
            return dir != null && dir.startsWith("/");
        }
        return true;
    }

    private static boolean accessModesFit(PersistentVolumeClaim claim, PersistentVolume v) {
        List<String> wanted = claim.getSpec().getAccessModes();
        List<String> has = v.getSpec().getAccessModes();
        return wanted == null || wanted.isEmpty() || (has != null && has.containsAll(wanted));
    }

    private static boolean selectorMatches(PersistentVolumeClaim claim, PersistentVolume v) {
        var sel = claim.getSpec().getSelector();
        if (sel == null) {
            return true;
        }
        if (sel.getMatchExpressions() != null && !sel.getMatchExpressions().isEmpty()) {
            return false; // not supported here: never bind a PV the selector might exclude
        }
        Map<String, String> labels = v.getMetadata().getLabels() == null ? Map.of() : v.getMetadata().getLabels();
        return sel.getMatchLabels() == null || labels.entrySet().containsAll(sel.getMatchLabels().entrySet());
    }

    static long capacity(PersistentVolume v) {
        Map<String, Quantity> c = v.getSpec().getCapacity();
        Quantity q = c == null ? null : c.get("storage");
        return q == null ? 0 : q.getNumericalAmount().longValue();
    }

    static long request(PersistentVolumeClaim claim) {
        var res = claim.getSpec().getResources();
        Quantity q = res == null || res.getRequests() == null ? null : res.getRequests().get("storage");
        return q == null ? 0 : q.getNumericalAmount().longValue();
    }

    // ---- Reserve ----

    @Override
    public Status reserve(CycleState state, Pod pod, String nodeName) {
        PodVolumes pv = state.read(STATE_KEY, PodVolumes.class);
        if (pv == null) {
            return Status.success();
        }
        for (Binding b : pv.bindingsByNode.getOrDefault(nodeName, List.of())) {
            if (b.volume() != null) {
                String key = claimKey(b.claim());
                String prev = assumedVolumes.putIfAbsent(b.volume().getMetadata().getName(), key);
                if (prev != null && !prev.equals(key)) {
                    unreserve(state, pod, nodeName);
                    return Status.unschedulable(ERR_REASON_BIND_CONFLICT);
                }
            }
        }
        return Status.success();
    }

    @Override
    public void unreserve(CycleState state, Pod pod, String nodeName) {
        PodVolumes pv = state.read(STATE_KEY, PodVolumes.class);
        if (pv == null) {
            return;
        }
        for (Binding b : pv.bindingsByNode.getOrDefault(nodeName, List.of())) {
            if (b.volume() != null) {
                assumedVolumes.remove(b.volume().getMetadata().getName(), claimKey(b.claim()));
            }
        }
    }

    /** Static PVs currently assumed by reserved pods (for tests and metrics). */
    Map<String, String> assumedVolumes() {
        return Map.copyOf(assumedVolumes);
    }

    // ---- PreBind ----

    @Override
    public Status preBind(CycleState state, Pod pod, String nodeName) {
        PodVolumes pv = state.read(STATE_KEY, PodVolumes.class);
        if (pv == null || pv.claimsToBind.isEmpty()) {
            return Status.success();
        }
        List<Binding> bindings = pv.bindingsByNode.get(nodeName);
        if (bindings == null) {
            return Status.error("no volume decisions for node " + nodeName);
        }
        if (client == null) {
            return Status.error("VolumeBinding has no apiserver client");
        }
        try {
            for (Binding b : bindings) {
                String ns = b.claim().getMetadata().getNamespace();
                String name = b.claim().getMetadata().getName();
                if (b.volume() != null) {
                    ObjectReference ref = new ObjectReferenceBuilder().withApiVersion("v1")
                            .withKind("PersistentVolumeClaim").withNamespace(ns).withName(name)
                            .withUid(b.claim().getMetadata().getUid())
                            .withResourceVersion(b.claim().getMetadata().getResourceVersion()).build();
                    client.resources(PersistentVolume.class).updateWithRetry(null, b.volume().getMetadata().getName(),
                            v -> {
                                ObjectReference cur = v.getSpec().getClaimRef();
                                if (cur != null && !(ns.equals(cur.getNamespace()) && name.equals(cur.getName()))) {
                                    throw new IllegalStateException("persistentvolume " + v.getMetadata().getName()
                                            + " was bound to " + cur.getNamespace() + "/" + cur.getName()
                                            + " meanwhile");
                                }
                                if (cur == null) {
                                    v.getSpec().setClaimRef(ref);
                                    annotate(v.getMetadata(), BOUND_BY_CONTROLLER_ANNOTATION, "yes");
                                }
                                return v;
                            }, false).block(bindTimeout);
                } else {
                    client.resources(PersistentVolumeClaim.class).updateWithRetry(ns, name, c -> {
                        annotate(c.getMetadata(), SELECTED_NODE_ANNOTATION, nodeName);
                        return c;
                    }, false).block(bindTimeout);
                }
            }
        } catch (RuntimeException e) {
            return Status.error("binding volumes: " + e.getMessage());
        }
        return waitForBound(pod, bindings, nodeName);
    }

    /** Waits, woken by PVC/PV events, until every claim is Bound to a PV that fits the node, or the timeout. */
    private Status waitForBound(Pod pod, List<Binding> bindings, String nodeName) {
        long deadline = System.nanoTime() + bindTimeout.toNanos();
        synchronized (changes) {
            while (true) {
                String pending = null;
                for (Binding b : bindings) {
                    PersistentVolumeClaim c = objects.claim(b.claim().getMetadata().getNamespace(),
                            b.claim().getMetadata().getName());
                    if (c == null || c.getMetadata().getDeletionTimestamp() != null) {
                        return Status.error("persistentvolumeclaim \"" + b.claim().getMetadata().getName()
                                + "\" was deleted");
                    }
                    if (b.volume() == null && !nodeName.equals(annotation(c, SELECTED_NODE_ANNOTATION))
                            && !isBound(c)) {
                        // the provisioner gave up on this node (Kubernetes' provisioners remove the annotation)
                        return Status.error("provisioning failed for persistentvolumeclaim \""
                                + c.getMetadata().getName() + "\" on node " + nodeName);
                    }
                    if (!isBound(c)) {
                        pending = c.getMetadata().getName();
                        break;
                    }
                }
                if (pending == null) {
                    forgetAssumed(bindings);
                    return Status.success();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Status.error("binding volumes: timed out waiting for persistentvolumeclaim \"" + pending
                            + "\" to be bound");
                }
                try {
                    changes.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Status.error("binding volumes: interrupted");
                }
            }
        }
    }

    private boolean isBound(PersistentVolumeClaim c) {
        String vn = c.getSpec() == null ? null : c.getSpec().getVolumeName();
        if (vn == null || vn.isEmpty() || c.getStatus() == null || !"Bound".equals(c.getStatus().getPhase())) {
            return false;
        }
        PersistentVolume v = objects.volume(vn);
        return v != null && v.getSpec().getClaimRef() != null
                && c.getMetadata().getName().equals(v.getSpec().getClaimRef().getName());
    }

    private void forgetAssumed(List<Binding> bindings) {
        for (Binding b : bindings) {
            if (b.volume() != null) {
                assumedVolumes.remove(b.volume().getMetadata().getName(), claimKey(b.claim()));
            }
        }
    }

    void wakeUp() {
        synchronized (changes) {
            changes.notifyAll();
        }
    }

    private final class Waker<T> implements ResourceEventHandler<T> {
        @Override
        public void onAdd(T obj) {
            wakeUp();
        }

        @Override
        public void onUpdate(T oldObj, T newObj) {
            wakeUp();
        }

        @Override
        public void onDelete(T obj, boolean finalStateUnknown) {
            wakeUp();
        }
    }

    // ---- helpers ----

    private static String claimKey(PersistentVolumeClaim c) {
        return c.getMetadata().getNamespace() + "/" + c.getMetadata().getName();
    }

    private static String annotation(PersistentVolumeClaim c, String key) {
        Map<String, String> a = c.getMetadata().getAnnotations();
        return a == null ? null : a.get(key);
    }

    private static void annotate(io.fabric8.kubernetes.api.model.ObjectMeta m, String key, String value) {
        Map<String, String> a = m.getAnnotations() == null ? new LinkedHashMap<>()
                : new LinkedHashMap<>(m.getAnnotations());
        a.put(key, value);
        m.setAnnotations(a);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
