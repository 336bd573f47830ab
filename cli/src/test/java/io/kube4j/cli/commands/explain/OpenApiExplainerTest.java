package io.kube4j.cli.commands.explain;

import io.kube4j.api.codec.Codecs;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.InputStream;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link OpenApiExplainer} against a hand-written piece of a Kubernetes OpenAPI v3 document (batch/v1 Job, in the
 * shapes the real one uses: {@code allOf}-wrapped refs, arrays of refs, maps, enums, required fields); the expected
 * text follows kubectl's plaintext template.
 */
class OpenApiExplainerTest {

    private final OpenApiExplainer explainer = new OpenApiExplainer(doc());
    private final JsonNode job = explainer.schemaFor("batch", "v1", "Job");

    private static JsonNode doc() {
        try (InputStream in = OpenApiExplainerTest.class.getResourceAsStream("/openapi/batch-v1-small.json")) {
            return Codecs.json().readTree(in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void explainsAKind() {
        assertThat(explainer.explain("batch", "v1", "Job", job, List.of(), false)).isEqualTo("""
                GROUP:      batch
                KIND:       Job
                VERSION:    v1

                DESCRIPTION:
                    Job represents the configuration of a single job.
                   \s
                FIELDS:
                  apiVersion\t<string>
                    APIVersion defines the versioned schema of this representation of an object.

                  kind\t<string>
                    Kind is a string value representing the REST resource this object
                    represents.

                  metadata\t<ObjectMeta>
                    Standard object's metadata.

                  spec\t<JobSpec>
                    Specification of the desired behavior of a job.


                """);
    }

    @Test
    void explainsAFieldWithWrappingEnumsAndRequired() {
        String out = explainer.explain("batch", "v1", "Job", job, List.of("spec"), false);
        assertThat(out).startsWith("GROUP:      batch\nKIND:       Job\nVERSION:    v1\n\nFIELD: spec <JobSpec>\n\n\n"
                + "DESCRIPTION:\n    Specification of the desired behavior of a job.\n    JobSpec describes how the job "
                + "execution will look like.\n    \nFIELDS:\n");
        assertThat(out).contains("""
                  completionMode\t<string>
                  enum: Indexed, NonIndexed
                    completionMode specifies how Pod completions are tracked. It can be
                    `NonIndexed` (default) or `Indexed`.
                """);
        assertThat(out).contains("  template\t<PodTemplateSpec> -required-\n");
        assertThat(out).contains("""
                  parallelism\t<integer>
                    Specifies the maximum desired number of pods the job should run at any given
                    time. The actual number of pods running in steady state will be less than
                """);
    }

    @Test
    void followsArraysMapsAndRefsDownAPath() {
        String rules = explainer.explain("batch", "v1", "Job", job, List.of("spec", "podFailurePolicy", "rules"),
                false);
        assertThat(rules).contains("FIELD: rules <[]PodFailurePolicyRule>\n")
                .contains("  action\t<string> -required-\n  enum: Count, FailIndex, FailJob, Ignore\n");
        String action = explainer.explain("batch", "v1", "Job", job,
                List.of("spec", "podFailurePolicy", "rules", "action"), false);
        assertThat(action).contains("FIELD: action <string>\nENUM:\n    Count\n    FailIndex\n    FailJob\n    Ignore\n");
        assertThat(explainer.explain("batch", "v1", "Job", job, List.of("metadata", "labels"), false))
                .contains("FIELD: labels <map[string]string>\n");
    }

    @Test
    void recursiveListsEveryFieldIndented() {
        String out = explainer.explain("batch", "v1", "Job", job, List.of("spec"), true);
        assertThat(out).endsWith("""
                FIELDS:
                  completionMode\t<string>
                  enum: Indexed, NonIndexed
                  parallelism\t<integer>
                  podFailurePolicy\t<PodFailurePolicy>
                    rules\t<[]PodFailurePolicyRule> -required-
                      action\t<string> -required-
                      enum: Count, FailIndex, FailJob, Ignore
                  template\t<PodTemplateSpec> -required-
                    metadata\t<ObjectMeta>
                      labels\t<map[string]string>
                      name\t<string>

                """);
    }

    @Test
    void aMissingFieldIsKubectlsError() {
        assertThatThrownBy(() -> explainer.explain("batch", "v1", "Job", job, List.of("spec", "nope"), false))
                .hasMessage("field \"nope\" does not exist");
    }

    @Test
    void anOpenSchemaHasNoFields() {
        JsonNode open = Codecs.json().readTree("{\"type\":\"object\",\"description\":\"Pod (v1)\"}");
        assertThat(explainer.hasFields(open)).isFalse();
        assertThat(explainer.hasFields(job)).isTrue();
    }

    @Test
    void wrapsAsGoWordwrapKeepingRunsOfSpacesAndLongWords() {
        // kubectl 1.31 against Kubernetes prints JobSpec.completionMode's "(default) or `Indexed`.  `NonIndexed`"
        assertThat(OpenApiExplainer.wrap("aaa.  bb ccc ddd", 12)).isEqualTo("aaa.  bb ccc\nddd");
        assertThat(OpenApiExplainer.wrap("aaa bbb.  ccc ddd", 10)).isEqualTo("aaa bbb.\nccc ddd");
        assertThat(OpenApiExplainer.wrap("a https://kubernetes.io/docs/concepts/x b", 10))
                .isEqualTo("a\nhttps://kubernetes.io/docs/concepts/x\nb");
        assertThat(OpenApiExplainer.wrap("one\n\ntwo three", 7)).isEqualTo("one\n\ntwo\nthree");
    }
}
