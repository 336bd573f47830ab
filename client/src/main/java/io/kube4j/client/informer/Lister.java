package io.kube4j.client.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kube4j.api.selector.LabelSelector;

import java.util.List;
import java.util.Map;

/** Read API over an informer's cache: what reconcilers read instead of a fresh LIST. */
public final class Lister<T extends HasMetadata> {

    private final Indexer<T> indexer;

    public Lister(Indexer<T> indexer) {
        this.indexer = indexer;
    }

    /** The cached object, or null; {@code namespace} is null for cluster-scoped objects. */
    public T get(String namespace, String name) {
        return indexer.get(Indexer.key(namespace, name));
    }

    /** Every cached object in {@code namespace} (null: all namespaces). */
    public List<T> list(String namespace) {
        if (namespace == null) {
            return indexer.list();
        }
        if (indexer.indexNames().contains(Indexers.NAMESPACE)) {
            return indexer.byIndex(Indexers.NAMESPACE, namespace);
        }
        return indexer.list().stream().filter(o -> namespace.equals(o.getMetadata().getNamespace())).toList();
    }

    /** Every cached object whose labels match. */
    public List<T> list(LabelSelector selector) {
        return list(null, selector);
    }

    public List<T> list(String namespace, LabelSelector selector) {
        return list(namespace).stream().filter(o -> selector.matches(labels(o))).toList();
    }

    private static Map<String, String> labels(HasMetadata o) {
        Map<String, String> l = o.getMetadata().getLabels();
        return l == null ? Map.of() : l;
    }
}
