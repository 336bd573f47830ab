package io.kube4j.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.defaulting.Defaulting;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** HPA rules, on defaulted objects as the apiserver validates them. */
class AutoscalingValidationTest {

    private static final String HPA = """
            metadata: {name: web, namespace: default}
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
              minReplicas: 1
              maxReplicas: 3
              metrics:
              - type: Resource
                resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
              behavior:
                scaleDown: {stabilizationWindowSeconds: 3}
            """;

    private static List<String> errors(String yaml) {
        HorizontalPodAutoscaler hpa = Codecs.yaml().readValue(yaml, HorizontalPodAutoscaler.class);
        Defaulting.apply(hpa);
        ResourceType t = ResourceRegistry.builtin().byType(HorizontalPodAutoscaler.class).orElseThrow();
        return Validation.validateCreate(t, hpa).stream().map(FieldError::message).toList();
    }

    @Test
    void aDefaultedHpaIsValid() {
        assertThat(errors(HPA)).isEmpty();
        assertThat(errors("""
                metadata: {name: web, namespace: default}
                spec: {scaleTargetRef: {kind: Deployment, name: web}, maxReplicas: 2}
                """)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "'name: web}'|'name: \"\"}'|spec.scaleTargetRef.name: Required value",
            "minReplicas: 1|minReplicas: 0|spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
            "maxReplicas: 3|maxReplicas: 0|spec.maxReplicas: Invalid value: 0: must be greater than 0",
            "minReplicas: 1|minReplicas: 5|spec.maxReplicas: Invalid value: 3: must be greater than or equal to `minReplicas`",
            "type: Resource|type: Foo|spec.metrics[0].type: Unsupported value: \"Foo\"",
            "averageUtilization: 50|averageUtilization: 0|spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0",
            "stabilizationWindowSeconds: 3|stabilizationWindowSeconds: 4000|spec.behavior.scaleDown.stabilizationWindowSeconds: Invalid value: 4000: must be less than or equal to 3600",
            "'scaleDown: {stabilizationWindowSeconds: 3}'|'scaleDown: {selectPolicy: Most}'|spec.behavior.scaleDown.selectPolicy: Unsupported value: \"Most\"",
            "'scaleDown: {stabilizationWindowSeconds: 3}'|'scaleDown: {policies: [{type: Pods, value: 0, periodSeconds: 2000}]}'|spec.behavior.scaleDown.policies[0].value: Invalid value: 0: must be greater than zero",
    })
    void rejects(String from, String to, String message) {
        assertThat(HPA).contains(from);
        assertThat(errors(HPA.replace(from, to))).anySatisfy(m -> assertThat(m).startsWith(message));
    }
}
