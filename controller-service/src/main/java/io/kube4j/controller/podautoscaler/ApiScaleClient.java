package io.kube4j.controller.podautoscaler;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.client.RawClient;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;

/**
 * The {@code scale} subresource through the apiserver: the target's kind is mapped to its resource path by the
 * registry (any resource that serves {@code scale}: Deployments, ReplicaSets, StatefulSets, ...), read as an
 * autoscaling/v1 Scale and written with a merge patch of {@code spec.replicas}.
 */
public final class ApiScaleClient implements ScaleClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final RawClient raw;
    private final ResourceRegistry registry;

    public ApiScaleClient(RawClient raw, ResourceRegistry registry) {
        this.raw = raw;
        this.registry = registry;
    }

    @Override
    public ScaleTarget get(String namespace, String apiVersion, String kind, String name) {
        byte[] body = raw.get(path(namespace, apiVersion, kind, name)).block(TIMEOUT);
        JsonNode scale = Codecs.json().readTree(body);
        return new ScaleTarget(scale.path("spec").path("replicas").asInt(0),
                scale.path("status").path("replicas").asInt(0), scale.path("status").path("selector").asString(""));
    }

    @Override
    public void update(String namespace, String apiVersion, String kind, String name, int replicas) {
        byte[] patch = ("{\"spec\":{\"replicas\":" + replicas + "}}").getBytes(StandardCharsets.UTF_8);
        raw.request(HttpMethod.PATCH, path(namespace, apiVersion, kind, name),
                MediaType.parseMediaType("application/merge-patch+json"), patch).block(TIMEOUT);
    }

    private String path(String namespace, String apiVersion, String kind, String name) {
        ResourceType t = registry.byKind(apiVersion, kind).orElseThrow(() -> new IllegalArgumentException(
                "unable to determine resource for scale target reference: no matches for kind \"" + kind
                        + "\" in version \"" + apiVersion + "\""));
        if (!t.hasSubresource("scale")) {
            throw new IllegalArgumentException(t.qualifiedName() + " has no scale subresource");
        }
        String prefix = t.group().isEmpty() ? "/api/" + t.version() : "/apis/" + t.group() + "/" + t.version();
        return prefix + "/namespaces/" + namespace + "/" + t.plural() + "/" + name + "/scale";
    }
}
