package io.kube4j.apiserver.admission;

/**
 * The {@code @Order} of each admission plugin bean: Kubernetes' recommended plugin order. The chain is built from
 * every {@link AdmissionPlugin} bean sorted by these values, mutating ones first, then validating ones.
 */
public final class AdmissionOrder {

    public static final int NAMESPACE_LIFECYCLE = 100;
    public static final int LIMIT_RANGER = 200;
    public static final int SERVICE_ACCOUNT = 300;
    public static final int NODE_RESTRICTION = 400;
    public static final int POD_SECURITY = 500;
    public static final int PRIORITY = 600;
    public static final int DEFAULT_STORAGE_CLASS = 650;
    public static final int DEFAULT_INGRESS_CLASS = 660;
    public static final int DEFAULT_TOLERATION_SECONDS = 700;
    public static final int STORAGE_OBJECT_IN_USE_PROTECTION = 720;
    /** RBAC's escalation check on roles and bindings (Kubernetes does it in the RBAC storage; here, a validator). */
    public static final int RBAC_ESCALATION = 750;
    public static final int MUTATING_WEBHOOK = 800;
    public static final int VALIDATING_WEBHOOK = 900;
    public static final int RESOURCE_QUOTA = 1000;

    private AdmissionOrder() {
    }
}
