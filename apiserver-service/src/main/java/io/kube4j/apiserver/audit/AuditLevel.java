package io.kube4j.apiserver.audit;

/** How much of a request the audit log records, as Kubernetes' {@code audit.k8s.io/v1 Level}. */
public enum AuditLevel {
    None, Metadata, Request, RequestResponse;

    public boolean atLeast(AuditLevel other) {
        return compareTo(other) >= 0;
    }
}
