package io.kube4j.controller.volume.persistentvolume;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatus;
import io.fabric8.kubernetes.api.model.PersistentVolumeStatus;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.controller.Controller;
import io.kube4j.client.controller.Reconciler;
import io.kube4j.client.controller.Request;
import io.kube4j.client.controller.Result;
import io.kube4j.client.controller.Startable;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.Lister;
import io.kube4j.client.informer.ResourceEventHandler;
import io.kube4j.client.informer.SharedIndexInformer;
import io.kube4j.controller.manager.ControllerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Kubernetes' PersistentVolume controller ({@code pkg/controller/volume/persistentvolume}, the
 * {@code persistentvolume-binder}): binds claims to volumes and reclaims volumes whose claim is gone.
 * <ul>
 *   <li>A claim ({@link Request} with a namespace) without a volume gets {@link VolumeMatcher#findBestMatch}: a
 *   pre-bound volume, else the smallest fitting Available one. A claim of a {@code WaitForFirstConsumer} class waits
 *   for the scheduler's {@code volume.kubernetes.io/selected-node} annotation, then takes a volume that node can
 *   reach, or gets one from the {@link LocalPathProvisioner}. Binding writes the volume first (claimRef, phase
 *   Bound) and the claim second (volumeName, bind-completed, phase Bound with the volume's capacity and modes), so a
 *   crash between the two is finished by the next sync, as Kubernetes does it.</li>
 *   <li>A volume ({@link Request} without a namespace) whose claim is gone becomes Released and then per
 *   {@code persistentVolumeReclaimPolicy}: {@code Retain} stays Released, {@code Delete} is deleted (the node agent
 *   removes a local-path directory when its PV object goes), {@code Recycle} is not supported (Failed, as Kubernetes
 *   since recyclers were removed).</li>
 * </ul>
 */
public final class PersistentVolumeController implements Reconciler, Startable {

    static final String NAME = "persistentvolume-binder";
    static final String COMPONENT = "persistentvolume-controller";
    public static final String ANN_BIND_COMPLETED = "pv.kubernetes.io/bind-completed";
    public static final String ANN_BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller";
    public static final String ANN_SELECTED_NODE = "volume.kubernetes.io/selected-node";
    public static final String ANN_STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner";
    public static final String ANN_BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner";
    static final String WFFC = "WaitForFirstConsumer";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(PersistentVolumeController.class);

    private final Lister<PersistentVolume> volumes;
    private final Lister<PersistentVolumeClaim> claims;
    private final Lister<StorageClass> classes;
    private final Lister<Node> nodes;
    private final ResourceClient<PersistentVolume> pvClient;
    private final ResourceClient<PersistentVolumeClaim> pvcClient;
    private final EventRecorder events;
    private final LocalPathProvisioner provisioner;
    private final PersistentVolumeControllerProperties props;
    private final Controller controller;

    public PersistentVolumeController(ControllerContext context, PersistentVolumeControllerProperties props) {
        SharedIndexInformer<PersistentVolume> pvInformer = context.informer(PersistentVolume.class);
        SharedIndexInformer<PersistentVolumeClaim> pvcInformer = context.informer(PersistentVolumeClaim.class);
        SharedIndexInformer<StorageClass> scInformer = context.informer(StorageClass.class);
        SharedIndexInformer<Node> nodeInformer = context.informer(Node.class);
        this.volumes = pvInformer.lister();
        this.claims = pvcInformer.lister();
        this.classes = scInformer.lister();
        this.nodes = nodeInformer.lister();
        this.pvClient = context.client().resources(PersistentVolume.class);
        this.pvcClient = context.client().resources(PersistentVolumeClaim.class);
        this.events = context.recorder(COMPONENT);
        this.props = props;
        this.provisioner = new LocalPathProvisioner(context.client().resources(StorageClass.class), pvClient, events, props);
        this.controller = context.controller(NAME).reconciler(this).workers(props.concurrentSyncs())
                .waitFor(pvInformer::hasSynced).waitFor(pvcInformer::hasSynced).waitFor(scInformer::hasSynced)
                .waitFor(nodeInformer::hasSynced).build();
        pvInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(PersistentVolume pv) {
                volumeChanged(pv);
            }

            @Override
            public void onUpdate(PersistentVolume oldPv, PersistentVolume pv) {
                volumeChanged(pv);
            }

            @Override
            public void onDelete(PersistentVolume pv, boolean finalStateUnknown) {
                ObjectReference ref = pv.getSpec() == null ? null : pv.getSpec().getClaimRef();
                if (ref != null && ref.getNamespace() != null && ref.getName() != null) {
                    controller.enqueue(new Request(ref.getNamespace(), ref.getName()));
                }
            }
        });
        pvcInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(PersistentVolumeClaim pvc) {
                controller.enqueue(Request.of(pvc));
            }

            @Override
            public void onUpdate(PersistentVolumeClaim oldPvc, PersistentVolumeClaim pvc) {
                controller.enqueue(Request.of(pvc));
            }

            @Override
            public void onDelete(PersistentVolumeClaim pvc, boolean finalStateUnknown) {
                String volume = pvc.getSpec() == null ? null : pvc.getSpec().getVolumeName();
                if (volume != null && !volume.isEmpty()) {
                    controller.enqueue(new Request(null, volume));
                }
            }
        });
    }

    private void volumeChanged(PersistentVolume pv) {
        controller.enqueue(new Request(null, pv.getMetadata().getName()));
        ObjectReference ref = pv.getSpec() == null ? null : pv.getSpec().getClaimRef();
        if (ref != null && ref.getNamespace() != null && ref.getName() != null) {
            controller.enqueue(new Request(ref.getNamespace(), ref.getName()));
        }
    }

    @Override
    public Result reconcile(Request request) {
        try {
            return sync(request);
        } catch (ApiStatusException.Conflict e) {
            // the claim's and the volume's syncs both write volumes: the loser re-reads (from the cache) and retries
            log.debug("{}: {}; retrying", request, e.getMessage());
            return Result.requeue();
        }
    }

    private Result sync(Request request) {
        if (request.namespace() == null || request.namespace().isEmpty()) {
            PersistentVolume pv = volumes.get(null, request.name());
            return pv == null ? Result.done() : syncVolume(pv);
        }
        PersistentVolumeClaim pvc = claims.get(request.namespace(), request.name());
        return pvc == null ? Result.done() : syncClaim(pvc);
    }

    // ------------------------------------------------------------------ claims

    Result syncClaim(PersistentVolumeClaim claim) {
        String volumeName = claim.getSpec() == null ? null : claim.getSpec().getVolumeName();
        if (volumeName == null || volumeName.isEmpty()) {
            return syncUnboundClaim(claim);
        }
        PersistentVolume pv = volumes.get(null, volumeName);
        if (pv == null) {
            if (isBindCompleted(claim)) {
                if (!"Lost".equals(phase(claim))) {
                    events.event(claim, "Warning", "ClaimLost", "Bound claim has lost reference to PersistentVolume. "
                            + "Data on the volume is lost!");
                    setClaimPhase(claim, "Lost", null);
                }
                return Result.done();
            }
            // pre-bound by the user to a volume that does not exist (yet)
            events.event(claim, "Normal", "FailedBinding", "volume \"" + volumeName + "\" not found");
            setClaimPhase(claim, "Pending", null);
            return Result.requeueAfter(props.resync());
        }
        ObjectReference ref = pv.getSpec().getClaimRef();
        if (ref == null) {
            // the user named the volume; bind it from the volume's side too, if it can serve the claim
            String mismatch = VolumeMatcher.mismatch(pv, claim);
            if (mismatch != null) {
                events.event(claim, "Warning", "VolumeMismatch", "Cannot bind to requested volume \"" + volumeName
                        + "\": " + mismatch);
                setClaimPhase(claim, "Pending", null);
                return Result.requeueAfter(props.resync());
            }
            bind(pv, claim);
            return Result.done();
        }
        if (VolumeMatcher.isPreBoundTo(pv, claim)) {
            bind(pv, claim); // finishes a half-done binding; does nothing when all is written
            return Result.done();
        }
        if (isBindCompleted(claim)) {
            if (!"Lost".equals(phase(claim))) {
                events.event(claim, "Warning", "ClaimMisbound", "Two claims are bound to the same volume, this one is bound incorrectly");
                setClaimPhase(claim, "Lost", null);
            }
        } else {
            events.event(claim, "Warning", "FailedBinding", "volume \"" + volumeName + "\" already bound to a different claim.");
        }
        return Result.done();
    }

    private Result syncUnboundClaim(PersistentVolumeClaim claim) {
        StorageClass sc = storageClass(claim);
        boolean delay = sc != null && WFFC.equals(sc.getVolumeBindingMode());
        String selectedNodeName = annotation(claim, ANN_SELECTED_NODE);
        Node node = selectedNodeName == null ? null : nodes.get(null, selectedNodeName);
        List<PersistentVolume> all = volumes.list((String) null);
        PersistentVolume match = VolumeMatcher.findBestMatch(claim, all, node, delay);
        if (match != null) {
            bind(match, claim);
            return Result.done();
        }
        if (delay && selectedNodeName == null) {
            events.event(claim, "Normal", "WaitForFirstConsumer", "waiting for first consumer to be created before binding");
            return Result.done();
        }
        String className = claim.getSpec().getStorageClassName();
        if (className == null || className.isEmpty()) {
            events.event(claim, "Normal", "FailedBinding", "no persistent volumes available for this claim and no storage class is set");
            return Result.requeueAfter(props.resync());
        }
        if (sc == null) {
            events.event(claim, "Warning", "ProvisioningFailed", "storageclass.storage.k8s.io \"" + className + "\" not found");
            return Result.requeueAfter(props.resync());
        }
        if (LocalPathProvisioner.PROVISIONER.equals(sc.getProvisioner())) {
            if (selectedNodeName == null) {
                events.event(claim, "Warning", "ProvisioningFailed", "StorageClass \"" + className + "\": provisioner "
                        + LocalPathProvisioner.PROVISIONER + " needs volumeBindingMode WaitForFirstConsumer so the volume's node is the pod's");
                return Result.requeueAfter(props.resync());
            }
            if (node == null) {
                events.event(claim, "Warning", "ProvisioningFailed", "selected node \"" + selectedNodeName + "\" not found");
                return Result.requeueAfter(props.resync());
            }
            // the new volume's event enqueues the claim again; a refused node is tried again after the resync period
            return provisioner.provision(claim, sc, node) ? Result.done() : Result.requeueAfter(props.resync());
        }
        // another provisioner (an external one, or none): say who is expected to act, as Kubernetes does
        if (!sc.getProvisioner().equals(annotation(claim, ANN_STORAGE_PROVISIONER))) {
            annotateProvisioner(claim, sc.getProvisioner());
        }
        events.event(claim, "Normal", "ExternalProvisioning", "Waiting for a volume to be created either by the external "
                + "provisioner '" + sc.getProvisioner() + "' or manually by the system administrator. If volume creation "
                + "is delayed, please verify that the provisioner is running and correctly registered.");
        return Result.requeueAfter(props.resync());
    }

    /** Writes both halves of a binding, volume first; each write only when something is missing. */
    void bind(PersistentVolume pv, PersistentVolumeClaim claim) {
        PersistentVolume boundPv = pv;
        ObjectReference ref = pv.getSpec().getClaimRef();
        boolean refOk = ref != null && Objects.equals(ref.getUid(), claim.getMetadata().getUid())
                && Objects.equals(ref.getName(), claim.getMetadata().getName())
                && Objects.equals(ref.getNamespace(), claim.getMetadata().getNamespace());
        if (!refOk) {
            PersistentVolume copy = copy(pv);
            copy.getSpec().setClaimRef(new ObjectReferenceBuilder().withKind("PersistentVolumeClaim").withApiVersion("v1")
                    .withNamespace(claim.getMetadata().getNamespace()).withName(claim.getMetadata().getName())
                    .withUid(claim.getMetadata().getUid()).withResourceVersion(claim.getMetadata().getResourceVersion())
                    .build());
            if (ref == null) {
                setAnnotation(copy, ANN_BOUND_BY_CONTROLLER, "yes");
            }
            boundPv = pvClient.update(copy).block(TIMEOUT);
            log.info("bound volume {} to claim {}/{}", pv.getMetadata().getName(), claim.getMetadata().getNamespace(),
                    claim.getMetadata().getName());
        }
        if (!"Bound".equals(phase(boundPv))) {
            PersistentVolume copy = copy(boundPv);
            status(copy).setPhase("Bound");
            status(copy).setReason(null);
            status(copy).setMessage(null);
            boundPv = pvClient.updateStatus(copy).block(TIMEOUT);
        }
        PersistentVolumeClaim boundClaim = claim;
        String volumeName = pv.getMetadata().getName();
        if (!volumeName.equals(claim.getSpec().getVolumeName()) || !isBindCompleted(claim)) {
            PersistentVolumeClaim copy = copy(claim);
            if (!volumeName.equals(copy.getSpec().getVolumeName())) {
                copy.getSpec().setVolumeName(volumeName);
                setAnnotation(copy, ANN_BOUND_BY_CONTROLLER, "yes");
            }
            setAnnotation(copy, ANN_BIND_COMPLETED, "yes");
            boundClaim = pvcClient.update(copy).block(TIMEOUT);
        }
        PersistentVolumeClaimStatus st = boundClaim.getStatus();
        boolean statusOk = st != null && "Bound".equals(st.getPhase())
                && Objects.equals(st.getCapacity(), boundPv.getSpec().getCapacity())
                && Objects.equals(st.getAccessModes(), boundPv.getSpec().getAccessModes());
        if (!statusOk) {
            PersistentVolumeClaim copy = copy(boundClaim);
            if (copy.getStatus() == null) {
                copy.setStatus(new PersistentVolumeClaimStatus());
            }
            copy.getStatus().setPhase("Bound");
            copy.getStatus().setCapacity(new LinkedHashMap<>(boundPv.getSpec().getCapacity()));
            copy.getStatus().setAccessModes(boundPv.getSpec().getAccessModes());
            pvcClient.updateStatus(copy).block(TIMEOUT);
        }
    }

    // ------------------------------------------------------------------ volumes

    Result syncVolume(PersistentVolume pv) {
        ObjectReference ref = pv.getSpec() == null ? null : pv.getSpec().getClaimRef();
        if (ref == null) {
            setVolumePhase(pv, "Available", null);
            return Result.done();
        }
        if (ref.getUid() == null || ref.getUid().isEmpty()) {
            setVolumePhase(pv, "Available", null); // pre-bound by the administrator; the claim's sync binds it
            return Result.done();
        }
        PersistentVolumeClaim claim = claims.get(ref.getNamespace(), ref.getName());
        if (claim == null) {
            // the cache may lag behind a claim created a moment ago: ask the apiserver before releasing anything
            try {
                claim = pvcClient.get(ref.getNamespace(), ref.getName()).block(TIMEOUT);
            } catch (ApiStatusException.NotFound e) {
                claim = null;
            }
        }
        if (claim != null && Objects.equals(claim.getMetadata().getUid(), ref.getUid())) {
            String claimVolume = claim.getSpec().getVolumeName();
            if (claimVolume == null || claimVolume.isEmpty()) {
                if (!"Released".equals(phase(pv)) && !"Failed".equals(phase(pv))) {
                    // bound from our side, the claim's half not yet written: the claim's sync finishes it
                    controller.enqueue(Request.of(claim));
                }
                return Result.done();
            }
            if (claimVolume.equals(pv.getMetadata().getName())) {
                setVolumePhase(pv, "Bound", null);
                return Result.done();
            }
            // the claim went to another volume; a volume we bound is made Available again
            if ("yes".equals(annotation(pv, ANN_BOUND_BY_CONTROLLER))) {
                PersistentVolume copy = copy(pv);
                copy.getSpec().setClaimRef(null);
                copy.getMetadata().getAnnotations().remove(ANN_BOUND_BY_CONTROLLER);
                PersistentVolume updated = pvClient.update(copy).block(TIMEOUT);
                setVolumePhase(updated, "Available", null);
            }
            return Result.done();
        }
        // the claim is gone (or was replaced by another object of that name)
        if (!"Released".equals(phase(pv)) && !"Failed".equals(phase(pv))) {
            pv = setVolumePhase(pv, "Released", null);
        }
        return reclaim(pv);
    }

    private Result reclaim(PersistentVolume pv) {
        String policy = Objects.requireNonNullElse(pv.getSpec().getPersistentVolumeReclaimPolicy(), "Retain");
        switch (policy) {
            case "Retain" -> {
                return Result.done();
            }
            case "Delete" -> {
                if (pv.getMetadata().getDeletionTimestamp() == null) {
                    try {
                        pvClient.delete(null, pv.getMetadata().getName(), DeleteOptions.background()).block(TIMEOUT);
                        log.info("deleted released volume {} (reclaim policy Delete)", pv.getMetadata().getName());
                    } catch (ApiStatusException.NotFound e) {
                        // already gone
                    }
                }
                return Result.done();
            }
            default -> {
                if (!"Failed".equals(phase(pv))) {
                    events.event(pv, "Warning", "VolumeFailedRecycle", "reclaim policy " + policy + " is not supported");
                    setVolumePhase(pv, "Failed", "reclaim policy " + policy + " is not supported");
                }
                return Result.done();
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private StorageClass storageClass(PersistentVolumeClaim claim) {
        String name = claim.getSpec().getStorageClassName();
        return name == null || name.isEmpty() ? null : classes.get(null, name);
    }

    private PersistentVolume setVolumePhase(PersistentVolume pv, String phase, String message) {
        if (phase.equals(phase(pv))) {
            return pv;
        }
        PersistentVolume copy = copy(pv);
        status(copy).setPhase(phase);
        status(copy).setMessage(message);
        return pvClient.updateStatus(copy).block(TIMEOUT);
    }

    private void setClaimPhase(PersistentVolumeClaim claim, String phase, String message) {
        if (phase.equals(phase(claim))) {
            return;
        }
        PersistentVolumeClaim copy = copy(claim);
        if (copy.getStatus() == null) {
            copy.setStatus(new PersistentVolumeClaimStatus());
        }
        copy.getStatus().setPhase(phase);
        pvcClient.updateStatus(copy).block(TIMEOUT);
    }

    private void annotateProvisioner(PersistentVolumeClaim claim, String provisionerName) {
        PersistentVolumeClaim copy = copy(claim);
        setAnnotation(copy, ANN_STORAGE_PROVISIONER, provisionerName);
        setAnnotation(copy, ANN_BETA_STORAGE_PROVISIONER, provisionerName);
        pvcClient.update(copy).block(TIMEOUT);
    }

    private static PersistentVolumeStatus status(PersistentVolume pv) {
        if (pv.getStatus() == null) {
            pv.setStatus(new PersistentVolumeStatus());
        }
        return pv.getStatus();
    }

    static String phase(PersistentVolume pv) {
        return pv.getStatus() == null ? null : pv.getStatus().getPhase();
    }

    static String phase(PersistentVolumeClaim pvc) {
        return pvc.getStatus() == null ? null : pvc.getStatus().getPhase();
    }

    static boolean isBindCompleted(PersistentVolumeClaim claim) {
        return "yes".equals(annotation(claim, ANN_BIND_COMPLETED));
    }

    static String annotation(io.fabric8.kubernetes.api.model.HasMetadata o, String key) {
        Map<String, String> a = o.getMetadata().getAnnotations();
        return a == null ? null : a.get(key);
    }

    static void setAnnotation(io.fabric8.kubernetes.api.model.HasMetadata o, String key, String value) {
        Map<String, String> a = o.getMetadata().getAnnotations() == null ? new LinkedHashMap<>()
                : new LinkedHashMap<>(o.getMetadata().getAnnotations());
        a.put(key, value);
        o.getMetadata().setAnnotations(a);
    }

    private static PersistentVolume copy(PersistentVolume pv) {
        return io.kube4j.api.codec.Codecs.json().convertValue(pv, PersistentVolume.class);
    }

    private static PersistentVolumeClaim copy(PersistentVolumeClaim pvc) {
        return io.kube4j.api.codec.Codecs.json().convertValue(pvc, PersistentVolumeClaim.class);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start() {
        if (props.ensureLocalPathClass()) {
            provisioner.ensureStorageClass();
        }
        controller.start();
    }

    @Override
    public void stop() throws InterruptedException {
        controller.stop();
    }
}
