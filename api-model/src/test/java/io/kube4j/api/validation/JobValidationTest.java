package io.kube4j.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.defaulting.Defaulting;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** podFailurePolicy and backoffLimitPerIndex rules, as Kubernetes' batch validation. */
class JobValidationTest {

    private static final String JOB = """
            apiVersion: batch/v1
            kind: Job
            metadata: {name: pi, namespace: ns}
            spec:
              SPEC
              template:
                spec:
                  restartPolicy: RP
                  containers: [{name: c, image: busybox}]
            """;

    private static List<String> errors(String spec, String restartPolicy) {
        Job job = Codecs.yaml().readValue(JOB.replace("SPEC", spec).replace("RP", restartPolicy), Job.class);
        Defaulting.apply(job);
        ResourceType t = ResourceRegistry.builtin().byType(Job.class).orElseThrow();
        return Validation.validateCreate(t, job).stream().map(FieldError::field).toList();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "valid policy | podFailurePolicy: {rules: [{action: FailJob, onExitCodes: {operator: In, values: [1, 42]}}, {action: Ignore, onPodConditions: [{type: DisruptionTarget}]}]} | Never |",
        "policy needs Never | podFailurePolicy: {rules: [{action: Count, onExitCodes: {operator: NotIn, values: [0]}}]} | OnFailure | spec.template.spec.restartPolicy",
        "unknown action | podFailurePolicy: {rules: [{action: Retry, onExitCodes: {operator: In, values: [1]}}]} | Never | spec.podFailurePolicy.rules[0].action",
        "In 0 | podFailurePolicy: {rules: [{action: FailJob, onExitCodes: {operator: In, values: [0]}}]} | Never | spec.podFailurePolicy.rules[0].onExitCodes.values[0]",
        "unordered codes | podFailurePolicy: {rules: [{action: FailJob, onExitCodes: {operator: In, values: [5, 2]}}]} | Never | spec.podFailurePolicy.rules[0].onExitCodes.values[1]",
        "neither match | podFailurePolicy: {rules: [{action: FailJob}]} | Never | spec.podFailurePolicy.rules[0]",
        "FailIndex without per-index limit | podFailurePolicy: {rules: [{action: FailIndex, onExitCodes: {operator: In, values: [3]}}]} | Never | spec.podFailurePolicy.rules[0].action",
        "per-index needs Indexed | backoffLimitPerIndex: 1 | Never | spec.backoffLimitPerIndex",
        "valid per-index | {completions: 3, completionMode: Indexed, backoffLimitPerIndex: 1, maxFailedIndexes: 2} | Never |",
        "maxFailedIndexes over completions | {completions: 3, completionMode: Indexed, backoffLimitPerIndex: 1, maxFailedIndexes: 4} | Never | spec.maxFailedIndexes",
    })
    void rules(String name, String spec, String restartPolicy, String field) {
        if (spec.startsWith("{")) {
            // a flow map of several spec fields: spread them into the spec block
            spec = spec.substring(1, spec.length() - 1).replace(", ", "\n  ");
        }
        List<String> errs = errors(spec, restartPolicy);
        if (field == null) {
            assertThat(errs).isEmpty();
        } else {
            assertThat(errs).contains(field);
        }
    }
}
