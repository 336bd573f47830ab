package io.kube4j.api.scheduling;

import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;

/** Taint and toleration matching as Kubernetes' {@code v1helper.TolerationsTolerateTaint}, for every role that places or evicts pods. */
public final class Tolerations {

    private Tolerations() {
    }

    /** Whether {@code toleration} tolerates {@code taint}. */
    public static boolean tolerates(Toleration toleration, Taint taint) {
        String effect = toleration.getEffect();
        if (effect != null && !effect.isEmpty() && !effect.equals(taint.getEffect())) {
            return false;
        }
        String key = toleration.getKey();
        if (key != null && !key.isEmpty() && !key.equals(taint.getKey())) {
            return false;
        }
        String op = toleration.getOperator();
        if (op == null || op.isEmpty() || "Equal".equals(op)) {
            return Objects.equals(nullToEmpty(toleration.getValue()), nullToEmpty(taint.getValue()));
        }
        return "Exists".equals(op);
    }

    /** Whether any of {@code tolerations} tolerates {@code taint}. */
    public static boolean tolerated(List<Toleration> tolerations, Taint taint) {
        for (Toleration t : tolerations) {
            if (tolerates(t, taint)) {
                return true;
            }
        }
        return false;
    }

    /** The first taint passing {@code filter} that no toleration tolerates, or null. */
    public static Taint firstUntolerated(List<Taint> taints, List<Toleration> tolerations, Predicate<Taint> filter) {
        for (Taint taint : taints) {
            if (filter.test(taint) && !tolerated(tolerations, taint)) {
                return taint;
            }
        }
        return null;
    }

    /** The pod's tolerations, never null. */
    public static List<Toleration> of(Pod pod) {
        List<Toleration> t = pod.getSpec() == null ? null : pod.getSpec().getTolerations();
        return t == null ? List.of() : t;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
