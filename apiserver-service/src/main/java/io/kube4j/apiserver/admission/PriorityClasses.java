package io.kube4j.apiserver.admission;

import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.kube4j.api.validation.FieldError;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The PriorityClasses every kube4j cluster has, and Kubernetes' rules for PriorityClass objects
 * ({@code pkg/apis/scheduling}: defaults, {@code ValidatePriorityClass}, {@code ValidatePriorityClassUpdate}).
 * Besides Kubernetes' two system classes kube4j ships Borg's bands: {@code prod} above {@code batch}, and pods
 * without a class get priority 0, Borg's best-effort band, unless a {@code globalDefault} class exists.
 */
public final class PriorityClasses {

    /** Values above this are reserved for the system classes. */
    public static final int HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
    /** The start of the system-critical range. */
    public static final int SYSTEM_CRITICAL_PRIORITY = 2 * HIGHEST_USER_DEFINABLE_PRIORITY;
    /** The priority of a pod without a class when no class is the global default. */
    public static final int DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS = 0;
    /** Names with this prefix are reserved for the system classes. */
    public static final String SYSTEM_PREFIX = "system-";
    public static final String SYSTEM_NODE_CRITICAL = SYSTEM_PREFIX + "node-critical";
    public static final String SYSTEM_CLUSTER_CRITICAL = SYSTEM_PREFIX + "cluster-critical";
    /** Borg's production band: long-running, latency-sensitive services. */
    public static final String PROD = "prod";
    public static final int PROD_PRIORITY = 1_000_000;
    /** Borg's non-production band: batch work that prod may preempt. */
    public static final String BATCH = "batch";
    public static final int BATCH_PRIORITY = 1000;

    public static final String PREEMPT_LOWER_PRIORITY = "PreemptLowerPriority";
    public static final String PREEMPT_NEVER = "Never";
    static final List<String> PREEMPTION_POLICIES = List.of(PREEMPT_LOWER_PRIORITY, PREEMPT_NEVER);

    private PriorityClasses() {
    }

    /** Kubernetes' system classes ({@code SystemPriorityClasses()}), new objects on every call. */
    public static List<PriorityClass> system() {
        return List.of(
                builtin(SYSTEM_NODE_CRITICAL, SYSTEM_CRITICAL_PRIORITY + 1000,
                        "Used for system critical pods that must not be moved from their current node."),
                builtin(SYSTEM_CLUSTER_CRITICAL, SYSTEM_CRITICAL_PRIORITY,
                        "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."));
    }

    /** Every class the apiserver creates at start: the system classes, then Borg's prod and batch bands. */
    public static List<PriorityClass> builtin() {
        List<PriorityClass> all = new ArrayList<>(system());
        all.add(builtin(PROD, PROD_PRIORITY, "long-running, latency-sensitive services; Borg's production band"));
        all.add(builtin(BATCH, BATCH_PRIORITY, "batch work that may be preempted by prod; Borg's non-production band"));
        return all;
    }

    private static PriorityClass builtin(String name, int value, String description) {
        return new PriorityClassBuilder().withApiVersion("scheduling.k8s.io/v1").withKind("PriorityClass")
                .withNewMetadata().withName(name).endMetadata()
                .withValue(value).withGlobalDefault(false).withDescription(description)
                .withPreemptionPolicy(PREEMPT_LOWER_PRIORITY).build();
    }

    /** Whether {@code name} is one of Kubernetes' system classes, which may not be deleted. */
    public static boolean isSystemClass(String name) {
        return SYSTEM_NODE_CRITICAL.equals(name) || SYSTEM_CLUSTER_CRITICAL.equals(name);
    }

    /** {@code SetDefaults_PriorityClass}: preemptionPolicy PreemptLowerPriority when absent. */
    public static void applyDefaults(PriorityClass pc) {
        if (pc.getPreemptionPolicy() == null) {
            pc.setPreemptionPolicy(PREEMPT_LOWER_PRIORITY);
        }
    }

    /** The value of a class (a missing value is 0, as Go's int32 zero value). */
    public static int value(PriorityClass pc) {
        return pc.getValue() == null ? 0 : pc.getValue();
    }

    static boolean globalDefault(PriorityClass pc) {
        return Boolean.TRUE.equals(pc.getGlobalDefault());
    }

    /** {@code ValidatePriorityClass}: reserved names and values, and a supported preemption policy. */
    public static List<FieldError> validate(PriorityClass pc) {
        List<FieldError> errs = new ArrayList<>();
        String name = pc.getMetadata() == null ? null : pc.getMetadata().getName();
        if (name != null && name.startsWith(SYSTEM_PREFIX)) {
            String problem = knownSystemClassProblem(name, value(pc), globalDefault(pc));
            if (problem != null) {
                errs.add(FieldError.forbidden("metadata.name", "priority class names with '" + SYSTEM_PREFIX
                        + "' prefix are reserved for system use only. error: " + problem));
            }
        } else if (value(pc) > HIGHEST_USER_DEFINABLE_PRIORITY) {
            errs.add(FieldError.forbidden("value", "maximum allowed value of a user defined priority is "
                    + HIGHEST_USER_DEFINABLE_PRIORITY));
        }
        if (pc.getPreemptionPolicy() != null) {
            validatePreemptionPolicy(pc.getPreemptionPolicy(), "preemptionPolicy", errs);
        }
        return errs;
    }

    /**
     * {@code ValidatePriorityClassUpdate}: value and preemptionPolicy never change. kube4j also keeps a system
     * class from becoming the global default, which its create rule forbids (Kubernetes checks that only on create).
     */
    public static List<FieldError> validateUpdate(PriorityClass next, PriorityClass old) {
        List<FieldError> errs = new ArrayList<>();
        String name = next.getMetadata() == null ? null : next.getMetadata().getName();
        if (isSystemClass(name) && globalDefault(next)) {
            errs.add(FieldError.forbidden("metadata.name", "priority class names with '" + SYSTEM_PREFIX
                    + "' prefix are reserved for system use only. error: "
                    + knownSystemClassProblem(name, value(old), true)));
        }
        if (value(next) != value(old)) {
            errs.add(FieldError.forbidden("value", "may not be changed in an update."));
        }
        if (!Objects.equals(next.getPreemptionPolicy(), old.getPreemptionPolicy())) {
            errs.add(FieldError.invalid("preemptionPolicy", next.getPreemptionPolicy(), "field is immutable"));
        }
        return errs;
    }

    /** {@code ValidatePreemptionPolicy}: PreemptLowerPriority or Never. */
    public static void validatePreemptionPolicy(String policy, String path, List<FieldError> errs) {
        if (policy.isEmpty()) {
            errs.add(FieldError.required(path, ""));
        } else if (!PREEMPTION_POLICIES.contains(policy)) {
            errs.add(FieldError.notSupported(path, policy, PREEMPTION_POLICIES));
        }
    }

    /** {@code IsKnownSystemPriorityClass}: null when name, value and globalDefault match a system class. */
    static String knownSystemClassProblem(String name, int value, boolean globalDefault) {
        for (PriorityClass spc : system()) {
            if (spc.getMetadata().getName().equals(name)) {
                if (value(spc) != value) {
                    return "value of " + name + " PriorityClass must be " + value(spc);
                }
                if (globalDefault(spc) != globalDefault) {
                    return "globalDefault of " + name + " PriorityClass must be " + globalDefault(spc);
                }
                return null;
            }
        }
        return name + " is not a known system priority class";
    }
}
