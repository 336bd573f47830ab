package io.kube4j.apiserver.auth.authz;

import io.kube4j.security.UserInfo;

/**
 * What a request asks to do, as Kubernetes' {@code authorizer.Attributes}: who ({@link #user}), which verb, and
 * either a resource ({@link #resourceRequest} true: group, version, resource, subresource, namespace, name) or a
 * non-resource path ({@code /healthz}, {@code /version}, {@code /api}). Verbs are Kubernetes' request verbs:
 * get, list, watch, create, update, patch, delete, deletecollection for resources (connect subresources such as
 * pods/exec map POST to create and GET to get), the lower-case HTTP method for non-resource paths, and
 * impersonate for impersonation checks.
 */
public record AuthorizationAttributes(UserInfo user, String verb, boolean resourceRequest, String apiGroup,
                                      String apiVersion, String resource, String subresource, String namespace,
                                      String name, String path) {

    public AuthorizationAttributes {
        apiGroup = apiGroup == null ? "" : apiGroup;
        apiVersion = apiVersion == null ? "" : apiVersion;
        resource = resource == null ? "" : resource;
        subresource = subresource == null ? "" : subresource;
        namespace = namespace == null ? "" : namespace;
        name = name == null ? "" : name;
        path = path == null ? "" : path;
    }

    public static AuthorizationAttributes resource(UserInfo user, String verb, String group, String version,
                                                   String resource, String subresource, String namespace, String name) {
        return new AuthorizationAttributes(user, verb, true, group, version, resource, subresource, namespace, name, null);
    }

    public static AuthorizationAttributes nonResource(UserInfo user, String verb, String path) {
        return new AuthorizationAttributes(user, verb, false, null, null, null, null, null, null, path);
    }

    public AuthorizationAttributes withUser(UserInfo u) {
        return new AuthorizationAttributes(u, verb, resourceRequest, apiGroup, apiVersion, resource, subresource,
                namespace, name, path);
    }

    /** {@code pods/log} or {@code pods}: the resource as RBAC rules name it. */
    public String resourceWithSubresource() {
        return subresource.isEmpty() ? resource : resource + "/" + subresource;
    }

    /** Reads (get, list, watch) are "read-only" for the inflight limits and for the Node authorizer. */
    public boolean readOnly() {
        return verb.equals("get") || verb.equals("list") || verb.equals("watch");
    }

    @Override
    public String toString() {
        String who = user == null ? "?" : user.name();
        return resourceRequest
                ? who + " " + verb + " " + (apiGroup.isEmpty() ? "" : apiGroup + "/") + resourceWithSubresource()
                + (namespace.isEmpty() ? "" : " in " + namespace) + (name.isEmpty() ? "" : " named " + name)
                : who + " " + verb + " " + path;
    }
}
