package io.kube4j.apiserver.admission;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.rest.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.kube4j.apiserver.admission.PriorityClassesTest.pc;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Kubernetes' Priority admission cases ({@code plugin/pkg/admission/priority/admission_test.go}), as a table. */
class PriorityAdmissionTest {

    static final ResourceRegistry REGISTRY = ResourceRegistry.builtin();
    static final ResourceType PODS = REGISTRY.byPath("", "v1", "pods").orElseThrow();
    static final ResourceType CLASSES = REGISTRY.byPath("scheduling.k8s.io", "v1", "priorityclasses").orElseThrow();

    /** Classes in a map; {@code cached()} can be told to lag behind, as a watch cache may. */
    static final class FakeLookup implements PriorityClassLookup {
        final Map<String, PriorityClass> stored = new LinkedHashMap<>();
        List<PriorityClass> cache;

        FakeLookup(PriorityClass... classes) {
            for (PriorityClass c : classes) {
                stored.put(c.getMetadata().getName(), c);
            }
        }

        @Override
        public Mono<PriorityClass> get(String name) {
            return Mono.justOrEmpty(stored.get(name));
        }

        @Override
        public List<PriorityClass> cached() {
            return cache != null ? cache : new ArrayList<>(stored.values());
        }

        @Override
        public Mono<List<PriorityClass>> current() {
            return Mono.just(new ArrayList<>(stored.values()));
        }
    }

    static final PriorityClass PROD = pc("prod", 1_000_000, false, "PreemptLowerPriority");
    static final PriorityClass BATCH = pc("batch", 1000, false, "PreemptLowerPriority");
    static final PriorityClass GENTLE = pc("gentle", 500, false, "Never");
    static final PriorityClass DEFAULT_HIGH = pc("default-high", 2000, true, "PreemptLowerPriority");
    static final PriorityClass DEFAULT_LOW = pc("default-low", 100, true, "Never");
    static final PriorityClass LEGACY = pc("legacy", 7, false, null);

    static Pod pod(String className, Integer priority, String policy) {
        return new PodBuilder().withNewMetadata().withName("x").withNamespace("ns").endMetadata()
                .withNewSpec().withPriorityClassName(className).withPriority(priority).withPreemptionPolicy(policy)
                .addNewContainer().withName("c").withImage("i").endContainer().endSpec().build();
    }

    /** name, classes, pod, expected class name, priority, policy, or the Forbidden message. */
    static Stream<Arguments> cases() {
        PriorityClass[] bands = {PROD, BATCH, GENTLE, LEGACY};
        return Stream.of(
                arguments("prod class", bands, pod("prod", null, null), "prod", 1_000_000, "PreemptLowerPriority", null),
                arguments("batch class", bands, pod("batch", null, null), "batch", 1000, "PreemptLowerPriority", null),
                arguments("class with Never", bands, pod("gentle", null, null), "gentle", 500, "Never", null),
                arguments("class stored without a policy", bands, pod("legacy", null, null), "legacy", 7, "PreemptLowerPriority", null),
                arguments("no class and no default: best effort", bands, pod(null, null, null), null, 0, "PreemptLowerPriority", null),
                arguments("empty class name counts as none", bands, pod("", null, null), null, 0, "PreemptLowerPriority", null),
                arguments("global default", new PriorityClass[]{PROD, DEFAULT_HIGH}, pod(null, null, null),
                        "default-high", 2000, "PreemptLowerPriority", null),
                arguments("lowest of two global defaults", new PriorityClass[]{DEFAULT_HIGH, DEFAULT_LOW}, pod(null, null, null),
                        "default-low", 100, "Never", null),
                arguments("a named class wins over the default", new PriorityClass[]{BATCH, DEFAULT_HIGH}, pod("batch", null, null),
                        "batch", 1000, "PreemptLowerPriority", null),
                arguments("same priority as computed is accepted", bands, pod("prod", 1_000_000, "PreemptLowerPriority"),
                        "prod", 1_000_000, "PreemptLowerPriority", null),
                arguments("unknown class", bands, pod("foo", null, null), null, 0, null,
                        "pods \"x\" is forbidden: no PriorityClass with name foo was found"),
                arguments("other priority than the class", bands, pod("batch", 1_000_000, null), null, 0, null,
                        "pods \"x\" is forbidden: the integer value of priority (1000000) must not be provided in pod spec;"
                                + " priority admission controller computed 1000 from the given PriorityClass name"),
                arguments("priority without a class", bands, pod(null, 5, null), null, 0, null,
                        "pods \"x\" is forbidden: the integer value of priority (5) must not be provided in pod spec;"
                                + " priority admission controller computed 0 from the given PriorityClass name"),
                arguments("other preemption policy than the class", bands, pod("gentle", null, "PreemptLowerPriority"), null, 0, null,
                        "pods \"x\" is forbidden: the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided"
                                + " in pod spec; priority admission controller computed Never from the given PriorityClass name"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void admitsPodCreate(String name, PriorityClass[] classes, Pod pod, String className, int priority, String policy,
                         String forbidden) {
        PriorityAdmission admission = new PriorityAdmission(new FakeLookup(classes));
        if (forbidden != null) {
            assertThatThrownBy(() -> admission.admitPodCreate(PODS, pod).block())
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.code()).isEqualTo(403);
                        assertThat(e.getMessage()).isEqualTo(forbidden);
                    });
            return;
        }
        admission.admitPodCreate(PODS, pod).block();
        assertThat(pod.getSpec().getPriorityClassName()).isEqualTo(className);
        assertThat(pod.getSpec().getPriority()).isEqualTo(priority);
        assertThat(pod.getSpec().getPreemptionPolicy()).isEqualTo(policy);
    }

    @Test
    void namedClassNotYetInTheCacheIsFound() {
        FakeLookup lookup = new FakeLookup(PROD);
        lookup.cache = List.of();
        Pod p = pod("prod", null, null);
        new PriorityAdmission(lookup).admitPodCreate(PODS, p).block();
        assertThat(p.getSpec().getPriority()).isEqualTo(1_000_000);
    }

    @Test
    void updateKeepsThePriorityResolvedAtCreate() {
        Pod old = pod("prod", 1_000_000, "PreemptLowerPriority");
        Pod next = pod("prod", null, null);
        PriorityAdmission.admitPodUpdate(next, old);
        assertThat(next.getSpec().getPriority()).isEqualTo(1_000_000);
        assertThat(next.getSpec().getPreemptionPolicy()).isEqualTo("PreemptLowerPriority");
        Pod changed = pod("prod", 5, "Never");
        PriorityAdmission.admitPodUpdate(changed, old);
        assertThat(changed.getSpec().getPriority()).as("a change is left for update validation to refuse").isEqualTo(5);
    }

    static Stream<Arguments> classWrites() {
        return Stream.of(
                arguments("not a default", new PriorityClass[]{DEFAULT_HIGH}, pc("a", 1, false, null), true, null),
                arguments("first default", new PriorityClass[]{PROD}, pc("a", 1, true, null), true, null),
                arguments("second default", new PriorityClass[]{DEFAULT_HIGH}, pc("a", 1, true, null), true,
                        "priorityclasses.scheduling.k8s.io \"a\" is forbidden: PriorityClass default-high is already marked"
                                + " as default. Only one default can exist"),
                arguments("the default updated", new PriorityClass[]{DEFAULT_HIGH}, pc("default-high", 2000, true, null), false, null),
                arguments("another class marked default", new PriorityClass[]{DEFAULT_HIGH, PROD}, pc("prod", 1_000_000, true, null), false,
                        "priorityclasses.scheduling.k8s.io \"prod\" is forbidden: PriorityClass default-high is already marked"
                                + " as default. Only one default can exist"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("classWrites")
    void onlyOneGlobalDefault(String name, PriorityClass[] existing, PriorityClass write, boolean create, String forbidden) {
        FakeLookup lookup = new FakeLookup(existing);
        lookup.cache = List.of(); // the check reads storage, not the cache
        Mono<Void> check = new PriorityAdmission(lookup).validateClassWrite(CLASSES, write, create);
        if (forbidden == null) {
            check.block();
        } else {
            assertThatThrownBy(check::block).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.code()).isEqualTo(403);
                assertThat(e.getMessage()).isEqualTo(forbidden);
            });
        }
    }
}
