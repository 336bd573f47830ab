package io.kube4j.controller.job;

import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicy;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyOnExitCodesRequirement;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyOnPodConditionsPattern;
import io.fabric8.kubernetes.api.model.batch.v1.PodFailurePolicyRule;

/**
 * A Job's {@code podFailurePolicy} applied to one failed pod, as Kubernetes' {@code pod_failure_policy.go}: the first
 * rule whose {@code onExitCodes} (a non-zero exit code of a terminated container, optionally of one named container,
 * {@code In}/{@code NotIn} the values) or {@code onPodConditions} (a pod condition of that type with that status,
 * default True, such as {@code DisruptionTarget}) matches decides the action.
 */
public final class PodFailurePolicies {

    public static final String FAIL_JOB = "FailJob";
    public static final String IGNORE = "Ignore";
    public static final String COUNT = "Count";
    public static final String FAIL_INDEX = "FailIndex";

    /** The matching rule's action and the message Kubernetes writes for FailJob; null when no rule matched. */
    public record Match(String action, String message) {
    }

    private PodFailurePolicies() {
    }

    public static Match match(PodFailurePolicy policy, Pod pod) {
        if (policy == null || policy.getRules() == null) {
            return null;
        }
        List<PodFailurePolicyRule> rules = policy.getRules();
        for (int i = 0; i < rules.size(); i++) {
            PodFailurePolicyRule rule = rules.get(i);
            if (rule.getOnExitCodes() != null) {
                ContainerStatus cs = matchExitCodes(rule.getOnExitCodes(), pod);
                if (cs != null) {
                    return new Match(rule.getAction(), String.format(
                            "Container %s for pod %s/%s failed with exit code %d matching %s rule at index %d",
                            cs.getName(), pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                            cs.getState().getTerminated().getExitCode(), rule.getAction(), i));
                }
            } else if (rule.getOnPodConditions() != null && !rule.getOnPodConditions().isEmpty()) {
                PodFailurePolicyOnPodConditionsPattern p = matchConditions(rule.getOnPodConditions(), pod);
                if (p != null) {
                    return new Match(rule.getAction(), String.format(
                            "Pod %s/%s has condition %s matching %s rule at index %d",
                            pod.getMetadata().getNamespace(), pod.getMetadata().getName(), p.getType(),
                            rule.getAction(), i));
                }
            }
        }
        return null;
    }

    private static ContainerStatus matchExitCodes(PodFailurePolicyOnExitCodesRequirement req, Pod pod) {
        if (pod.getStatus() == null) {
            return null;
        }
        List<ContainerStatus> all = new ArrayList<>();
        if (pod.getStatus().getInitContainerStatuses() != null) {
            all.addAll(pod.getStatus().getInitContainerStatuses());
        }
        if (pod.getStatus().getContainerStatuses() != null) {
            all.addAll(pod.getStatus().getContainerStatuses());
        }
        for (ContainerStatus cs : all) {
            if (req.getContainerName() != null && !req.getContainerName().isEmpty()
                    && !req.getContainerName().equals(cs.getName())) {
                continue;
            }
            if (cs.getState() == null || cs.getState().getTerminated() == null) {
                continue;
            }
            Integer code = cs.getState().getTerminated().getExitCode();
            if (code == null || code == 0) {
                continue; // a successful container is never what failed the pod
            }
            boolean in = req.getValues() != null && req.getValues().contains(code);
            if ("In".equals(req.getOperator()) ? in : "NotIn".equals(req.getOperator()) && !in) {
                return cs;
            }
        }
        return null;
    }

    private static PodFailurePolicyOnPodConditionsPattern matchConditions(
            List<PodFailurePolicyOnPodConditionsPattern> patterns, Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
            return null;
        }
        for (PodFailurePolicyOnPodConditionsPattern p : patterns) {
            String want = p.getStatus() == null || p.getStatus().isEmpty() ? "True" : p.getStatus();
            for (PodCondition c : pod.getStatus().getConditions()) {
                if (p.getType() != null && p.getType().equals(c.getType()) && want.equals(c.getStatus())) {
                    return p;
                }
            }
        }
        return null;
    }
}
