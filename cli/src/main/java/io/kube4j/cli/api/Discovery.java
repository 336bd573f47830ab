package io.kube4j.cli.api;

import io.kube4j.api.codec.Codecs;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.KubeClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the server serves: the resources of {@code /api/v1} and of the preferred version of every group of
 * {@code /apis}, fetched in parallel once per session. Resolves the words users type for a resource (plural, singular,
 * short name, kind, {@code plural.group}, {@code plural.version.group}) as kubectl's RESTMapper does; the core
 * group wins a name that several groups serve.
 */
public final class Discovery {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final List<ApiResource> resources;

    public Discovery(List<ApiResource> resources) {
        this.resources = List.copyOf(resources);
    }

    /** Reads discovery from the server. */
    public static Discovery fetch(KubeClient client) {
        Mono<List<ApiResource>> core = client.raw().get("/api/v1").map(b -> parseResourceList("", "v1", b));
        Mono<List<ApiResource>> groups = client.raw().get("/apis").flatMapMany(b -> {
            JsonNode root = Codecs.json().readTree(b);
            List<String[]> gvs = new ArrayList<>();
            for (JsonNode g : root.path("groups")) {
                String name = g.path("name").asString();
                String v = g.path("preferredVersion").path("version").asString("");
                if (v.isEmpty() && !g.path("versions").isEmpty()) {
                    v = g.path("versions").get(0).path("version").asString();
                }
                gvs.add(new String[]{name, v});
            }
            return Flux.fromIterable(gvs);
        }).flatMapSequential(gv -> client.raw().get("/apis/" + gv[0] + "/" + gv[1])
                .map(b -> parseResourceList(gv[0], gv[1], b))
                // a group that fails its discovery (an unavailable aggregated API) does not hide the others
                .onErrorResume(ApiStatusException.class, e -> Mono.just(List.of())))
                .collectList().map(ls -> ls.stream().flatMap(List::stream).toList());
        List<ApiResource> all = new ArrayList<>();
        Mono.zip(core, groups).doOnNext(t -> {
            all.addAll(t.getT1());
            all.addAll(t.getT2());
        }).block(TIMEOUT);
        return new Discovery(all);
    }

    static List<ApiResource> parseResourceList(String group, String version, byte[] json) {
        JsonNode root = Codecs.json().readTree(json);
        Map<String, Set<String>> subs = new HashMap<>();
        for (JsonNode r : root.path("resources")) {
            String name = r.path("name").asString();
            int slash = name.indexOf('/');
            if (slash > 0) {
                subs.computeIfAbsent(name.substring(0, slash), k -> new LinkedHashSet<>()).add(name.substring(slash + 1));
            }
        }
        List<ApiResource> l = new ArrayList<>();
        for (JsonNode r : root.path("resources")) {
            String name = r.path("name").asString();
            if (name.contains("/")) {
                continue;
            }
            String kind = r.path("kind").asString();
            String singular = r.path("singularName").asString("");
            l.add(new ApiResource(group, version, kind, name,
                    singular.isEmpty() ? kind.toLowerCase(Locale.ROOT) : singular,
                    strings(r.path("shortNames")), r.path("namespaced").asBoolean(false), strings(r.path("verbs")),
                    strings(r.path("categories")), Set.copyOf(subs.getOrDefault(name, Set.of()))));
        }
        return l;
    }

    private static List<String> strings(JsonNode array) {
        List<String> l = new ArrayList<>();
        array.forEach(n -> l.add(n.asString()));
        return l;
    }

    /** Every resource, core group first, then the groups in the server's order. */
    public List<ApiResource> resources() {
        return resources;
    }

    /** The resource a user's word names, if any. */
    public Optional<ApiResource> find(String word) {
        String w = word.toLowerCase(Locale.ROOT);
        // plural.version.group and plural.group (or kind.group)
        int dot = w.indexOf('.');
        if (dot > 0) {
            String head = w.substring(0, dot);
            String rest = w.substring(dot + 1);
            for (ApiResource r : resources) {
                boolean nameMatches = r.plural().equals(head) || r.singular().equals(head)
                        || r.kind().toLowerCase(Locale.ROOT).equals(head) || r.shortNames().contains(head);
                if (nameMatches && (rest.equals(r.group()) || rest.equals(r.version() + "." + r.group()))) {
                    return Optional.of(r);
                }
            }
        }
        for (ApiResource r : resources) {
            if (r.plural().equals(w)) {
                return Optional.of(r);
            }
        }
        for (ApiResource r : resources) {
            if (r.singular().equals(w) || r.shortNames().contains(w) || r.kind().toLowerCase(Locale.ROOT).equals(w)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** {@link #find}, or the error kubectl prints: {@code the server doesn't have a resource type "x"}. */
    public ApiResource resolve(String word) {
        return find(word).orElseThrow(() -> new ResourceTypeNotFound(word));
    }

    /** The resource serving objects of {@code apiVersion}/{@code kind} (what a manifest names). */
    public Optional<ApiResource> forKind(String apiVersion, String kind) {
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String version = apiVersion.contains("/") ? apiVersion.substring(apiVersion.indexOf('/') + 1) : apiVersion;
        for (ApiResource r : resources) {
            if (r.kind().equals(kind) && r.group().equals(group) && r.version().equals(version)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** The resources of a category ({@code all}: what {@code get all} lists). */
    public List<ApiResource> category(String category) {
        Map<String, ApiResource> byName = new LinkedHashMap<>();
        for (ApiResource r : resources) {
            if (r.categories().contains(category)) {
                byName.putIfAbsent(r.plural(), r);
            }
        }
        return List.copyOf(byName.values());
    }

    /** A word that names no resource. */
    public static final class ResourceTypeNotFound extends RuntimeException {
        public ResourceTypeNotFound(String word) {
            super("the server doesn't have a resource type \"" + word + "\"");
        }
    }
}
