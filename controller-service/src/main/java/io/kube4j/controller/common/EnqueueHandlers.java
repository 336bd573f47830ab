package io.kube4j.controller.common;

import java.util.function.Consumer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kube4j.client.controller.Request;
import io.kube4j.client.informer.ResourceEventHandler;

/** Informer handlers that only turn events into work-queue keys (the controller pattern's usual first step). */
public final class EnqueueHandlers {

    private EnqueueHandlers() {
    }

    /** Enqueues the changed object's own namespace/name on every add, update and delete. */
    public static <T extends HasMetadata> ResourceEventHandler<T> ownKey(Consumer<Request> enqueue) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                enqueue.accept(Request.of(obj));
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                enqueue.accept(Request.of(newObj));
            }

            @Override
            public void onDelete(T obj, boolean finalStateUnknown) {
                enqueue.accept(Request.of(obj));
            }
        };
    }
}
