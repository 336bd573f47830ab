package io.kube4j.apiserver.rest;

import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** Discovery ({@code /api}, {@code /apis}, {@code /api/v1}, {@code /apis/{g}/{v}}) and {@code /version}. */
public final class DiscoveryHandler {

    /** The Kubernetes version kube4j reports; kubectl picks its binary by this minor. */
    public static final String KUBERNETES_MAJOR = "1";
    public static final String KUBERNETES_MINOR = "31";

    private final ResourceRegistry registry;
    private final String kube4jVersion;

    public DiscoveryHandler(ResourceRegistry registry, String kube4jVersion) {
        this.registry = registry;
        this.kube4jVersion = kube4jVersion;
    }

    public Mono<ServerResponse> version(ServerRequest r) {
        ObjectNode v = Codecs.json().createObjectNode();
        v.put("major", KUBERNETES_MAJOR);
        v.put("minor", KUBERNETES_MINOR);
        v.put("gitVersion", "v" + KUBERNETES_MAJOR + "." + KUBERNETES_MINOR + ".0-kube4j." + kube4jVersion);
        v.put("gitCommit", "kube4j-" + kube4jVersion);
        v.put("gitTreeState", "clean");
        v.put("buildDate", "2026-11-26T00:00:00Z");
        v.put("goVersion", "java" + Runtime.version().feature());
        v.put("compiler", "javac");
        v.put("platform", System.getProperty("os.name").toLowerCase() + "/" + arch());
        return Responses.object(r, 200, v);
    }

    private static String arch() {
        String a = System.getProperty("os.arch");
        return a.equals("x86_64") ? "amd64" : a.equals("aarch64") ? "arm64" : a;
    }

    public Mono<ServerResponse> api(ServerRequest r) {
        ObjectNode v = Codecs.json().createObjectNode();
        v.put("kind", "APIVersions");
        v.putArray("versions").add("v1");
        ObjectNode addr = v.putArray("serverAddressByClientCIDRs").addObject();
        addr.put("clientCIDR", "0.0.0.0/0");
        addr.put("serverAddress", r.uri().getHost() + ":" + r.uri().getPort());
        return Responses.object(r, 200, v);
    }

    public Mono<ServerResponse> apis(ServerRequest r) {
        ObjectNode list = Codecs.json().createObjectNode();
        list.put("kind", "APIGroupList");
        list.put("apiVersion", "v1");
        ArrayNode groups = list.putArray("groups");
        for (Map.Entry<String, Set<String>> g : registry.groupVersions().entrySet()) {
            if (g.getKey().isEmpty()) {
                continue;
            }
            groups.add(group(g.getKey(), g.getValue()));
        }
        return Responses.object(r, 200, list);
    }

    public Mono<ServerResponse> group(ServerRequest r) {
        String name = r.pathVariable("group");
        Set<String> versions = registry.groupVersions().get(name);
        if (versions == null) {
            return Responses.error(ApiException.notFound("the server could not find the requested resource"));
        }
        ObjectNode g = group(name, versions);
        g.put("kind", "APIGroup");
        g.put("apiVersion", "v1");
        return Responses.object(r, 200, g);
    }

    private static ObjectNode group(String name, Set<String> versions) {
        ObjectNode g = Codecs.json().createObjectNode();
        g.put("name", name);
        ArrayNode vs = g.putArray("versions");
        for (String v : versions) {
            vs.addObject().put("groupVersion", name + "/" + v).put("version", v);
        }
        String preferred = versions.iterator().next();
        g.putObject("preferredVersion").put("groupVersion", name + "/" + preferred).put("version", preferred);
        return g;
    }

    public Mono<ServerResponse> coreResources(ServerRequest r) {
        if (!r.pathVariable("version").equals("v1")) {
            return Responses.error(ApiException.notFound("the server could not find the requested resource"));
        }
        return Responses.object(r, 200, resourceList("", "v1"));
    }

    public Mono<ServerResponse> groupResources(ServerRequest r) {
        String g = r.pathVariable("group");
        String v = r.pathVariable("version");
        if (registry.inGroupVersion(g, v).isEmpty()) {
            return Responses.error(ApiException.notFound("the server could not find the requested resource"));
        }
        return Responses.object(r, 200, resourceList(g, v));
    }

    private ObjectNode resourceList(String group, String version) {
        ObjectNode list = Codecs.json().createObjectNode();
        list.put("kind", "APIResourceList");
        list.put("apiVersion", "v1");
        list.put("groupVersion", group.isEmpty() ? version : group + "/" + version);
        ArrayNode resources = list.putArray("resources");
        for (ResourceType t : registry.inGroupVersion(group, version)) {
            ObjectNode res = resources.addObject();
            res.put("name", t.plural());
            res.put("singularName", t.singular());
            res.put("namespaced", t.namespaced());
            res.put("kind", t.kind());
            ArrayNode verbs = res.putArray("verbs");
            t.verbs().forEach(verbs::add);
            if (!t.shortNames().isEmpty()) {
                ArrayNode sn = res.putArray("shortNames");
                t.shortNames().forEach(sn::add);
            }
            // Kubernetes' "all" category (what `kubectl get all` lists): workloads and services, not configuration
            // (stored ones only: metrics.k8s.io's pods are PodMetrics)
            if (t.stored() && List.of("pods", "replicationcontrollers", "deployments", "replicasets", "statefulsets", "daemonsets",
                    "services", "jobs", "cronjobs", "horizontalpodautoscalers").contains(t.plural())) {
                res.putArray("categories").add("all");
            }
            for (String sub : t.subresources()) {
                ObjectNode s = resources.addObject();
                s.put("name", t.plural() + "/" + sub);
                s.put("singularName", "");
                s.put("namespaced", t.namespaced());
                ArrayNode sv = s.putArray("verbs");
                switch (sub) {
                    case "status" -> {
                        s.put("kind", t.kind());
                        List.of("get", "patch", "update").forEach(sv::add);
                    }
                    case "scale" -> {
                        s.put("group", "autoscaling");
                        s.put("version", "v1");
                        s.put("kind", "Scale");
                        List.of("get", "patch", "update").forEach(sv::add);
                    }
                    case "binding" -> {
                        s.put("kind", "Binding");
                        sv.add("create");
                    }
                    case "eviction" -> {
                        s.put("group", "policy");
                        s.put("version", "v1");
                        s.put("kind", "Eviction");
                        sv.add("create");
                    }
                    case "log" -> {
                        s.put("kind", "Pod");
                        sv.add("get");
                    }
                    case "exec" -> {
                        s.put("kind", "PodExecOptions");
                        List.of("create", "get").forEach(sv::add);
                    }
                    case "attach" -> {
                        s.put("kind", "PodAttachOptions");
                        List.of("create", "get").forEach(sv::add);
                    }
                    case "portforward" -> {
                        s.put("kind", "PodPortForwardOptions");
                        List.of("create", "get").forEach(sv::add);
                    }
                    case "finalize" -> {
                        s.put("kind", t.kind());
                        sv.add("update");
                    }
                    default -> s.put("kind", t.kind());
                }
            }
        }
        return list;
    }
}
