package io.kube4j.apiserver.registry;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ObjectCodecTest {

    private final ResourceType pods = ResourceRegistry.builtin().byPath("", "v1", "pods").orElseThrow();

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\",\"labels\":{\"x\":\"y\"}},\"spec\":{}}",
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{},\"spec\":{}}",
            "{\"spec\":{\"metadata\":{\"name\":\"nested\"}},\"metadata\":{\"name\":\"b\"}}",
            "  {\"kind\":\"Pod\",\n \"metadata\" : { \"name\" : \"c\" } }"})
    void splicesTheResourceVersionIntoTopLevelMetadata(String stored) {
        byte[] out = ObjectCodec.withResourceVersion(stored.getBytes(StandardCharsets.UTF_8), 42);
        JsonNode tree = Codecs.json().readTree(out);
        assertThat(tree.at("/metadata/resourceVersion").asString()).isEqualTo("42");
        JsonNode original = Codecs.json().readTree(stored);
        ((tools.jackson.databind.node.ObjectNode) tree.get("metadata")).remove("resourceVersion");
        assertThat(tree).isEqualTo(original);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1]", "{\"metadata\":\"x\"}", "{\"kind\":\"Pod\"}", "not json",
            "{\"metadata\":{\"resourceVersion\":\"1\"}}"})
    void refusesWhatItCannotSpliceSafely(String stored) {
        assertThat(ObjectCodec.withResourceVersion(stored.getBytes(StandardCharsets.UTF_8), 7)).isNull();
    }

    @Test
    void cachedObjectsCarryTheResourceVersionAndSelectorFields() {
        Pod pod = new PodBuilder().withNewMetadata().withName("p").withNamespace("ns").addToLabels("app", "web")
                .endMetadata().withNewSpec().withNodeName("n1").endSpec().build();
        var cached = ObjectCodec.toCached(pods, pods.key("ns", "p"), ObjectCodec.encodeForStorage(pod), 9);
        assertThat(cached.resourceVersion()).isEqualTo(9);
        assertThat(cached.labels()).containsEntry("app", "web");
        assertThat(cached.fields()).containsEntry("spec.nodeName", "n1");
        Pod back = Codecs.json().readValue(cached.json(), Pod.class);
        assertThat(back.getMetadata().getResourceVersion()).isEqualTo("9");
        assertThat(back.getSpec().getNodeName()).isEqualTo("n1");
    }
}
