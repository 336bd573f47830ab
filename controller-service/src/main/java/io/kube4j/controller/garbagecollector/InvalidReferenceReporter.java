package io.kube4j.controller.garbagecollector;

/**
 * Tells users about owner references that can never resolve (Kubernetes' {@code OwnerRefInvalidNamespace} Warning
 * events): a reference to a uid that belongs to an object in another namespace, or a cluster-scoped object
 * referring to a namespaced owner.
 */
@FunctionalInterface
interface InvalidReferenceReporter {

    String REASON = "OwnerRefInvalidNamespace";

    void report(ObjectReference dependent, String message);
}
