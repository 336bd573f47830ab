package io.kube4j.apiserver.auth.authz;

import io.kube4j.apiserver.rest.ApiException;

import java.util.List;

/** The 403 Status of a request the authorizer did not allow, worded as Kubernetes' {@code ForbiddenStatus}. */
public final class Forbidden {

    private Forbidden() {
    }

    /** E.g. {@code pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "ns1"}. */
    public static ApiException of(AuthorizationAttributes a, String reason) {
        String msg = message(a);
        if (reason != null && !reason.isEmpty()) {
            msg = msg + ": " + reason;
        }
        String gr = a.resource().isEmpty() ? "" : a.apiGroup().isEmpty() ? a.resource() : a.resource() + "." + a.apiGroup();
        String message;
        if (gr.isEmpty()) {
            message = "forbidden: " + msg;
        } else if (a.name().isEmpty()) {
            message = gr + " is forbidden: " + msg;
        } else {
            message = gr + " \"" + a.name() + "\" is forbidden: " + msg;
        }
        return new ApiException(403, "Forbidden", message, a.name().isEmpty() ? null : a.name(),
                a.apiGroup().isEmpty() ? null : a.apiGroup(), a.resource().isEmpty() ? null : a.resource(), List.of(), null);
    }

    /** Kubernetes' {@code forbiddenMessage}. */
    static String message(AuthorizationAttributes a) {
        String user = a.user() == null ? "" : a.user().name();
        if (!a.resourceRequest()) {
            return "User \"" + user + "\" cannot " + a.verb() + " path \"" + a.path() + "\"";
        }
        String resource = a.resourceWithSubresource();
        if (!a.namespace().isEmpty()) {
            return "User \"" + user + "\" cannot " + a.verb() + " resource \"" + resource + "\" in API group \""
                    + a.apiGroup() + "\" in the namespace \"" + a.namespace() + "\"";
        }
        return "User \"" + user + "\" cannot " + a.verb() + " resource \"" + resource + "\" in API group \""
                + a.apiGroup() + "\" at the cluster scope";
    }
}
