package io.kube4j.apiserver.auth.authz;

import io.kube4j.apiserver.rest.ApiException;

import java.util.List;

/**
 * Kubernetes' 403 for a request the authorizer refused ({@code responsewriters.forbiddenMessage} inside
 * {@code errors.NewForbidden}): {@code pods is forbidden: User "alice" cannot list resource "pods" in API group ""
 * in the namespace "ns1"}, with the authorizer's reason appended after a colon when there is one.
 */
public final class Forbidden {

    private Forbidden() {
    }

    public static ApiException of(AuthorizationAttributes a, String reason) {
        String user = a.user() == null ? "" : a.user().name();
        String msg;
        if (!a.resourceRequest()) {
            msg = "User \"" + user + "\" cannot " + a.verb() + " path \"" + a.path() + "\"";
        } else if (!a.namespace().isEmpty()) {
            msg = "User \"" + user + "\" cannot " + a.verb() + " resource \"" + a.resourceWithSubresource()
                    + "\" in API group \"" + a.apiGroup() + "\" in the namespace \"" + a.namespace() + "\"";
        } else {
            msg = "User \"" + user + "\" cannot " + a.verb() + " resource \"" + a.resourceWithSubresource()
                    + "\" in API group \"" + a.apiGroup() + "\" at the cluster scope";
        }
        if (reason != null && !reason.isEmpty()) {
            msg += ": " + reason;
        }
        String what;
        if (!a.resourceRequest()) {
            what = "forbidden: " + msg;
            return new ApiException(403, "Forbidden", what);
        }
        String qualified = a.apiGroup().isEmpty() ? a.resource() : a.resource() + "." + a.apiGroup();
        what = a.name().isEmpty() ? qualified + " is forbidden: " + msg
                : qualified + " \"" + a.name() + "\" is forbidden: " + msg;
        return new ApiException(403, "Forbidden", what, a.name().isEmpty() ? null : a.name(), a.apiGroup(),
                a.resource(), List.of(), null);
    }
}
