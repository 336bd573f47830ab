package io.kube4j.controller.common;

import io.kube4j.client.ApiStatusException;

/** Recognizes the apiserver answers controllers treat specially. */
public final class ApiErrors {

    private ApiErrors() {
    }

    /**
     * The apiserver refused a create because the namespace began terminating (403 with cause
     * {@code NamespaceTerminating}): not a failure, Kubernetes' controllers ignore it too.
     */
    public static boolean namespaceTerminating(Throwable e) {
        if (!(e instanceof ApiStatusException.Forbidden f)) {
            return false;
        }
        var details = f.status() == null ? null : f.status().getDetails();
        if (details != null && details.getCauses() != null
                && details.getCauses().stream().anyMatch(c -> "NamespaceTerminating".equals(c.getReason()))) {
            return true;
        }
        return String.valueOf(f.getMessage()).contains("because it is being terminated");
    }
}
