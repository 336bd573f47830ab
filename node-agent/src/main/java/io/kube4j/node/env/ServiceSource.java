package io.kube4j.node.env;

import java.time.Duration;
import java.util.List;

import io.fabric8.kubernetes.api.model.Service;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.informer.SharedIndexInformer;

/**
 * The Services the kubelet builds service environment variables from: an informer over every Service of the cluster
 * (as the kubelet's service lister). Until its first list has arrived, {@link #services} refuses, so no container
 * starts with half its service variables (the kubelet does the same).
 */
public final class ServiceSource implements AutoCloseable {

    private final SharedIndexInformer<Service> informer;

    public ServiceSource(KubeClient client) {
        this.informer = new SharedIndexInformer<>(client.resources(Service.class), null, ListOptions.all(),
                Duration.ZERO);
    }

    public void start() {
        informer.start();
    }

    /** Waits until the first list has arrived; false when {@code timeout} passed first. */
    public boolean awaitSynced(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!informer.hasSynced()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /**
     * Every Service in the cache.
     *
     * @throws ContainerConfigException when the informer has not listed the Services yet
     */
    public List<Service> services() {
        if (!informer.hasSynced()) {
            throw new ContainerConfigException("services have not yet been read at least once, cannot construct envvars");
        }
        return informer.lister().list((String) null);
    }

    @Override
    public void close() {
        informer.stop();
    }
}
