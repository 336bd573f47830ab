package io.kube4j.cli.api;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.kube4j.api.registry.ResourceType;

import java.util.List;
import java.util.Set;

/**
 * A resource the server serves, as discovery ({@code /api/v1}, {@code /apis/{group}/{version}}) describes it.
 *
 * @param subresources the names of its subresources ({@code status}, {@code scale}, {@code log}, ...)
 */
public record ApiResource(String group, String version, String kind, String plural, String singular,
                          List<String> shortNames, boolean namespaced, List<String> verbs, List<String> categories,
                          Set<String> subresources) {

    /** {@code v1} or {@code apps/v1}. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** {@code pods}, {@code deployments.apps}: how kubectl names the resource in messages. */
    public String qualifiedName() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    /** {@code pod}, {@code deployment.apps}: how kubectl names one object ({@code deployment.apps/web created}). */
    public String qualifiedKind() {
        String k = kind.toLowerCase(java.util.Locale.ROOT);
        return group.isEmpty() ? k : k + "." + group;
    }

    public boolean supports(String verb) {
        return verbs.contains(verb);
    }

    /** The path of the collection: {@code /api/v1/namespaces/ns/pods}; namespace null: across namespaces. */
    public String collectionPath(String namespace) {
        String base = group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version;
        return namespaced && namespace != null ? base + "/namespaces/" + namespace + "/" + plural : base + "/" + plural;
    }

    /** The path of one object. */
    public String objectPath(String namespace, String name) {
        return collectionPath(namespaced ? namespace : null) + "/" + name;
    }

    /** The description the client's dynamic (untyped) client needs. */
    public ResourceType toResourceType() {
        return new ResourceType(group, version, kind, plural, singular, shortNames, namespaced, verbs, subresources,
                GenericKubernetesResource.class);
    }
}
