package io.kube4j.apiserver.admission;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.security.UserInfo;

/**
 * One request as admission sees it (Kubernetes' {@code admission.Attributes}): the operation, the resource and
 * subresource, namespace and name, the object being written ({@code object}; null for DELETE and CONNECT) and the
 * stored one ({@code oldObject}; null for CREATE), who asks, whether it is a dry run, and the operation's options
 * object (CreateOptions, UpdateOptions, DeleteOptions, PodExecOptions...) as a plain map, or null.
 */
public record AdmissionAttributes(Operation operation, ResourceType type, String subresource, String namespace,
                                  String name, HasMetadata object, HasMetadata oldObject, UserInfo user,
                                  boolean dryRun, java.util.Map<String, Object> options) {

    /** Kubernetes' admission operations. */
    public enum Operation { CREATE, UPDATE, DELETE, CONNECT }

    public AdmissionAttributes {
        subresource = subresource == null ? "" : subresource;
        namespace = namespace == null ? "" : namespace;
        name = name == null ? "" : name;
    }

    /** The same request with another object (what a mutating plugin returns is passed on this way). */
    public AdmissionAttributes withObject(HasMetadata o) {
        return new AdmissionAttributes(operation, type, subresource, namespace, name, o, oldObject, user, dryRun, options);
    }

    /** True for the main resource (no subresource) of {@code group}/{@code plural}. */
    public boolean isResource(String group, String plural) {
        return subresource.isEmpty() && type.group().equals(group) && type.plural().equals(plural);
    }
}
