package io.kube4j.api.validation;

import java.util.List;

import io.fabric8.kubernetes.api.model.autoscaling.v2.CrossVersionObjectReference;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicy;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricTarget;

/**
 * autoscaling/v2 HorizontalPodAutoscaler rules (Kubernetes' {@code pkg/apis/autoscaling/validation}): a target to
 * scale, 1 ≤ minReplicas ≤ maxReplicas, metrics with a source of their type and a sensible target, behavior policies
 * within Kubernetes' bounds — so the controller never meets an HPA it cannot act on.
 */
final class AutoscalingValidation {

    private static final List<String> METRIC_TYPES = List.of("Object", "Pods", "Resource", "ContainerResource",
            "External");
    private static final List<String> TARGET_TYPES = List.of("Utilization", "Value", "AverageValue");

    private AutoscalingValidation() {
    }

    static void validate(HorizontalPodAutoscaler hpa, List<FieldError> errs) {
        HorizontalPodAutoscalerSpec spec = hpa.getSpec();
        if (spec == null) {
            errs.add(FieldError.required("spec", ""));
            return;
        }
        CrossVersionObjectReference ref = spec.getScaleTargetRef();
        if (ref == null || ref.getKind() == null || ref.getKind().isEmpty()) {
            errs.add(FieldError.required("spec.scaleTargetRef.kind", ""));
        }
        if (ref == null || ref.getName() == null || ref.getName().isEmpty()) {
            errs.add(FieldError.required("spec.scaleTargetRef.name", ""));
        }
        Integer min = spec.getMinReplicas();
        if (min != null && min < 1) {
            errs.add(FieldError.invalid("spec.minReplicas", min, "must be greater than or equal to 1"));
        }
        Integer max = spec.getMaxReplicas();
        if (max == null || max < 1) {
            errs.add(FieldError.invalid("spec.maxReplicas", max, "must be greater than 0"));
        } else if (min != null && max < min) {
            errs.add(FieldError.invalid("spec.maxReplicas", max, "must be greater than or equal to `minReplicas`"));
        }
        List<MetricSpec> metrics = spec.getMetrics() == null ? List.of() : spec.getMetrics();
        for (int i = 0; i < metrics.size(); i++) {
            metric(metrics.get(i), "spec.metrics[" + i + "]", errs);
        }
        if (spec.getBehavior() != null) {
            rules(spec.getBehavior().getScaleUp(), "spec.behavior.scaleUp", errs);
            rules(spec.getBehavior().getScaleDown(), "spec.behavior.scaleDown", errs);
        }
    }

    private static void metric(MetricSpec m, String p, List<FieldError> errs) {
        String type = m.getType();
        if (type == null || type.isEmpty()) {
            errs.add(FieldError.required(p + ".type", "must specify a metric source type"));
            return;
        }
        if (!METRIC_TYPES.contains(type)) {
            errs.add(FieldError.notSupported(p + ".type", type, METRIC_TYPES));
            return;
        }
        switch (type) {
            case "Resource" -> {
                if (m.getResource() == null) {
                    errs.add(FieldError.required(p + ".resource", "must populate information for the given metric source"));
                } else {
                    resource(m.getResource().getName(), m.getResource().getTarget(), p + ".resource", errs);
                }
            }
            case "ContainerResource" -> {
                if (m.getContainerResource() == null) {
                    errs.add(FieldError.required(p + ".containerResource",
                            "must populate information for the given metric source"));
                } else {
                    if (m.getContainerResource().getContainer() == null
                            || m.getContainerResource().getContainer().isEmpty()) {
                        errs.add(FieldError.required(p + ".containerResource.container",
                                "must specify a container"));
                    }
                    resource(m.getContainerResource().getName(), m.getContainerResource().getTarget(),
                            p + ".containerResource", errs);
                }
            }
            default -> {
                boolean present = switch (type) {
                    case "Pods" -> m.getPods() != null;
                    case "Object" -> m.getObject() != null;
                    default -> m.getExternal() != null;
                };
                if (!present) {
                    String field = type.substring(0, 1).toLowerCase(java.util.Locale.ROOT) + type.substring(1);
                    errs.add(FieldError.required(p + "." + field, "must populate information for the given metric source"));
                }
            }
        }
    }

    private static void resource(String name, MetricTarget target, String p, List<FieldError> errs) {
        if (name == null || name.isEmpty()) {
            errs.add(FieldError.required(p + ".name", "must specify a resource name"));
        }
        if (target == null) {
            errs.add(FieldError.required(p + ".target", "must specify a metric target"));
            return;
        }
        if (target.getType() == null || target.getType().isEmpty()) {
            errs.add(FieldError.required(p + ".target.type", "must specify a metric target type"));
        } else if (!TARGET_TYPES.contains(target.getType())) {
            errs.add(FieldError.notSupported(p + ".target.type", target.getType(), TARGET_TYPES));
        }
        if (target.getAverageUtilization() != null && target.getAverageUtilization() < 1) {
            errs.add(FieldError.invalid(p + ".target.averageUtilization", target.getAverageUtilization(),
                    "must be greater than 0"));
        }
        if (target.getAverageUtilization() == null && target.getAverageValue() == null) {
            errs.add(FieldError.required(p + ".target.averageUtilization",
                    "must set either a target raw value or a target utilization"));
        } else if (target.getAverageUtilization() != null && target.getAverageValue() != null) {
            errs.add(FieldError.forbidden(p + ".target.averageValue",
                    "may not set both a target raw value and a target utilization"));
        }
    }

    private static void rules(HPAScalingRules r, String p, List<FieldError> errs) {
        if (r == null) {
            return;
        }
        Integer w = r.getStabilizationWindowSeconds();
        if (w != null && w < 0) {
            errs.add(FieldError.invalid(p + ".stabilizationWindowSeconds", w, "must be greater than or equal to zero"));
        } else if (w != null && w > 3600) {
            errs.add(FieldError.invalid(p + ".stabilizationWindowSeconds", w, "must be less than or equal to 3600"));
        }
        String select = r.getSelectPolicy();
        if (select != null && !List.of("Disabled", "Max", "Min").contains(select)) {
            errs.add(FieldError.notSupported(p + ".selectPolicy", select, List.of("Disabled", "Max", "Min")));
        }
        List<HPAScalingPolicy> policies = r.getPolicies() == null ? List.of() : r.getPolicies();
        if (policies.isEmpty() && !"Disabled".equals(select)) {
            errs.add(FieldError.required(p + ".policies", "must specify at least one Policy"));
        }
        for (int i = 0; i < policies.size(); i++) {
            HPAScalingPolicy pol = policies.get(i);
            String pp = p + ".policies[" + i + "]";
            if (!List.of("Pods", "Percent").contains(pol.getType())) {
                errs.add(FieldError.notSupported(pp + ".type", pol.getType(), List.of("Percent", "Pods")));
            }
            if (pol.getValue() == null || pol.getValue() <= 0) {
                errs.add(FieldError.invalid(pp + ".value", pol.getValue(), "must be greater than zero"));
            }
            Integer period = pol.getPeriodSeconds();
            if (period == null || period <= 0) {
                errs.add(FieldError.invalid(pp + ".periodSeconds", period, "must be greater than zero"));
            } else if (period > 1800) {
                errs.add(FieldError.invalid(pp + ".periodSeconds", period, "must be less than or equal to 1800"));
            }
        }
    }
}
