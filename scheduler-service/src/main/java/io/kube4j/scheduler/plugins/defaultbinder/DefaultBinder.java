package io.kube4j.scheduler.plugins.defaultbinder;

import java.time.Duration;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.client.KubeClient;
import io.kube4j.scheduler.framework.BindPlugin;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.Status;

/** Binds through the apiserver's {@code pods/binding} subresource. */
public final class DefaultBinder implements BindPlugin {

    public static final String NAME = "DefaultBinder";

    private final KubeClient client;
    private final Duration timeout;

    public DefaultBinder(KubeClient client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status bind(CycleState state, Pod pod, String nodeName) {
        try {
            client.bindPod(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), nodeName).block(timeout);
            return Status.success();
        } catch (RuntimeException e) {
            return Status.error("binding " + pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName()
                    + " to " + nodeName + " failed: " + e.getMessage());
        }
    }
}
