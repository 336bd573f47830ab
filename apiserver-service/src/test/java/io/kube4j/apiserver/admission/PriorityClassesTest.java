package io.kube4j.apiserver.admission;

import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.kube4j.api.validation.FieldError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Kubernetes' PriorityClass validation cases ({@code pkg/apis/scheduling/validation}), as a table. */
class PriorityClassesTest {

    static PriorityClass pc(String name, int value, boolean globalDefault, String policy) {
        return new PriorityClassBuilder().withNewMetadata().withName(name).endMetadata()
                .withValue(value).withGlobalDefault(globalDefault).withPreemptionPolicy(policy).build();
    }

    static Arguments c(String name, PriorityClass pc, String... messages) {
        return arguments(name, pc, List.of(messages));
    }

    static Stream<Arguments> createCases() {
        return Stream.of(
                c("user class", pc("tier1", 100, false, null)),
                c("negative values are allowed", pc("scavenger", -10, false, "Never")),
                c("highest user value", pc("top", 1_000_000_000, false, null)),
                c("above the user range", pc("top", 1_000_000_001, false, null),
                        "value: Forbidden: maximum allowed value of a user defined priority is 1000000000"),
                c("system node critical as built in", pc("system-node-critical", 2_000_001_000, false, "PreemptLowerPriority")),
                c("system cluster critical as built in", pc("system-cluster-critical", 2_000_000_000, false, null)),
                c("unknown system name", pc("system-foo", 10, false, null),
                        "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only."
                                + " error: system-foo is not a known system priority class"),
                c("system class with another value", pc("system-node-critical", 5, false, null),
                        "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only."
                                + " error: value of system-node-critical PriorityClass must be 2000001000"),
                c("system class as global default", pc("system-cluster-critical", 2_000_000_000, true, null),
                        "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only."
                                + " error: globalDefault of system-cluster-critical PriorityClass must be false"),
                c("unsupported preemption policy", pc("p", 1, false, "Sometimes"),
                        "preemptionPolicy: Unsupported value: \"Sometimes\": supported values: \"PreemptLowerPriority\", \"Never\""),
                c("empty preemption policy", pc("p", 1, false, ""), "preemptionPolicy: Required value"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("createCases")
    void validate(String name, PriorityClass pc, List<String> expected) {
        assertThat(PriorityClasses.validate(pc)).extracting(FieldError::message).containsExactlyElementsOf(expected);
    }

    static Stream<Arguments> updateCases() {
        return Stream.of(
                arguments("description and labels may change", pc("a", 10, false, "Never"), pc("a", 10, false, "Never"), List.of()),
                arguments("becoming the default is allowed here", pc("a", 10, true, "Never"), pc("a", 10, false, "Never"), List.of()),
                arguments("value is immutable", pc("a", 11, false, "Never"), pc("a", 10, false, "Never"),
                        List.of("value: Forbidden: may not be changed in an update.")),
                arguments("preemption policy is immutable", pc("a", 10, false, "PreemptLowerPriority"), pc("a", 10, false, "Never"),
                        List.of("preemptionPolicy: Invalid value: \"PreemptLowerPriority\": field is immutable")),
                arguments("system class description may change", pc("system-node-critical", 2_000_001_000, false, "PreemptLowerPriority"),
                        pc("system-node-critical", 2_000_001_000, false, "PreemptLowerPriority"), List.of()),
                arguments("system class value is immutable", pc("system-node-critical", 5, false, "PreemptLowerPriority"),
                        pc("system-node-critical", 2_000_001_000, false, "PreemptLowerPriority"),
                        List.of("value: Forbidden: may not be changed in an update.")),
                arguments("system class cannot become the default", pc("system-cluster-critical", 2_000_000_000, true, "PreemptLowerPriority"),
                        pc("system-cluster-critical", 2_000_000_000, false, "PreemptLowerPriority"),
                        List.of("metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only."
                                + " error: globalDefault of system-cluster-critical PriorityClass must be false")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("updateCases")
    void validateUpdate(String name, PriorityClass next, PriorityClass old, List<String> expected) {
        assertThat(PriorityClasses.validateUpdate(next, old)).extracting(FieldError::message)
                .containsExactlyElementsOf(expected);
    }

    @Test
    void defaultsPreemptionPolicyOnlyWhenAbsent() {
        PriorityClass absent = pc("a", 1, false, null);
        PriorityClasses.applyDefaults(absent);
        assertThat(absent.getPreemptionPolicy()).isEqualTo("PreemptLowerPriority");
        PriorityClass never = pc("b", 1, false, "Never");
        PriorityClasses.applyDefaults(never);
        assertThat(never.getPreemptionPolicy()).isEqualTo("Never");
    }

    @Test
    void builtinClassesAreValidAndOrderedAsBorgsBands() {
        List<PriorityClass> all = PriorityClasses.builtin();
        assertThat(all).extracting(p -> p.getMetadata().getName())
                .containsExactly("system-node-critical", "system-cluster-critical", "prod", "batch");
        assertThat(all).allSatisfy(p -> {
            assertThat(PriorityClasses.validate(p)).isEmpty();
            assertThat(p.getGlobalDefault()).isFalse();
            assertThat(p.getPreemptionPolicy()).isEqualTo("PreemptLowerPriority");
            assertThat(p.getDescription()).isNotBlank();
        });
        assertThat(all).extracting(PriorityClasses::value).containsExactly(2_000_001_000, 2_000_000_000, 1_000_000, 1000)
                .isSortedAccordingTo((a, b) -> Integer.compare(b, a));
        assertThat(PriorityClasses.isSystemClass("system-node-critical")).isTrue();
        assertThat(PriorityClasses.isSystemClass("prod")).isFalse();
    }
}
