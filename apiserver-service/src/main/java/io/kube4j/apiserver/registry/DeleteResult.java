package io.kube4j.apiserver.registry;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * The outcome of a delete: the object, and whether it is gone ({@code false}: deletion is pending on a
 * grace period or finalizers, and the object now carries a deletionTimestamp).
 */
public record DeleteResult(HasMetadata object, boolean deleted) {
}
