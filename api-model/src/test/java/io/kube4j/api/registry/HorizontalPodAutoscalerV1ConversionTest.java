package io.kube4j.api.registry;

import io.kube4j.api.codec.Codecs;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

class HorizontalPodAutoscalerV1ConversionTest {

    private final HorizontalPodAutoscalerV1Conversion conversion = new HorizontalPodAutoscalerV1Conversion();

    private static ObjectNode json(String s) {
        return (ObjectNode) Codecs.json().readTree(s.replace('\'', '"'));
    }

    private static final String V2 = """
            {'apiVersion':'autoscaling/v2','kind':'HorizontalPodAutoscaler',
             'metadata':{'name':'web','namespace':'ns','annotations':{'team':'a'}},
             'spec':{'scaleTargetRef':{'apiVersion':'apps/v1','kind':'Deployment','name':'web'},
               'minReplicas':1,'maxReplicas':4,
               'metrics':[{'type':'Resource','resource':{'name':'memory','target':{'type':'AverageValue','averageValue':'100Mi'}}},
                          {'type':'Resource','resource':{'name':'cpu','target':{'type':'Utilization','averageUtilization':60}}}],
               'behavior':{'scaleDown':{'stabilizationWindowSeconds':30,'selectPolicy':'Max',
                 'policies':[{'type':'Pods','value':1,'periodSeconds':15}]}}},
             'status':{'observedGeneration':3,'lastScaleTime':'2026-11-28T09:00:00Z','currentReplicas':2,'desiredReplicas':3,
               'currentMetrics':[{'type':'Resource','resource':{'name':'memory','current':{'averageValue':'50Mi'}}},
                                 {'type':'Resource','resource':{'name':'cpu','current':{'averageUtilization':75}}}],
               'conditions':[{'type':'AbleToScale','status':'True','reason':'ReadyForNewScale'}]}}
            """;

    @Test
    void v2ShowsAsV1WithCpuFieldsAndTheRestInAnnotations() {
        ObjectNode v1 = conversion.toServed(json(V2));

        assertThat(v1.path("apiVersion").asString()).isEqualTo("autoscaling/v1");
        assertThat(v1.path("spec").path("targetCPUUtilizationPercentage").asInt()).isEqualTo(60);
        assertThat(v1.path("spec").has("metrics")).isFalse();
        assertThat(v1.path("spec").has("behavior")).isFalse();
        assertThat(v1.path("spec").path("maxReplicas").asInt()).isEqualTo(4);
        assertThat(v1.path("status").path("currentCPUUtilizationPercentage").asInt()).isEqualTo(75);
        assertThat(v1.path("status").path("lastScaleTime").asString()).isEqualTo("2026-11-28T09:00:00Z");
        assertThat(v1.path("status").has("conditions")).isFalse();
        JsonNode annotations = v1.path("metadata").path("annotations");
        assertThat(annotations.path("team").asString()).isEqualTo("a");
        assertThat(Codecs.json().readTree(annotations.path(HorizontalPodAutoscalerV1Conversion.METRICS).asString())
                .get(0).path("resource").path("name").asString()).isEqualTo("memory");
        assertThat(annotations.has(HorizontalPodAutoscalerV1Conversion.BEHAVIOR)).isTrue();
        assertThat(annotations.has(HorizontalPodAutoscalerV1Conversion.CURRENT_METRICS)).isTrue();
        assertThat(annotations.has(HorizontalPodAutoscalerV1Conversion.CONDITIONS)).isTrue();
    }

    @Test
    void roundTripV2ToV1ToV2KeepsEverything() {
        ObjectNode v2 = json(V2);
        ObjectNode back = conversion.toStorage(conversion.toServed(v2));

        // The cpu utilization metric comes back last, as in Kubernetes; V2 already has it last. (As in Kubernetes,
        // the cpu current metric keeps only its utilization: v1 status has nothing else for it.)
        assertThat(back).isEqualTo(v2);
        assertThat(v2.path("apiVersion").asString()).as("input untouched").isEqualTo("autoscaling/v2");
    }

    @Test
    void plainV1BecomesACpuUtilizationMetric() {
        ObjectNode v1 = json("""
                {'apiVersion':'autoscaling/v1','kind':'HorizontalPodAutoscaler','metadata':{'name':'web'},
                 'spec':{'scaleTargetRef':{'kind':'Deployment','name':'web','apiVersion':'apps/v1'},
                         'maxReplicas':4,'targetCPUUtilizationPercentage':60}}
                """);
        ObjectNode v2 = conversion.toStorage(v1);

        assertThat(v2.path("apiVersion").asString()).isEqualTo("autoscaling/v2");
        assertThat(v2.path("spec").path("metrics")).hasSize(1);
        JsonNode cpu = v2.path("spec").path("metrics").get(0);
        assertThat(cpu.path("type").asString()).isEqualTo("Resource");
        assertThat(cpu.path("resource").path("name").asString()).isEqualTo("cpu");
        assertThat(cpu.path("resource").path("target").path("type").asString()).isEqualTo("Utilization");
        assertThat(cpu.path("resource").path("target").path("averageUtilization").asInt()).isEqualTo(60);
        assertThat(v2.path("spec").has("targetCPUUtilizationPercentage")).isFalse();
        assertThat(v2.path("metadata").has("annotations")).isFalse();
        assertThat(conversion.toServed(v2)).isEqualTo(v1);
    }

    @Test
    void withoutCpuTargetNoMetricsAndMalformedAnnotationsAreIgnored() {
        ObjectNode v1 = json("""
                {'apiVersion':'autoscaling/v1','kind':'HorizontalPodAutoscaler',
                 'metadata':{'name':'web','annotations':{'autoscaling.alpha.kubernetes.io/metrics':'not json'}},
                 'spec':{'scaleTargetRef':{'kind':'Deployment','name':'web'},'maxReplicas':2}}
                """);
        ObjectNode v2 = conversion.toStorage(v1);

        assertThat(v2.path("spec").has("metrics")).isFalse();
        assertThat(v2.path("metadata").has("annotations")).isFalse();
    }

    @Test
    void theBuiltinRegistryServesV1FromTheV2Store() {
        ResourceRegistry registry = ResourceRegistry.builtin();
        ResourceType v1 = registry.byPath("autoscaling", "v1", "horizontalpodautoscalers").orElseThrow();
        ResourceType v2 = registry.byPath("autoscaling", "v2", "horizontalpodautoscalers").orElseThrow();

        assertThat(registry.servedVersion(v1).orElseThrow().storage()).isEqualTo(v2);
        assertThat(registry.servedVersion(v2)).isEmpty();
        assertThat(registry.all()).contains(v2).doesNotContain(v1);
        assertThat(registry.groupVersions().get("autoscaling")).containsExactly("v2", "v1");
        assertThat(registry.inGroupVersion("autoscaling", "v1")).containsExactly(v1);
        assertThat(registry.byKind("autoscaling/v1", "HorizontalPodAutoscaler")).contains(v1);
    }
}
