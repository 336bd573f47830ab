package io.kube4j.controller.job;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.kube4j.controller.common.Pods;

/**
 * Kubernetes' Job vocabulary and the small rules the Job controller and the TTL-after-finished controller share
 * ({@code pkg/controller/job/util}, {@code indexed_job_utils.go}, {@code backoff_utils.go}): labels and annotations,
 * conditions, completion indexes and their interval form ({@code "1,3-5"}), and the exponential pod-failure backoff.
 */
public final class Jobs {

    public static final String TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking";
    public static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";
    public static final String COMPLETION_INDEX_ENV = "JOB_COMPLETION_INDEX";
    /** How often the pod's index failed before this pod (backoffLimitPerIndex). */
    public static final String INDEX_FAILURE_COUNT = "batch.kubernetes.io/job-index-failure-count";

    public static final String COMPLETE = "Complete";
    public static final String FAILED = "Failed";
    public static final String SUSPENDED = "Suspended";
    public static final String FAILURE_TARGET = "FailureTarget";
    public static final String SUCCESS_CRITERIA_MET = "SuccessCriteriaMet";

    public static final String REASON_BACKOFF_LIMIT_EXCEEDED = "BackoffLimitExceeded";
    public static final String REASON_DEADLINE_EXCEEDED = "DeadlineExceeded";
    public static final String REASON_POD_FAILURE_POLICY = "PodFailurePolicy";
    public static final String REASON_COMPLETIONS_REACHED = "CompletionsReached";
    public static final String REASON_MAX_FAILED_INDEXES_EXCEEDED = "MaxFailedIndexesExceeded";
    public static final String REASON_FAILED_INDEXES = "FailedIndexes";

    private Jobs() {
    }

    public static boolean indexed(Job job) {
        return "Indexed".equals(job.getSpec().getCompletionMode());
    }

    /** The condition of {@code type} that is True, or null. */
    public static JobCondition trueCondition(Job job, String type) {
        JobStatus s = job.getStatus();
        if (s == null || s.getConditions() == null) {
            return null;
        }
        return s.getConditions().stream().filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
                .findFirst().orElse(null);
    }

    /** Complete or Failed: the Job will not run pods again. */
    public static boolean finished(Job job) {
        return trueCondition(job, COMPLETE) != null || trueCondition(job, FAILED) != null;
    }

    /** When the Job finished: completionTime, else the terminal condition's transition time (null: not finished). */
    public static Instant finishTime(Job job) {
        JobCondition c = trueCondition(job, COMPLETE);
        if (c == null) {
            c = trueCondition(job, FAILED);
        }
        if (c == null) {
            return null;
        }
        Instant t = Pods.parseTime(c.getLastTransitionTime());
        if (t == null && job.getStatus().getCompletionTime() != null) {
            t = Pods.parseTime(job.getStatus().getCompletionTime());
        }
        return t;
    }

    /**
     * {@code conditions} with {@code type} set to {@code status} (reason, message); the transition time moves only
     * when the status changes, as Kubernetes' ensureJobConditionStatus. Returns whether anything changed.
     */
    static boolean ensureCondition(List<JobCondition> conditions, String type, String status, String reason,
            String message, Instant now) {
        for (int i = 0; i < conditions.size(); i++) {
            JobCondition c = conditions.get(i);
            if (!type.equals(c.getType())) {
                continue;
            }
            if (status.equals(c.getStatus()) && Objects.equals(reason, c.getReason())
                    && Objects.equals(message, c.getMessage())) {
                return false;
            }
            String transition = status.equals(c.getStatus()) ? c.getLastTransitionTime() : time(now);
            conditions.set(i, new JobConditionBuilder(c).withStatus(status).withReason(reason).withMessage(message)
                    .withLastProbeTime(time(now)).withLastTransitionTime(transition).build());
            return true;
        }
        if ("False".equals(status)) {
            return false; // an absent condition is as good as False
        }
        conditions.add(new JobConditionBuilder().withType(type).withStatus(status).withReason(reason)
                .withMessage(message).withLastProbeTime(time(now)).withLastTransitionTime(time(now)).build());
        return true;
    }

    /** RFC 3339 to the second, as metav1.Time. */
    static String time(Instant t) {
        return t.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }

    /** The completion index of an Indexed Job's pod (annotation, then label), or -1 when absent or malformed. */
    public static int completionIndex(Pod pod) {
        Map<String, String> a = pod.getMetadata().getAnnotations();
        String v = a == null ? null : a.get(COMPLETION_INDEX);
        if (v == null) {
            Map<String, String> l = pod.getMetadata().getLabels();
            v = l == null ? null : l.get(COMPLETION_INDEX);
        }
        if (v == null) {
            return -1;
        }
        try {
            int i = Integer.parseInt(v);
            return i < 0 ? -1 : i;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The pod's {@code job-index-failure-count} annotation (0 when absent or malformed). */
    public static int indexFailureCount(Pod pod) {
        Map<String, String> a = pod.getMetadata().getAnnotations();
        String v = a == null ? null : a.get(INDEX_FAILURE_COUNT);
        try {
            return v == null ? 0 : Math.max(0, Integer.parseInt(v));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Parses {@code "1,3-5"} into its indexes below {@code completions} (malformed parts are skipped). */
    public static TreeSet<Integer> parseIndexes(String s, int completions) {
        TreeSet<Integer> out = new TreeSet<>();
        if (s == null || s.isBlank()) {
            return out;
        }
        for (String part : s.split(",")) {
            try {
                int dash = part.indexOf('-');
                int from = Integer.parseInt((dash < 0 ? part : part.substring(0, dash)).trim());
                int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1).trim());
                for (int i = Math.max(0, from); i <= to && i < completions; i++) {
                    out.add(i);
                }
            } catch (NumberFormatException e) {
                // skipped, as Kubernetes' parseIndexesFromString
            }
        }
        return out;
    }

    /** The interval form of {@code indexes}: {@code [1,3,4,5]} → {@code "1,3-5"}; empty → null. */
    public static String formatIndexes(TreeSet<Integer> indexes) {
        if (indexes.isEmpty()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        Integer start = null;
        Integer prev = null;
        for (int i : indexes) {
            if (start == null) {
                start = i;
            } else if (i != prev + 1) {
                parts.add(start.equals(prev) ? String.valueOf(start) : start + "-" + prev);
                start = i;
            }
            prev = i;
        }
        parts.add(start.equals(prev) ? String.valueOf(start) : start + "-" + prev);
        return String.join(",", parts);
    }

    /**
     * The delay before the next pod after {@code failuresAfterLastSuccess} consecutive failures: {@code base} doubled
     * per failure after the first, at most {@code max} (Kubernetes' getRemainingTimeForFailuresCount); zero for none.
     */
    public static Duration backoff(int failuresAfterLastSuccess, Duration base, Duration max) {
        if (failuresAfterLastSuccess <= 0) {
            return Duration.ZERO;
        }
        Duration d = base;
        for (int i = 1; i < failuresAfterLastSuccess; i++) {
            d = d.multipliedBy(2);
            if (d.compareTo(max) >= 0) {
                return max;
            }
        }
        return d.compareTo(max) > 0 ? max : d;
    }

    /**
     * When a terminated pod finished: the latest container finishedAt, else its deletionTimestamp, else its creation
     * (Kubernetes' getFinishedTime falls back likewise).
     */
    public static Instant finishedAt(Pod pod) {
        Instant latest = null;
        if (pod.getStatus() != null) {
            List<ContainerStatus> all = new ArrayList<>();
            if (pod.getStatus().getContainerStatuses() != null) {
                all.addAll(pod.getStatus().getContainerStatuses());
            }
            if (pod.getStatus().getInitContainerStatuses() != null) {
                all.addAll(pod.getStatus().getInitContainerStatuses());
            }
            for (ContainerStatus cs : all) {
                if (cs.getState() != null && cs.getState().getTerminated() != null) {
                    Instant t = Pods.parseTime(cs.getState().getTerminated().getFinishedAt());
                    if (t != null && (latest == null || t.isAfter(latest))) {
                        latest = t;
                    }
                }
            }
        }
        if (latest == null) {
            latest = Pods.parseTime(pod.getMetadata().getDeletionTimestamp());
        }
        if (latest == null) {
            latest = Pods.parseTime(pod.getMetadata().getCreationTimestamp());
        }
        return latest;
    }

    /** {@code s} parsed, or {@code fallback} when absent or malformed. */
    static Instant parseTimeOrNow(String s, Instant fallback) {
        try {
            Instant t = Pods.parseTime(s);
            return t == null ? fallback : t;
        } catch (RuntimeException e) {
            return fallback;
        }
    }
}
