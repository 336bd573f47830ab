package io.kube4j.apiserver.auth.authz;

import io.kube4j.security.UserInfo;
import org.springframework.http.HttpMethod;
import org.springframework.util.MultiValueMap;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Turns an HTTP request into the {@link AuthorizationAttributes} to authorize, the way Kubernetes'
 * {@code RequestInfoFactory} does: from the path alone (no registry lookup, so an unknown resource is still
 * authorized by name and only then answered 404), the method and the {@code watch}/{@code fieldSelector}
 * parameters.
 */
public final class RequestAttributes {

    private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

    private RequestAttributes() {
    }

    public static AuthorizationAttributes resolve(UserInfo user, HttpMethod method, String rawPath,
                                                  MultiValueMap<String, String> query) {
        String methodVerb = method.name().toLowerCase(java.util.Locale.ROOT);
        List<String> parts = split(rawPath);
        String group;
        String version;
        List<String> rest;
        if (parts.size() >= 2 && parts.get(0).equals("api")) {
            group = "";
            version = parts.get(1);
            rest = parts.subList(2, parts.size());
        } else if (parts.size() >= 3 && parts.get(0).equals("apis")) {
            group = parts.get(1);
            version = parts.get(2);
            rest = parts.subList(3, parts.size());
        } else {
            return AuthorizationAttributes.nonResource(user, methodVerb, rawPath);
        }
        if (rest.isEmpty()) {
            // discovery: /api/v1, /apis/apps/v1
            return AuthorizationAttributes.nonResource(user, methodVerb, rawPath);
        }
        String verb = switch (method.name()) {
            case "POST" -> "create";
            case "GET", "HEAD" -> "get";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> "delete";
            default -> methodVerb;
        };
        if (rest.get(0).equals("watch")) {
            // the legacy /api/v1/watch/... paths
            verb = "watch";
            rest = rest.subList(1, rest.size());
        }
        String namespace = "";
        if (!rest.isEmpty() && rest.get(0).equals("namespaces")) {
            if (rest.size() > 1) {
                namespace = rest.get(1);
                if (rest.size() > 2 && !NAMESPACE_SUBRESOURCES.contains(rest.get(2))) {
                    rest = rest.subList(2, rest.size());
                }
            }
        }
        if (rest.isEmpty()) {
            return AuthorizationAttributes.nonResource(user, methodVerb, rawPath);
        }
        String resource = rest.get(0);
        String name = rest.size() > 1 ? rest.get(1) : "";
        String subresource = rest.size() > 2 ? rest.get(2) : "";
        if (resource.equals("namespaces") && rest.size() <= 3) {
            // a namespace object itself: its name is also its namespace, as Kubernetes reports it
            namespace = name;
        }
        if (name.isEmpty()) {
            if (verb.equals("get")) {
                verb = isTrue(query.getFirst("watch")) ? "watch" : "list";
            } else if (verb.equals("delete")) {
                verb = "deletecollection";
            }
            if (verb.equals("list") || verb.equals("watch")) {
                // list/watch of one object by metadata.name counts as naming it (resourceNames rules apply)
                String byName = nameFromFieldSelector(query.getFirst("fieldSelector"));
                if (byName != null) {
                    name = byName;
                }
            }
        }
        return AuthorizationAttributes.resource(user, verb, group, version, resource, subresource, namespace, name);
    }

    private static boolean isTrue(String v) {
        return io.kube4j.apiserver.rest.QueryFlags.isTrue(v);
    }

    private static String nameFromFieldSelector(String selector) {
        if (selector == null || selector.isBlank()) {
            return null;
        }
        for (String req : selector.split(",")) {
            String r = req.trim();
            for (String op : List.of("==", "=")) {
                int i = r.indexOf(op);
                if (i > 0 && r.substring(0, i).trim().equals("metadata.name") && !r.substring(0, i).endsWith("!")) {
                    return r.substring(i + op.length()).trim();
                }
            }
        }
        return null;
    }

    private static List<String> split(String path) {
        List<String> out = new ArrayList<>();
        for (String p : path.split("/")) {
            if (!p.isEmpty()) {
                out.add(URLDecoder.decode(p, StandardCharsets.UTF_8));
            }
        }
        return out;
    }
}
