package io.kube4j.client.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One {@link SharedIndexInformer} per (type, namespace, selectors) per process, shared by every caller, so a process
 * watches each resource once however many controllers read it (client-go's {@code SharedInformerFactory}). Built on
 * {@code KubeClient::resources}.
 */
public final class SharedInformerFactory {

    private record Key(Class<?> type, String namespace, String labelSelector, String fieldSelector) {
    }

    private final Function<Class<?>, ResourceClient<?>> clients;
    private final Duration defaultResync;
    private final Map<Key, SharedIndexInformer<?>> informers = new ConcurrentHashMap<>();
    private volatile boolean started;

    public SharedInformerFactory(Function<Class<?>, ResourceClient<?>> clients, Duration defaultResync) {
        this.clients = clients;
        this.defaultResync = defaultResync == null ? Duration.ZERO : defaultResync;
    }

    public SharedInformerFactory(Function<Class<?>, ResourceClient<?>> clients) {
        this(clients, Duration.ZERO);
    }

    /** A factory over a {@link KubeClient}'s resources. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static SharedInformerFactory forClient(KubeClient client, Duration defaultResync) {
        // KubeClient::resources is bounded by HasMetadata, which a Function<Class<?>, ...> cannot express
        return new SharedInformerFactory(type -> client.resources((Class) type), defaultResync);
    }

    /** The shared informer of every {@code type} object in {@code namespace} (null: all). */
    public <T extends HasMetadata> SharedIndexInformer<T> informerFor(Class<T> type, String namespace) {
        return informerFor(type, namespace, ListOptions.all());
    }

    /**
     * The shared informer for {@code type} in {@code namespace} (null: all) selected by {@code options}' label and
     * field selectors (other options are the informer's own). Informers made after {@link #startAll()} start at once.
     */
    @SuppressWarnings("unchecked")
    public <T extends HasMetadata> SharedIndexInformer<T> informerFor(Class<T> type, String namespace,
                                                                      ListOptions options) {
        ListOptions opts = options == null ? ListOptions.all() : options;
        Key key = new Key(type, namespace, blankToNull(opts.labelSelector()), blankToNull(opts.fieldSelector()));
        SharedIndexInformer<T> informer = (SharedIndexInformer<T>) informers.computeIfAbsent(key, k -> {
            ResourceClient<T> client = (ResourceClient<T>) clients.apply(type);
            ListOptions selectors = ListOptions.all().withLabelSelector(k.labelSelector())
                    .withFieldSelector(k.fieldSelector());
            return new SharedIndexInformer<>(client, namespace, selectors, defaultResync, Indexers.all());
        });
        if (started) {
            informer.start();
        }
        return informer;
    }

    /** Starts every informer made so far (and, from now on, every new one). */
    public void startAll() {
        started = true;
        informers.values().forEach(SharedIndexInformer::start);
    }

    /** Waits until every informer has synced; false when {@code timeout} passed first. */
    public boolean waitForCacheSync(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (informers.values().stream().allMatch(SharedIndexInformer::hasSynced)) {
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    public void stopAll() {
        started = false;
        List<SharedIndexInformer<?>> all = new ArrayList<>(informers.values());
        informers.clear();
        all.forEach(SharedIndexInformer::stop);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
