package io.kube4j.apiserver.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Kubernetes' DefaultTolerationSeconds cases ({@code plugin/pkg/admission/defaulttolerationseconds}), as a table. */
class DefaultTolerationSecondsTest {

    static final String NOT_READY = DefaultTolerationSeconds.TAINT_NODE_NOT_READY;
    static final String UNREACHABLE = DefaultTolerationSeconds.TAINT_NODE_UNREACHABLE;

    static Toleration tol(String key, String op, String effect, Long seconds) {
        return new TolerationBuilder().withKey(key).withOperator(op).withEffect(effect).withTolerationSeconds(seconds)
                .build();
    }

    static Stream<Arguments> cases() {
        Toleration defNotReady = tol(NOT_READY, "Exists", "NoExecute", 300L);
        Toleration defUnreachable = tol(UNREACHABLE, "Exists", "NoExecute", 300L);
        Toleration other = tol("foo", "Equal", "NoSchedule", null);
        Toleration ownNotReady = tol(NOT_READY, "Exists", "NoExecute", 60L);
        Toleration ownUnreachable = tol(UNREACHABLE, "Exists", "NoExecute", 700L);
        Toleration notReadyNoSchedule = tol(NOT_READY, "Exists", "NoSchedule", null);
        Toleration notReadyAnyEffect = tol(NOT_READY, "Exists", null, null);
        Toleration everything = tol(null, "Exists", null, null);
        Toleration anyKeyNoExecute = tol(null, "Exists", "NoExecute", 5L);
        return Stream.of(
                arguments("no tolerations: both added", List.of(), List.of(defNotReady, defUnreachable)),
                arguments("unrelated toleration kept, both added", List.of(other), List.of(other, defNotReady, defUnreachable)),
                arguments("own not-ready kept, unreachable added", List.of(ownNotReady), List.of(ownNotReady, defUnreachable)),
                arguments("own unreachable kept, not-ready added", List.of(ownUnreachable), List.of(ownUnreachable, defNotReady)),
                arguments("both own: unchanged", List.of(ownNotReady, ownUnreachable), List.of(ownNotReady, ownUnreachable)),
                arguments("NoSchedule toleration does not count", List.of(notReadyNoSchedule),
                        List.of(notReadyNoSchedule, defNotReady, defUnreachable)),
                arguments("empty effect counts", List.of(notReadyAnyEffect), List.of(notReadyAnyEffect, defUnreachable)),
                arguments("empty key and effect tolerates both", List.of(everything), List.of(everything)),
                arguments("empty key NoExecute tolerates both", List.of(anyKeyNoExecute), List.of(anyKeyNoExecute)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void addsMissingDefaults(String name, List<Toleration> given, List<Toleration> expected) {
        Pod pod = new PodBuilder().withNewMetadata().withName("p").endMetadata().withNewSpec()
                .withTolerations(given).endSpec().build();
        new DefaultTolerationSeconds(DefaultTolerationSecondsProperties.defaults()).admitPodCreate(pod);
        assertThat(pod.getSpec().getTolerations()).containsExactlyElementsOf(expected);
    }

    @Test
    void secondsComeFromTheProperties() {
        Pod pod = new PodBuilder().withNewMetadata().withName("p").endMetadata().build();
        new DefaultTolerationSeconds(new DefaultTolerationSecondsProperties(30, 45)).admitPodCreate(pod);
        assertThat(pod.getSpec().getTolerations()).containsExactly(tol(NOT_READY, "Exists", "NoExecute", 30L),
                tol(UNREACHABLE, "Exists", "NoExecute", 45L));
    }

    @Test
    void negativeSecondsAreRefused() {
        assertThatThrownBy(() -> new DefaultTolerationSecondsProperties(-1, 300))
                .hasMessageContaining("default-not-ready-toleration-seconds");
    }
}
