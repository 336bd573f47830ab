package io.kube4j.node.source;

import java.time.Duration;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.informer.ResourceEventHandler;
import io.kube4j.client.informer.SharedIndexInformer;

/** Pods bound to this node in the apiserver: an informer on {@code spec.nodeName=<node>}. */
public final class ApiServerPodSource implements PodSource {

    public static final String NAME = "api";

    private final SharedIndexInformer<Pod> informer;

    public ApiServerPodSource(KubeClient client, String nodeName, Duration resync) {
        this.informer = new SharedIndexInformer<>(client.resources(Pod.class), null,
                ListOptions.all().withFieldSelector("spec.nodeName=" + nodeName), resync);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start(PodSourceListener listener) {
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod obj) {
                listener.upsert(NAME, obj);
            }

            @Override
            public void onUpdate(Pod oldObj, Pod newObj) {
                listener.upsert(NAME, newObj);
            }

            @Override
            public void onDelete(Pod obj, boolean finalStateUnknown) {
                listener.remove(NAME, obj);
            }
        });
        informer.start();
    }

    @Override
    public void stop() {
        informer.stop();
    }

    @Override
    public boolean ready() {
        return informer.hasSynced();
    }
}
