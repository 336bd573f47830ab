package io.kube4j.api.validation;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSetUpdateStrategy;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.api.model.apps.DeploymentStrategy;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetSpec;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDaemonSet;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSetUpdateStrategy;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobTemplateSpec;
import io.kube4j.api.cron.CronSchedule;
import io.kube4j.api.selector.LabelSelector;

import java.util.List;
import java.util.Map;

import static io.kube4j.api.validation.Validation.isEmpty;
import static io.kube4j.api.validation.Validation.nonNegative;

/** Spec rules of the workload resources (apps/v1 and batch/v1), after {@code apps/validation} and {@code batch/validation}. */
final class WorkloadValidation {

    private static final String MISMATCH = "`selector` does not match template `labels`";
    private static final int CRONJOB_NAME_MAX = 63 - 11;
    private static final String TZ_IN_SCHEDULE = "cannot use TZ or CRON_TZ in schedule, use timeZone field instead";

    private WorkloadValidation() {
    }

    static void validateDeployment(Deployment d, List<FieldError> errs) {
        DeploymentSpec spec = d.getSpec();
        if (spec == null) {
            errs.add(FieldError.required("spec", ""));
            return;
        }
        nonNegative(spec.getReplicas(), "spec.replicas", errs);
        LabelSelector selector = selector(spec.getSelector(), "spec.selector", "deployment", errs);
        templateForReplicas(spec.getTemplate(), selector, "spec.template", "ReplicaSet", errs);
        validateDeploymentStrategy(spec.getStrategy(), "spec.strategy", errs);
        nonNegative(spec.getMinReadySeconds(), "spec.minReadySeconds", errs);
        nonNegative(spec.getRevisionHistoryLimit(), "spec.revisionHistoryLimit", errs);
        Integer pds = spec.getProgressDeadlineSeconds();
        if (pds != null) {
            nonNegative(pds, "spec.progressDeadlineSeconds", errs);
            int minReady = spec.getMinReadySeconds() == null ? 0 : spec.getMinReadySeconds();
            if (pds <= minReady) {
                errs.add(FieldError.invalid("spec.progressDeadlineSeconds", pds, "must be greater than minReadySeconds"));
            }
        }
    }

    static void validateReplicaSet(ReplicaSet rs, List<FieldError> errs) {
        ReplicaSetSpec spec = rs.getSpec();
        if (spec == null) {
            errs.add(FieldError.required("spec", ""));
            return;
        }
        nonNegative(spec.getReplicas(), "spec.replicas", errs);
        nonNegative(spec.getMinReadySeconds(), "spec.minReadySeconds", errs);
        // Kubernetes words the empty-selector error for replica sets as for deployments
        LabelSelector selector = selector(spec.getSelector(), "spec.selector", "deployment", errs);
        templateForReplicas(spec.getTemplate(), selector, "spec.template", "ReplicaSet", errs);
    }

    static void validateStatefulSet(StatefulSet ss, List<FieldError> errs) {
        StatefulSetSpec spec = ss.getSpec();
        if (spec == null) {
            errs.add(FieldError.required("spec", ""));
            return;
        }
        String pmp = spec.getPodManagementPolicy();
        if (!isEmpty(pmp) && !pmp.equals("OrderedReady") && !pmp.equals("Parallel")) {
            errs.add(FieldError.invalid("spec.podManagementPolicy", pmp, "must be 'OrderedReady' or 'Parallel'"));
        }
        StatefulSetUpdateStrategy us = spec.getUpdateStrategy();
        if (us != null && !isEmpty(us.getType())) {
            switch (us.getType()) {
                case "OnDelete" -> {
                    if (us.getRollingUpdate() != null) {
                        errs.add(FieldError.invalid("spec.updateStrategy.rollingUpdate", us.getRollingUpdate(),
                                "only allowed for updateStrategy 'RollingUpdate'"));
                    }
                }
                case "RollingUpdate" -> {
                    if (us.getRollingUpdate() != null) {
                        nonNegative(us.getRollingUpdate().getPartition(), "spec.updateStrategy.rollingUpdate.partition", errs);
                        IntOrString mu = us.getRollingUpdate().getMaxUnavailable();
                        if (mu != null && mu.getValue() != null) {
                            // as Kubernetes: a positive int or percentage, not 0, at most 100%
                            String p = "spec.updateStrategy.rollingUpdate.maxUnavailable";
                            intOrPercent(mu, p, errs);
                            if (value(mu) == 0 && errs.stream().noneMatch(e -> p.equals(e.field()))) {
                                errs.add(FieldError.invalid(p, mu, "cannot be 0"));
                            }
                            notMoreThan100Percent(mu, p, errs);
                        }
                    }
                }
                default -> errs.add(FieldError.invalid("spec.updateStrategy", us, "must be 'RollingUpdate' or 'OnDelete'"));
            }
        }
        nonNegative(spec.getReplicas(), "spec.replicas", errs);
        nonNegative(spec.getMinReadySeconds(), "spec.minReadySeconds", errs);
        nonNegative(spec.getRevisionHistoryLimit(), "spec.revisionHistoryLimit", errs);
        LabelSelector selector = selector(spec.getSelector(), "spec.selector", "statefulset", errs);
        templateForReplicas(spec.getTemplate(), selector, "spec.template", "StatefulSet", errs);
    }

    static void validateDaemonSet(DaemonSet ds, List<FieldError> errs) {
        DaemonSetSpec spec = ds.getSpec();
        if (spec == null) {
            errs.add(FieldError.required("spec", ""));
            return;
        }
        LabelSelector selector = selector(spec.getSelector(), "spec.selector", "daemonset", errs);
        PodTemplateSpec template = spec.getTemplate();
        if (template == null) {
            errs.add(FieldError.required("spec.template", ""));
        } else {
            templateMatches(template, selector, "spec.template", errs);
            PodValidation.validatePodTemplate(template, "spec.template", errs);
            PodSpec ps = template.getSpec();
            if (ps != null) {
                requireAlways(ps, "spec.template.spec", errs);
                if (ps.getActiveDeadlineSeconds() != null) {
                    errs.add(FieldError.invalid("spec.template.spec.activeDeadlineSeconds", ps.getActiveDeadlineSeconds(),
                            "activeDeadlineSeconds must be nil for daemons"));
                }
            }
        }
        nonNegative(spec.getMinReadySeconds(), "spec.minReadySeconds", errs);
        nonNegative(spec.getRevisionHistoryLimit(), "spec.revisionHistoryLimit", errs);
        DaemonSetUpdateStrategy us = spec.getUpdateStrategy();
        if (us != null && !isEmpty(us.getType())) {
            switch (us.getType()) {
                case "OnDelete" -> {
                }
                case "RollingUpdate" -> {
                    RollingUpdateDaemonSet ru = us.getRollingUpdate();
                    if (ru != null) {
                        String p = "spec.updateStrategy.rollingUpdate";
                        intOrPercent(ru.getMaxUnavailable(), p + ".maxUnavailable", errs);
                        intOrPercent(ru.getMaxSurge(), p + ".maxSurge", errs);
                        notMoreThan100Percent(ru.getMaxUnavailable(), p + ".maxUnavailable", errs);
                        notMoreThan100Percent(ru.getMaxSurge(), p + ".maxSurge", errs);
                        if (ru.getMaxUnavailable() != null || ru.getMaxSurge() != null) {
                            boolean hasUnavailable = value(ru.getMaxUnavailable()) != 0;
                            boolean hasSurge = value(ru.getMaxSurge()) != 0;
                            if (hasUnavailable && hasSurge) {
                                errs.add(FieldError.invalid(p + ".maxSurge", ru.getMaxSurge(),
                                        "may not be set when maxUnavailable is non-zero"));
                            } else if (!hasUnavailable && !hasSurge) {
                                errs.add(FieldError.required(p + ".maxUnavailable", "cannot be 0 when maxSurge is 0"));
                            }
                        }
                    }
                }
                default -> errs.add(FieldError.notSupported("spec.updateStrategy", us, List.of("RollingUpdate", "OnDelete")));
            }
        }
    }

    /**
     * A job spec at {@code path}. The selector is optional here: Kubernetes generates it before
     * validating, so it is only checked when present.
     */
    static void validateJobSpec(JobSpec spec, String path, List<FieldError> errs) {
        validateJobSpec(spec, path, true, errs);
    }

    private static void validateJobSpec(JobSpec spec, String path, boolean checkSelector, List<FieldError> errs) {
        if (spec == null) {
            errs.add(FieldError.required(path, ""));
            return;
        }
        nonNegative(spec.getParallelism(), path + ".parallelism", errs);
        nonNegative(spec.getCompletions(), path + ".completions", errs);
        nonNegative(spec.getActiveDeadlineSeconds(), path + ".activeDeadlineSeconds", errs);
        nonNegative(spec.getBackoffLimit(), path + ".backoffLimit", errs);
        nonNegative(spec.getTtlSecondsAfterFinished(), path + ".ttlSecondsAfterFinished", errs);
        JobValidation.validate(spec, path, errs);
        String mode = spec.getCompletionMode();
        if (!isEmpty(mode)) {
            if (!mode.equals("NonIndexed") && !mode.equals("Indexed")) {
                errs.add(FieldError.notSupported(path + ".completionMode", mode, List.of("NonIndexed", "Indexed")));
            } else if (mode.equals("Indexed") && spec.getCompletions() == null) {
                errs.add(FieldError.required(path + ".completions", "when completion mode is Indexed"));
            }
        }
        if (checkSelector && spec.getSelector() != null) {
            validateLabelSelector(spec.getSelector(), path + ".selector", errs);
            LabelSelector selector = asSelector(spec.getSelector());
            if (selector != null && spec.getTemplate() != null) {
                templateMatches(spec.getTemplate(), selector, path + ".template", errs);
            }
        }
        PodTemplateSpec template = spec.getTemplate();
        PodValidation.validatePodTemplate(template, path + ".template", errs);
        if (template != null && template.getSpec() != null) {
            String rp = template.getSpec().getRestartPolicy();
            String p = path + ".template.spec.restartPolicy";
            if ("Always".equals(rp)) {
                errs.add(FieldError.required(p, "valid values: \"OnFailure\", \"Never\""));
            } else if (!isEmpty(rp) && !rp.equals("OnFailure") && !rp.equals("Never")) {
                errs.add(FieldError.notSupported(p, rp, List.of("OnFailure", "Never")));
            }
        }
    }

    static void validateCronJob(CronJob cj, List<FieldError> errs) {
        // Kubernetes keeps 11 characters of the 63 of a label for the Job name's "-<scheduled time>" suffix
        String name = cj.getMetadata() == null ? null : cj.getMetadata().getName();
        if (name != null && name.length() > CRONJOB_NAME_MAX) {
            errs.add(FieldError.invalid("metadata.name", name, "must be no more than " + CRONJOB_NAME_MAX + " characters"));
        }
        CronJobSpec spec = cj.getSpec();
        if (spec == null) {
            errs.add(FieldError.required("spec", ""));
            return;
        }
        String schedule = spec.getSchedule();
        if (isEmpty(schedule)) {
            errs.add(FieldError.required("spec.schedule", ""));
        } else {
            String err = scheduleError(schedule);
            if (err != null) {
                errs.add(FieldError.invalid("spec.schedule", schedule, err));
            }
            // batch/v1 never allows TZ in the schedule (robfig would accept a leading "TZ=UTC")
            if (schedule.contains("TZ") && (err == null || !err.startsWith(TZ_IN_SCHEDULE))) {
                errs.add(FieldError.invalid("spec.schedule", schedule, TZ_IN_SCHEDULE));
            }
        }
        if (spec.getTimeZone() != null) {
            try {
                CronSchedule.timeZone(spec.getTimeZone());
            } catch (IllegalArgumentException e) {
                errs.add(FieldError.invalid("spec.timeZone", spec.getTimeZone(), e.getMessage()));
            }
        }
        nonNegative(spec.getStartingDeadlineSeconds(), "spec.startingDeadlineSeconds", errs);
        String cp = spec.getConcurrencyPolicy();
        if (!isEmpty(cp) && !List.of("Allow", "Forbid", "Replace").contains(cp)) {
            errs.add(FieldError.notSupported("spec.concurrencyPolicy", cp, List.of("Allow", "Forbid", "Replace")));
        }
        nonNegative(spec.getSuccessfulJobsHistoryLimit(), "spec.successfulJobsHistoryLimit", errs);
        nonNegative(spec.getFailedJobsHistoryLimit(), "spec.failedJobsHistoryLimit", errs);
        JobTemplateSpec jt = spec.getJobTemplate();
        if (jt == null) {
            errs.add(FieldError.required("spec.jobTemplate", ""));
            return;
        }
        if (jt.getMetadata() != null) {
            errs.addAll(Validation.validateLabels(jt.getMetadata().getLabels(), "spec.jobTemplate.metadata.labels"));
            errs.addAll(Validation.validateAnnotations(jt.getMetadata().getAnnotations(), "spec.jobTemplate.metadata.annotations"));
        }
        JobSpec js = jt.getSpec();
        if (js != null && js.getSelector() != null) {
            errs.add(FieldError.invalid("spec.jobTemplate.spec.selector", js.getSelector(), "`selector` will be auto-generated"));
        }
        if (js != null && Boolean.TRUE.equals(js.getManualSelector())) {
            errs.add(FieldError.notSupported("spec.jobTemplate.spec.manualSelector", true, List.of("nil", "false")));
        }
        validateJobSpec(js, "spec.jobTemplate.spec", false, errs);
    }

    /**
     * Kubernetes' validateScheduleFormat: the message robfig/cron's ParseStandard gives for a bad schedule (the
     * controller parses with the same {@link CronSchedule}, so what passes here is what it runs), or null when it
     * parses.
     */
    static String scheduleError(String schedule) {
        try {
            CronSchedule.parse(schedule);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    // ---- shared pieces ----

    /** Validates a workload selector (required, non-empty) and returns it, or null when unusable. */
    private static LabelSelector selector(io.fabric8.kubernetes.api.model.LabelSelector s, String path, String what,
                                          List<FieldError> errs) {
        if (s == null) {
            errs.add(FieldError.required(path, ""));
            return null;
        }
        validateLabelSelector(s, path, errs);
        int n = size(s.getMatchLabels()) + size(s.getMatchExpressions());
        if (n == 0) {
            errs.add(FieldError.invalid(path, s, "empty selector is invalid for " + what));
        }
        LabelSelector sel = asSelector(s);
        if (sel == null) {
            errs.add(FieldError.invalid(path, s, "invalid label selector"));
        }
        return sel;
    }

    private static LabelSelector asSelector(io.fabric8.kubernetes.api.model.LabelSelector s) {
        try {
            return LabelSelector.from(s);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** {@code ValidateLabelSelector}: matchLabels as labels, each expression's operator, key and values. */
    static void validateLabelSelector(io.fabric8.kubernetes.api.model.LabelSelector s, String path, List<FieldError> errs) {
        errs.addAll(Validation.validateLabels(s.getMatchLabels(), path + ".matchLabels"));
        List<LabelSelectorRequirement> exprs = s.getMatchExpressions();
        if (exprs == null) {
            return;
        }
        for (int i = 0; i < exprs.size(); i++) {
            LabelSelectorRequirement r = exprs.get(i);
            String p = path + ".matchExpressions[" + i + "]";
            List<String> values = r.getValues() == null ? List.of() : r.getValues();
            String op = r.getOperator() == null ? "" : r.getOperator();
            switch (op) {
                case "In", "NotIn" -> {
                    if (values.isEmpty()) {
                        errs.add(FieldError.required(p + ".values", "must be specified when `operator` is 'In' or 'NotIn'"));
                    }
                }
                case "Exists", "DoesNotExist" -> {
                    if (!values.isEmpty()) {
                        errs.add(FieldError.forbidden(p + ".values",
                                "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
                    }
                }
                default -> errs.add(FieldError.invalid(p + ".operator", op, "not a valid selector operator"));
            }
            errs.addAll(Validation.validateQualifiedName(r.getKey(), p + ".key"));
            for (int j = 0; j < values.size(); j++) {
                String v = values.get(j) == null ? "" : values.get(j);
                String vp = p + ".values[" + j + "]";
                NameRules.labelValue(v).forEach(m -> errs.add(FieldError.invalid(vp, v, m)));
            }
        }
    }

    /** {@code ValidatePodTemplateSpecForReplicaSet}: labels match the selector, pods restart Always, no deadline. */
    private static void templateForReplicas(PodTemplateSpec template, LabelSelector selector, String path, String owner,
                                            List<FieldError> errs) {
        if (template == null) {
            errs.add(FieldError.required(path, ""));
            return;
        }
        templateMatches(template, selector, path, errs);
        PodValidation.validatePodTemplate(template, path, errs);
        PodSpec ps = template.getSpec();
        if (ps != null) {
            requireAlways(ps, path + ".spec", errs);
            if (ps.getActiveDeadlineSeconds() != null) {
                errs.add(FieldError.forbidden(path + ".spec.activeDeadlineSeconds",
                        "activeDeadlineSeconds in " + owner + " is not Supported"));
            }
        }
    }

    private static void templateMatches(PodTemplateSpec template, LabelSelector selector, String path, List<FieldError> errs) {
        if (selector == null || selector.isEverything()) {
            return;
        }
        Map<String, String> labels = template.getMetadata() == null ? null : template.getMetadata().getLabels();
        if (!selector.matches(labels)) {
            errs.add(FieldError.invalid(path + ".metadata.labels", labels == null ? Map.of() : labels, MISMATCH));
        }
    }

    private static void requireAlways(PodSpec ps, String path, List<FieldError> errs) {
        String rp = ps.getRestartPolicy();
        if (!isEmpty(rp) && !rp.equals("Always")) {
            errs.add(FieldError.notSupported(path + ".restartPolicy", rp, List.of("Always")));
        }
    }

    private static void validateDeploymentStrategy(DeploymentStrategy strategy, String path, List<FieldError> errs) {
        if (strategy == null || isEmpty(strategy.getType())) {
            return;
        }
        switch (strategy.getType()) {
            case "Recreate" -> {
                if (strategy.getRollingUpdate() != null) {
                    errs.add(FieldError.forbidden(path + ".rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"));
                }
            }
            case "RollingUpdate" -> {
                RollingUpdateDeployment ru = strategy.getRollingUpdate();
                if (ru == null) {
                    return;
                }
                String p = path + ".rollingUpdate";
                intOrPercent(ru.getMaxUnavailable(), p + ".maxUnavailable", errs);
                intOrPercent(ru.getMaxSurge(), p + ".maxSurge", errs);
                if (ru.getMaxUnavailable() != null && ru.getMaxSurge() != null
                        && value(ru.getMaxUnavailable()) == 0 && value(ru.getMaxSurge()) == 0) {
                    errs.add(FieldError.invalid(p + ".maxUnavailable", ru.getMaxUnavailable(), "may not be 0 when `maxSurge` is 0"));
                }
                notMoreThan100Percent(ru.getMaxUnavailable(), p + ".maxUnavailable", errs);
            }
            default -> errs.add(FieldError.notSupported(path + ".type", strategy.getType(), List.of("Recreate", "RollingUpdate")));
        }
    }

    private static void intOrPercent(IntOrString v, String path, List<FieldError> errs) {
        if (v == null || v.getValue() == null) {
            return;
        }
        if (v.getValue() instanceof Integer n) {
            nonNegative(n, path, errs);
        } else if (!NameRules.isPercent(String.valueOf(v.getValue()))) {
            errs.add(FieldError.invalid(path, v, NameRules.percentError()));
        }
    }

    private static void notMoreThan100Percent(IntOrString v, String path, List<FieldError> errs) {
        if (v != null && v.getValue() instanceof String s && NameRules.isPercent(s)
                && Long.parseLong(s.substring(0, s.length() - 1)) > 100) {
            errs.add(FieldError.invalid(path, v, "must not be greater than 100%"));
        }
    }

    /** The number in an int-or-percent (the percentage for {@code "25%"}); 0 when unset or malformed. */
    private static long value(IntOrString v) {
        if (v == null || v.getValue() == null) {
            return 0;
        }
        if (v.getValue() instanceof Integer n) {
            return n;
        }
        String s = String.valueOf(v.getValue());
        if (NameRules.isPercent(s)) {
            try {
                return Long.parseLong(s.substring(0, s.length() - 1));
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return 0;
    }

    private static int size(Map<?, ?> m) {
        return m == null ? 0 : m.size();
    }

    private static int size(List<?> l) {
        return l == null ? 0 : l.size();
    }
}
