package io.kube4j.apiserver.admission;

import io.kube4j.apiserver.rest.ApiException;

/** Kubernetes' {@code admission.NewForbidden}: 403 {@code <resource> "<name>" is forbidden: <reason>}. */
public final class AdmissionErrors {

    private AdmissionErrors() {
    }

    public static ApiException forbidden(AdmissionAttributes a, String reason) {
        String name = a.name();
        if (name.isEmpty() && a.object() != null && a.object().getMetadata() != null
                && a.object().getMetadata().getName() != null) {
            name = a.object().getMetadata().getName();
        }
        String resource = a.type().qualifiedName();
        String message = name.isEmpty() ? resource + " is forbidden: " + reason
                : resource + " \"" + name + "\" is forbidden: " + reason;
        return ApiException.forbidden(a.type(), name, message);
    }
}
