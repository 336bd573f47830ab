package io.kube4j.api.registry;

import io.fabric8.kubernetes.api.model.HasMetadata;

import java.util.List;
import java.util.Set;

/**
 * One servable REST resource: where it lives in the API (group/version/plural), what it is called,
 * whether it is namespaced, which verbs and subresources it has, and the fabric8 type that models it.
 */
public record ResourceType(
        String group,
        String version,
        String kind,
        String plural,
        String singular,
        List<String> shortNames,
        boolean namespaced,
        List<String> verbs,
        Set<String> subresources,
        Class<? extends HasMetadata> type) {

    public static final List<String> ALL_VERBS =
            List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");

    /** {@code v1} for the core group, {@code group/version} otherwise. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    public String listKind() {
        return kind + "List";
    }

    /** {@code pods}, or {@code deployments.apps}: the name used for this resource in messages and RBAC. */
    public String qualifiedName() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    /**
     * False for the create-only review resources (answered from the request) and the read-only resource metrics
     * (computed from the node agents): neither is stored nor cached. Every stored resource can be watched.
     */
    public boolean stored() {
        return verbs.contains("watch");
    }

    public boolean hasSubresource(String name) {
        return subresources.contains(name);
    }

    /** The storage key prefix of every object of this resource, ending with a slash. */
    public String keyPrefix() {
        return "/registry/" + plural + "/";
    }

    /** The storage key prefix of the objects of one namespace (or of all, for cluster-scoped resources). */
    public String keyPrefix(String namespace) {
        return namespaced && namespace != null ? keyPrefix() + namespace + "/" : keyPrefix();
    }

    public String key(String namespace, String name) {
        return namespaced ? keyPrefix() + namespace + "/" + name : keyPrefix() + name;
    }
}
