package io.kube4j.apiserver.admission.limitranger;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.LimitRangeBuilder;
import io.fabric8.kubernetes.api.model.LimitRangeItem;
import io.fabric8.kubernetes.api.model.LimitRangeItemBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** Kubernetes' LimitRanger cases ({@code plugin/pkg/admission/limitranger/admission_test.go}), as tables. */
class LimitRangerTest {

    static Map<String, Quantity> q(String... kv) {
        Map<String, Quantity> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], new Quantity(kv[i + 1]));
        }
        return m;
    }

    static Pod pod(Map<String, Quantity> requests, Map<String, Quantity> limits) {
        return new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec()
                .withContainers(new ContainerBuilder().withName("c").withImage("i").withNewResources()
                        .withRequests(requests.isEmpty() ? null : requests).withLimits(limits.isEmpty() ? null : limits)
                        .endResources().build())
                .endSpec().build();
    }

    static LimitRange range(LimitRangeItem... items) {
        return new LimitRangeBuilder().withNewMetadata().withName("lr").endMetadata().withNewSpec()
                .withLimits(items).endSpec().build();
    }

    static LimitRangeItem container(Map<String, Quantity> min, Map<String, Quantity> max, Map<String, Quantity> ratio) {
        return new LimitRangeItemBuilder().withType("Container").withMin(min).withMax(max)
                .withMaxLimitRequestRatio(ratio).build();
    }

    static Stream<Arguments> podLimits() {
        return Stream.of(
                arguments("within min and max", container(q("cpu", "100m"), q("cpu", "1"), null),
                        pod(q("cpu", "200m"), q("cpu", "500m")), List.of()),
                arguments("no request under min", container(q("cpu", "100m"), null, null),
                        pod(q(), q()), List.of("minimum cpu usage per Container is 100m.  No request is specified")),
                arguments("request below min", container(q("memory", "64Mi"), null, null),
                        pod(q("memory", "32Mi"), q("memory", "128Mi")),
                        List.of("minimum memory usage per Container is 64Mi, but request is 32Mi")),
                arguments("no limit under max", container(null, q("cpu", "1"), null),
                        pod(q("cpu", "100m"), q()), List.of("maximum cpu usage per Container is 1.  No limit is specified")),
                arguments("limit above max", container(null, q("cpu", "1"), null),
                        pod(q("cpu", "100m"), q("cpu", "2")), List.of("maximum cpu usage per Container is 1, but limit is 2")),
                arguments("ratio exceeded", container(null, null, q("cpu", "2")),
                        pod(q("cpu", "100m"), q("cpu", "1")),
                        List.of("cpu max limit to request ratio per Container is 2, but provided ratio is 10.000000")),
                arguments("ratio kept", container(null, null, q("cpu", "2")),
                        pod(q("cpu", "500m"), q("cpu", "1")), List.of()),
                arguments("pod total above max",
                        new LimitRangeItemBuilder().withType("Pod").withMax(q("memory", "1Gi")).build(),
                        twoContainers("600Mi"), List.of("maximum memory usage per Pod is 1Gi, but limit is 1200Mi")));
    }

    static Pod twoContainers(String memory) {
        Pod p = pod(q("memory", memory), q("memory", memory));
        p.getSpec().getContainers().add(new ContainerBuilder().withName("d").withImage("i").withNewResources()
                .withRequests(q("memory", memory)).withLimits(q("memory", memory)).endResources().build());
        return p;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("podLimits")
    void podLimits(String name, LimitRangeItem item, Pod pod, List<String> errors) {
        assertThat(LimitRanger.validatePod(range(item), pod)).containsExactlyElementsOf(errors);
    }

    @Test
    void defaultsFillWhatContainersLeaveOut() {
        LimitRange lr = range(new LimitRangeItemBuilder().withType("Container").withDefault(q("cpu", "500m", "memory", "256Mi"))
                .withDefaultRequest(q("cpu", "100m")).build());
        Pod p = pod(q(), q("memory", "1Gi"));
        LimitRanger.applyDefaults(p, List.of(lr));
        var r = p.getSpec().getContainers().get(0).getResources();
        assertThat(r.getLimits()).containsEntry("cpu", new Quantity("500m")).containsEntry("memory", new Quantity("1Gi"));
        // the request of a resource with a limit is the limit; without one, the range's defaultRequest
        assertThat(r.getRequests()).containsEntry("cpu", new Quantity("100m")).containsEntry("memory", new Quantity("1Gi"));
        assertThat(p.getMetadata().getAnnotations()).containsEntry(LimitRanger.ANNOTATION,
                "LimitRanger plugin set: cpu, memory request for container c; cpu limit for container c");
    }

    @Test
    void defaultRequestFallsBackToDefaultThenMax() {
        LimitRange lr = range(new LimitRangeItemBuilder().withType("Container").withMax(q("cpu", "2")).build());
        Pod p = pod(q(), q());
        LimitRanger.applyDefaults(p, List.of(lr));
        var r = p.getSpec().getContainers().get(0).getResources();
        assertThat(r.getLimits()).containsEntry("cpu", new Quantity("2"));
        assertThat(r.getRequests()).containsEntry("cpu", new Quantity("2"));
    }

    @Test
    void claimStorageBounds() {
        LimitRange lr = range(new LimitRangeItemBuilder().withType("PersistentVolumeClaim")
                .withMin(q("storage", "1Gi")).withMax(q("storage", "10Gi")).build());
        assertThat(LimitRanger.validatePvc(lr, claim("20Gi")))
                .containsExactly("maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi");
        assertThat(LimitRanger.validatePvc(lr, claim("500Mi")))
                .containsExactly("minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi");
        assertThat(LimitRanger.validatePvc(lr, claim("5Gi"))).isEmpty();
    }

    static PersistentVolumeClaim claim(String size) {
        return new PersistentVolumeClaimBuilder().withNewMetadata().withName("c").endMetadata().withNewSpec()
                .withNewResources().withRequests(q("storage", size)).endResources().endSpec().build();
    }

    @Test
    void severalErrorsAreBracketed() {
        assertThat(LimitRanger.aggregate(List.of("a"))).isEqualTo("a");
        assertThat(LimitRanger.aggregate(List.of("a", "b"))).isEqualTo("[a, b]");
    }
}
