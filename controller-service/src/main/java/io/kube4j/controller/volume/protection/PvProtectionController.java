package io.kube4j.controller.volume.protection;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.kube4j.client.ApiStatusException;
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
 * Kubernetes' {@code pv-protection} controller: a volume carries {@code kubernetes.io/pv-protection}, and a deleted
 * volume keeps it while it is Bound to a claim, so a volume in use is not removed under its claim; once Released
 * (or Available, Failed) the finalizer goes and the delete completes.
 */
public final class PvProtectionController implements Reconciler, Startable {

    static final String NAME = "pv-protection";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(PvProtectionController.class);

    private final Lister<PersistentVolume> volumes;
    private final ResourceClient<PersistentVolume> pvClient;
    private final Controller controller;

    public PvProtectionController(ControllerContext context, int workers) {
        SharedIndexInformer<PersistentVolume> pvInformer = context.informer(PersistentVolume.class);
        this.volumes = pvInformer.lister();
        this.pvClient = context.client().resources(PersistentVolume.class);
        this.controller = context.controller(NAME).reconciler(this).workers(workers).waitFor(pvInformer::hasSynced).build();
        pvInformer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(PersistentVolume pv) {
                enqueueIfNeeded(pv);
            }

            @Override
            public void onUpdate(PersistentVolume oldPv, PersistentVolume pv) {
                enqueueIfNeeded(pv);
            }
        });
    }

    private void enqueueIfNeeded(PersistentVolume pv) {
        boolean has = VolumeProtection.hasFinalizer(pv, VolumeProtection.PV_PROTECTION);
        if ((pv.getMetadata().getDeletionTimestamp() != null) == has) {
            controller.enqueue(Request.of(pv));
        }
    }

    static boolean isBeingUsed(PersistentVolume pv) {
        return pv.getStatus() != null && "Bound".equals(pv.getStatus().getPhase());
    }

    @Override
    public Result reconcile(Request request) {
        PersistentVolume pv = volumes.get(null, request.name());
        if (pv == null) {
            return Result.done();
        }
        boolean has = VolumeProtection.hasFinalizer(pv, VolumeProtection.PV_PROTECTION);
        if (pv.getMetadata().getDeletionTimestamp() == null) {
            if (!has) {
                pvClient.updateWithRetry(null, request.name(),
                        v -> VolumeProtection.withFinalizer(v, VolumeProtection.PV_PROTECTION), false).block(TIMEOUT);
            }
            return Result.done();
        }
        if (!has || isBeingUsed(pv)) {
            return Result.done(); // its phase changing enqueues it again
        }
        try {
            pvClient.updateWithRetry(null, request.name(),
                    v -> VolumeProtection.withoutFinalizer(v, VolumeProtection.PV_PROTECTION), false).block(TIMEOUT);
            log.info("volume {} is not bound: removed {}", request.name(), VolumeProtection.PV_PROTECTION);
        } catch (ApiStatusException.NotFound e) {
            // gone already
        }
        return Result.done();
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
