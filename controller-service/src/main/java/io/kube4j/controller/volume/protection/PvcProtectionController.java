package io.kube4j.controller.volume.protection;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.controller.Controller;
import io.kube4j.client.controller.Reconciler;
import io.kube4j.client.controller.Request;
import io.kube4j.client.controller.Result;
import io.kube4j.client.controller.Startable;
import io.kube4j.client.informer.Lister;
import io.kube4j.client.informer.ResourceEventHandler;
import io.kube4j.client.informer.SharedIndexInformer;
import io.kube4j.controller.manager.ControllerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Kubernetes' {@code pvc-protection} controller: a claim carries {@code kubernetes.io/pvc-protection} (added here
 * when the admission plugin did not, e.g. for claims older than it), and a deleted claim keeps it, so it stays
 * Terminating, while any non-terminated pod in its namespace uses it. Before removing the finalizer the pods are
 * listed from the apiserver as well, since a pod created a moment ago may not be in the cache yet.
 */
public final class PvcProtectionController implements Reconciler, Startable {

    static final String NAME = "pvc-protection";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(PvcProtectionController.class);

    private final Lister<PersistentVolumeClaim> claims;
    private final Lister<Pod> pods;
    private final ResourceClient<PersistentVolumeClaim> pvcClient;
    private final ResourceClient<Pod> podClient;
    private final Controller controller;

    public PvcProtectionController(ControllerContext context, int workers) {
        SharedIndexInformer<PersistentVolumeClaim> pvcInformer = context.informer(PersistentVolumeClaim.class);
        SharedIndexInformer<Pod> podInformer = context.informer(Pod.class);
        this.claims = pvcInformer.lister();
        this.pods = podInformer.lister();
        this.pvcClient = context.client().resources(PersistentVolumeClaim.class);
        this.podClient = context.client().resources(Pod.class);
        this.controller = context.controller(NAME).reconciler(this).workers(workers)
                .waitFor(pvcInformer::hasSynced).waitFor(podInformer::hasSynced).build();
        pvcInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(PersistentVolumeClaim pvc) {
                enqueueIfNeeded(pvc);
            }

            @Override
            public void onUpdate(PersistentVolumeClaim oldPvc, PersistentVolumeClaim pvc) {
                enqueueIfNeeded(pvc);
            }
        });
        podInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onUpdate(Pod oldPod, Pod pod) {
                // a pod that terminates releases its claims
                if (VolumeProtection.isTerminated(pod) && !VolumeProtection.isTerminated(oldPod)) {
                    enqueueClaims(oldPod);
                }
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                enqueueClaims(pod);
            }
        });
    }

    private void enqueueIfNeeded(PersistentVolumeClaim pvc) {
        boolean has = VolumeProtection.hasFinalizer(pvc, VolumeProtection.PVC_PROTECTION);
        boolean deleting = pvc.getMetadata().getDeletionTimestamp() != null;
        if (deleting == has) {
            controller.enqueue(Request.of(pvc));
        }
    }

    private void enqueueClaims(Pod pod) {
        Pod asRunning = io.kube4j.api.codec.Codecs.json().convertValue(pod, Pod.class);
        if (asRunning.getStatus() != null) {
            asRunning.getStatus().setPhase("Running"); // every claim it named, whatever its phase
        }
        for (String claim : VolumeProtection.claimsInUse(asRunning)) {
            controller.enqueue(new Request(pod.getMetadata().getNamespace(), claim));
        }
    }

    @Override
    public Result reconcile(Request request) {
        PersistentVolumeClaim pvc = claims.get(request.namespace(), request.name());
        if (pvc == null) {
            return Result.done();
        }
        boolean has = VolumeProtection.hasFinalizer(pvc, VolumeProtection.PVC_PROTECTION);
        if (pvc.getMetadata().getDeletionTimestamp() == null) {
            if (!has) {
                pvcClient.updateWithRetry(request.namespace(), request.name(),
                        c -> VolumeProtection.withFinalizer(c, VolumeProtection.PVC_PROTECTION), false).block(TIMEOUT);
            }
            return Result.done();
        }
        if (!has || inUse(request.namespace(), request.name(), false) || inUse(request.namespace(), request.name(), true)) {
            return Result.done(); // a pod's deletion or termination enqueues the claim again
        }
        try {
            pvcClient.updateWithRetry(request.namespace(), request.name(),
                    c -> VolumeProtection.withoutFinalizer(c, VolumeProtection.PVC_PROTECTION), false).block(TIMEOUT);
            log.info("claim {}/{} is no longer used by a pod: removed {}", request.namespace(), request.name(),
                    VolumeProtection.PVC_PROTECTION);
        } catch (ApiStatusException.NotFound e) {
            // gone already
        }
        return Result.done();
    }

    private boolean inUse(String namespace, String claim, boolean live) {
        Iterable<Pod> candidates = live
                ? podClient.list(namespace, ListOptions.all()).block(TIMEOUT).getItems()
                : pods.list(namespace);
        for (Pod p : candidates) {
            if (VolumeProtection.claimsInUse(p).contains(claim)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start() {
        controller.start();
    }

    @Override
    public void stop() throws InterruptedException {
        controller.stop();
    }
}
