package io.kube4j.controller.nodelifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** When the taint manager evicts a pod: the toleration timing table (taint_manager_test.go's cases and more). */
class TaintTolerationsTest {

    static final Taint UNREACHABLE = NodeTaints.taint(NodeTaints.UNREACHABLE, "NoExecute");
    static final Taint NOT_READY = NodeTaints.taint(NodeTaints.NOT_READY, "NoExecute");
    static final Taint CUSTOM = custom();

    static Taint custom() {
        Taint t = NodeTaints.taint("dedicated", "NoExecute");
        t.setValue("gpu");
        return t;
    }

    static Toleration tol(String key, String op, String value, String effect, Long seconds) {
        return new TolerationBuilder().withKey(key).withOperator(op).withValue(value).withEffect(effect)
                .withTolerationSeconds(seconds).build();
    }

    static Stream<Arguments> table() {
        Toleration unreachable300 = tol(NodeTaints.UNREACHABLE, "Exists", null, "NoExecute", 300L);
        Toleration unreachable3 = tol(NodeTaints.UNREACHABLE, "Exists", null, "NoExecute", 3L);
        Toleration unreachableForever = tol(NodeTaints.UNREACHABLE, "Exists", null, "NoExecute", null);
        Toleration notReady60 = tol(NodeTaints.NOT_READY, "Exists", null, "NoExecute", 60L);
        Toleration everything = tol(null, "Exists", null, null, null);
        Toleration gpu = tol("dedicated", "Equal", "gpu", "NoExecute", 10L);
        Toleration wrongValue = tol("dedicated", "Equal", "cpu", "NoExecute", 10L);
        Toleration noSchedule = tol(NodeTaints.UNREACHABLE, "Exists", null, "NoSchedule", null);
        Toleration zero = tol(NodeTaints.UNREACHABLE, "Exists", null, "NoExecute", 0L);
        Toleration negative = tol(NodeTaints.UNREACHABLE, "Exists", null, "NoExecute", -5L);
        return Stream.of(
                arguments("no taints: stays", List.of(), List.of(), false, null),
                arguments("no tolerations: evicted now", List.of(UNREACHABLE), List.of(), true, Duration.ZERO),
                arguments("tolerated 300 s", List.of(UNREACHABLE), List.of(unreachable300), true, Duration.ofSeconds(300)),
                arguments("tolerated 3 s", List.of(UNREACHABLE), List.of(unreachable3), true, Duration.ofSeconds(3)),
                arguments("tolerated forever", List.of(UNREACHABLE), List.of(unreachableForever), false, null),
                arguments("wildcard toleration: forever", List.of(UNREACHABLE, CUSTOM), List.of(everything), false, null),
                arguments("wrong effect: evicted now", List.of(UNREACHABLE), List.of(noSchedule), true, Duration.ZERO),
                arguments("two taints, the minimum counts", List.of(UNREACHABLE, CUSTOM), List.of(unreachable300, gpu),
                        true, Duration.ofSeconds(10)),
                arguments("second taint not tolerated: now", List.of(UNREACHABLE, CUSTOM),
                        List.of(unreachable300, wrongValue), true, Duration.ZERO),
                arguments("one forever, one limited: the limit", List.of(UNREACHABLE, CUSTOM),
                        List.of(unreachableForever, gpu), true, Duration.ofSeconds(10)),
                arguments("other taint's toleration unused", List.of(UNREACHABLE), List.of(notReady60, unreachable300),
                        true, Duration.ofSeconds(300)),
                arguments("zero seconds: now", List.of(UNREACHABLE), List.of(zero), true, Duration.ZERO),
                arguments("negative seconds: now", List.of(UNREACHABLE), List.of(negative), true, Duration.ZERO),
                arguments("not-ready and unreachable defaults", List.of(NOT_READY), List.of(unreachable300, notReady60),
                        true, Duration.ofSeconds(60)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void verdict(String name, List<Taint> taints, List<Toleration> tolerations, boolean evicted, Duration after) {
        TaintTolerations.Verdict v = TaintTolerations.verdict(taints, tolerations);
        assertThat(!v.forever()).as("evicted at some point").isEqualTo(evicted);
        if (evicted) {
            assertThat(v.tolerated() ? v.evictAfter() : Duration.ZERO).isEqualTo(after);
        }
    }
}
