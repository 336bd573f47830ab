package io.kube4j.client.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/** The index functions every role needs: objects by namespace, pods by node, objects by owner uid. */
public final class Indexers {

    /** Index name: {@code metadata.namespace}. */
    public static final String NAMESPACE = "namespace";
    /** Index name: a pod's {@code spec.nodeName} (pods not yet bound are not indexed). */
    public static final String NODE_NAME = "nodeName";
    /** Index name: the uids of {@code metadata.ownerReferences}. */
    public static final String OWNER_UID = "ownerUid";

    private Indexers() {
    }

    public static List<String> namespace(HasMetadata o) {
        String ns = o.getMetadata() == null ? null : o.getMetadata().getNamespace();
        return ns == null || ns.isEmpty() ? List.of() : List.of(ns);
    }

    public static List<String> nodeName(HasMetadata o) {
        if (o instanceof Pod pod && pod.getSpec() != null) {
            String node = pod.getSpec().getNodeName();
            return node == null || node.isEmpty() ? List.of() : List.of(node);
        }
        return List.of();
    }

    public static List<String> ownerUid(HasMetadata o) {
        List<OwnerReference> refs = o.getMetadata() == null ? null : o.getMetadata().getOwnerReferences();
        if (refs == null || refs.isEmpty()) {
            return List.of();
        }
        return refs.stream().map(OwnerReference::getUid).filter(Objects::nonNull).toList();
    }

    /** The namespace index alone: what every informer gets by default (the {@link Lister} uses it). */
    public static <T extends HasMetadata> Map<String, Function<T, List<String>>> defaults() {
        return Map.of(NAMESPACE, Indexers::namespace);
    }

    /** All three built-in indexes. */
    public static <T extends HasMetadata> Map<String, Function<T, List<String>>> all() {
        return Map.of(NAMESPACE, Indexers::namespace, NODE_NAME, Indexers::nodeName, OWNER_UID, Indexers::ownerUid);
    }
}
