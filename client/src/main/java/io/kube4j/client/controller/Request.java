package io.kube4j.client.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** The key a reconciler works on: namespace (null for cluster-scoped objects) and name. */
public record Request(String namespace, String name) {

    public Request {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a request needs a name");
        }
    }

    public static Request of(HasMetadata object) {
        return new Request(object.getMetadata().getNamespace(), object.getMetadata().getName());
    }

    @Override
    public String toString() {
        return namespace == null ? name : namespace + "/" + name;
    }
}
