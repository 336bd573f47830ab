package io.kube4j.api.validation;

import java.util.List;

import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicy;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyOnExitCodesRequirement;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyOnPodConditionsPattern;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;

/**
 * The Job fields the Job controller acts on beyond the basic counts, as Kubernetes' {@code validatePodFailurePolicy}
 * and the backoffLimitPerIndex rules of {@code pkg/apis/batch/validation}: a policy the controller would misread is
 * answered with a 422 at create time instead.
 */
final class JobValidation {

    static final List<String> ACTIONS = List.of("FailJob", "FailIndex", "Ignore", "Count");
    static final List<String> OPERATORS = List.of("In", "NotIn");
    static final int MAX_RULES = 20;
    static final int MAX_EXIT_CODES = 255;
    static final int MAX_FAILED_INDEXES_LIMIT = 100_000;

    private JobValidation() {
    }

    static void validate(JobSpec spec, String path, List<FieldError> errs) {
        boolean indexed = "Indexed".equals(spec.getCompletionMode());
        if (spec.getBackoffLimitPerIndex() != null) {
            if (spec.getBackoffLimitPerIndex() < 0) {
                errs.add(FieldError.invalid(path + ".backoffLimitPerIndex", spec.getBackoffLimitPerIndex(),
                        "must be greater than or equal to 0"));
            }
            if (!indexed) {
                errs.add(FieldError.invalid(path + ".backoffLimitPerIndex", spec.getBackoffLimitPerIndex(),
                        "requires indexed completion mode"));
            }
        }
        Integer maxFailed = spec.getMaxFailedIndexes();
        if (maxFailed != null) {
            if (spec.getBackoffLimitPerIndex() == null) {
                errs.add(FieldError.required(path + ".backoffLimitPerIndex",
                        "when maxFailedIndexes is specified"));
            }
            if (maxFailed < 0) {
                errs.add(FieldError.invalid(path + ".maxFailedIndexes", maxFailed, "must be greater than or equal to 0"));
            } else if (spec.getCompletions() != null && maxFailed > spec.getCompletions()) {
                errs.add(FieldError.invalid(path + ".maxFailedIndexes", maxFailed,
                        "must be less than or equal to completions"));
            } else if (maxFailed > MAX_FAILED_INDEXES_LIMIT) {
                errs.add(FieldError.invalid(path + ".maxFailedIndexes", maxFailed,
                        "must be less than or equal to " + MAX_FAILED_INDEXES_LIMIT));
            }
        }
        PodFailurePolicy policy = spec.getPodFailurePolicy();
        if (policy == null) {
            return;
        }
        String p = path + ".podFailurePolicy";
        String rp = spec.getTemplate() == null || spec.getTemplate().getSpec() == null ? null
                : spec.getTemplate().getSpec().getRestartPolicy();
        if (!"Never".equals(rp)) {
            errs.add(FieldError.invalid(path + ".template.spec.restartPolicy", rp,
                    "only \"Never\" is supported when podFailurePolicy is specified"));
        }
        List<PodFailurePolicyRule> rules = policy.getRules() == null ? List.of() : policy.getRules();
        if (rules.size() > MAX_RULES) {
            errs.add(FieldError.tooMany(p + ".rules", rules.size(), MAX_RULES));
        }
        for (int i = 0; i < rules.size(); i++) {
            PodFailurePolicyRule rule = rules.get(i);
            String rPath = p + ".rules[" + i + "]";
            String action = rule.getAction();
            if (action == null || action.isEmpty()) {
                errs.add(FieldError.required(rPath + ".action", ""));
            } else if (!ACTIONS.contains(action)) {
                errs.add(FieldError.notSupported(rPath + ".action", action, ACTIONS));
            } else if ("FailIndex".equals(action) && spec.getBackoffLimitPerIndex() == null) {
                errs.add(FieldError.invalid(rPath + ".action", action,
                        "requires the backoffLimitPerIndex to be set"));
            }
            boolean codes = rule.getOnExitCodes() != null;
            boolean conds = rule.getOnPodConditions() != null && !rule.getOnPodConditions().isEmpty();
            if (codes == conds) {
                errs.add(FieldError.invalid(rPath, "", "specifying one of onExitCodes and onPodConditions is required"));
            }
            if (codes) {
                exitCodes(rule.getOnExitCodes(), rPath + ".onExitCodes", errs);
            }
            if (conds) {
                List<PodFailurePolicyOnPodConditionsPattern> ps = rule.getOnPodConditions();
                for (int j = 0; j < ps.size(); j++) {
                    PodFailurePolicyOnPodConditionsPattern c = ps.get(j);
                    String cPath = rPath + ".onPodConditions[" + j + "]";
                    if (c.getType() == null || c.getType().isEmpty()) {
                        errs.add(FieldError.required(cPath + ".type", ""));
                    }
                    if (c.getStatus() != null && !c.getStatus().isEmpty()
                            && !List.of("True", "False", "Unknown").contains(c.getStatus())) {
                        errs.add(FieldError.notSupported(cPath + ".status", c.getStatus(),
                                List.of("True", "False", "Unknown")));
                    }
                }
            }
        }
    }

    private static void exitCodes(PodFailurePolicyOnExitCodesRequirement req, String path, List<FieldError> errs) {
        if (req.getOperator() == null || req.getOperator().isEmpty()) {
            errs.add(FieldError.required(path + ".operator", ""));
        } else if (!OPERATORS.contains(req.getOperator())) {
            errs.add(FieldError.notSupported(path + ".operator", req.getOperator(), OPERATORS));
        }
        List<Integer> values = req.getValues() == null ? List.of() : req.getValues();
        if (values.isEmpty()) {
            errs.add(FieldError.invalid(path + ".values", values, "at least one value is required"));
        } else if (values.size() > MAX_EXIT_CODES) {
            errs.add(FieldError.tooMany(path + ".values", values.size(), MAX_EXIT_CODES));
        }
        Integer prev = null;
        for (int i = 0; i < values.size(); i++) {
            Integer v = values.get(i);
            if (v == null) {
                continue;
            }
            if (v == 0 && "In".equals(req.getOperator())) {
                errs.add(FieldError.invalid(path + ".values[" + i + "]", v,
                        "must not be 0 for the In operator"));
            }
            if (prev != null && v.equals(prev)) {
                errs.add(FieldError.duplicate(path + ".values[" + i + "]", v));
            } else if (prev != null && v < prev) {
                errs.add(FieldError.invalid(path + ".values[" + i + "]", v, "must be ordered"));
            }
            prev = v;
        }
    }
}
