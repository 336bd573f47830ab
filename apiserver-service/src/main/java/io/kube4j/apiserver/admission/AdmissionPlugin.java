package io.kube4j.apiserver.admission;

/**
 * An admission plugin: a small class behind {@link MutatingAdmissionPlugin} and/or {@link ValidatingAdmissionPlugin},
 * known by its Kubernetes name (NamespaceLifecycle, LimitRanger, ServiceAccount, ...) so that configuration can turn
 * it off ({@code kube4j.apiserver.admission.disabled-plugins}).
 */
public interface AdmissionPlugin {

    /** The Kubernetes plugin name, e.g. {@code NamespaceLifecycle}. */
    String name();

    /** Whether this plugin looks at {@code operation} at all (cheap pre-check; the default is every operation). */
    default boolean handles(AdmissionAttributes.Operation operation) {
        return true;
    }

    /**
     * Whether this plugin looks at a request on {@code type}/{@code subresource} by {@code user} (a cheap
     * pre-check before the attributes, and the old object, are built; the default is {@link #handles}). The
     * store skips admission entirely, and the decoding it would need, when no enabled plugin applies.
     */
    default boolean appliesTo(AdmissionAttributes.Operation operation, io.kube4j.api.registry.ResourceType type,
                              String subresource, io.kube4j.security.UserInfo user) {
        return handles(operation);
    }
}
