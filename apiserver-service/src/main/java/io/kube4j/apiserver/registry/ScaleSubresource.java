package io.kube4j.apiserver.registry;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.api.selector.LabelSelector;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The {@code scale} subresource: an autoscaling/v1 Scale view of a workload's replicas. */
public final class ScaleSubresource {

    private ScaleSubresource() {
    }

    public static ObjectNode toScale(HasMetadata o) {
        JsonNode tree = Codecs.json().valueToTree(o);
        ObjectNode scale = Codecs.json().createObjectNode();
        scale.put("kind", "Scale");
        scale.put("apiVersion", "autoscaling/v1");
        ObjectNode meta = scale.putObject("metadata");
        meta.put("name", o.getMetadata().getName());
        meta.put("namespace", o.getMetadata().getNamespace());
        meta.put("uid", o.getMetadata().getUid());
        meta.put("resourceVersion", o.getMetadata().getResourceVersion());
        meta.put("creationTimestamp", o.getMetadata().getCreationTimestamp());
        scale.putObject("spec").put("replicas", tree.path("spec").path("replicas").asInt(0));
        ObjectNode status = scale.putObject("status");
        status.put("replicas", tree.path("status").path("replicas").asInt(0));
        JsonNode selector = tree.path("spec").path("selector");
        if (selector.isObject()) {
            io.fabric8.kubernetes.api.model.LabelSelector s =
                    Codecs.json().treeToValue(selector, io.fabric8.kubernetes.api.model.LabelSelector.class);
            status.put("selector", LabelSelector.from(s).toString());
        }
        return scale;
    }

    /** The workload with {@code spec.replicas} set; generation moves when the count changes. */
    static HasMetadata withReplicas(ResourceType t, HasMetadata current, int replicas) {
        ObjectNode tree = (ObjectNode) Codecs.json().valueToTree(current);
        JsonNode spec = tree.path("spec");
        ObjectNode specNode = spec.isObject() ? (ObjectNode) spec : tree.putObject("spec");
        int before = specNode.path("replicas").asInt(-1);
        specNode.put("replicas", replicas);
        HasMetadata next = Codecs.json().treeToValue(tree, t.type());
        if (before != replicas) {
            Long g = next.getMetadata().getGeneration();
            next.getMetadata().setGeneration((g == null ? 0 : g) + 1);
        }
        return next;
    }

    public static HasMetadata withReplicas(ResourceStore store, ResourceType t, HasMetadata current, int replicas) {
        return withReplicas(t, current, replicas);
    }
}
