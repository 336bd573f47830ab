package io.kube4j.client.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.ListMeta;

import java.util.List;

/** One page of a list, decoded generically (fabric8's list classes are not needed). */
public record ResourceList<T extends HasMetadata>(ListMeta metadata, List<T> items) implements KubernetesResourceList<T> {

    @Override
    public ListMeta getMetadata() {
        return metadata;
    }

    @Override
    public List<T> getItems() {
        return items;
    }
}
