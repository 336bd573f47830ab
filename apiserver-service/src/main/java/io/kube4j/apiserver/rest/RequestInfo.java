package io.kube4j.apiserver.rest;

import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A resource request path taken apart: {@code /api/v1/namespaces/ns/pods/name/status} or
 * {@code /apis/apps/v1/deployments}. Null fields are absent from the path.
 */
public record RequestInfo(ResourceType type, String namespace, String name, String subresource) {

    private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

    /** Parses the path; null when it is not a resource path (discovery is handled elsewhere). */
    public static RequestInfo parse(String path, ResourceRegistry registry) {
        List<String> s = new ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty()) {
                s.add(java.net.URLDecoder.decode(part, java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        String group;
        String version;
        int i;
        if (s.size() >= 3 && s.get(0).equals("api")) {
            group = "";
            version = s.get(1);
            i = 2;
        } else if (s.size() >= 4 && s.get(0).equals("apis")) {
            group = s.get(1);
            version = s.get(2);
            i = 3;
        } else {
            return null;
        }
        List<String> rest = s.subList(i, s.size());
        String namespace = null;
        if (rest.size() >= 3 && rest.get(0).equals("namespaces") && !NAMESPACE_SUBRESOURCES.contains(rest.get(2))) {
            namespace = rest.get(1);
            rest = rest.subList(2, rest.size());
        }
        if (rest.isEmpty() || rest.size() > 3) {
            throw ApiException.notFound("the server could not find the requested resource");
        }
        String plural = rest.get(0);
        ResourceType type = registry.byPath(group, version, plural).orElseThrow(
                () -> ApiException.notFound("the server could not find the requested resource"));
        if (type.namespaced() && namespace == null && rest.size() > 1) {
            throw ApiException.notFound("the server could not find the requested resource");
        }
        if (!type.namespaced() && namespace != null) {
            throw ApiException.notFound("the server could not find the requested resource");
        }
        String name = rest.size() > 1 ? rest.get(1) : null;
        String sub = rest.size() > 2 ? rest.get(2) : null;
        if (sub != null && !type.hasSubresource(sub)) {
            throw ApiException.notFound("the server could not find the requested resource");
        }
        return new RequestInfo(type, namespace, name, sub);
    }
}
