package io.kube4j.scheduler.framework;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of running a plugin: a code, the reasons (each becomes a counted phrase of the "0/5 nodes are
 * available: ..." message) and the plugin that decided.
 */
public record Status(Code code, List<String> reasons, String plugin) {

    /** Outcome codes, as in the Kubernetes framework. */
    public enum Code {
        SUCCESS,
        /** The pod does not fit now; preemption may help. */
        UNSCHEDULABLE,
        /** The pod does not fit and preemption cannot help (e.g. a node selector mismatch). */
        UNSCHEDULABLE_AND_UNRESOLVABLE,
        /** Something went wrong; the pod is retried with backoff. */
        ERROR,
        /** The plugin has nothing to say (bind plugins that leave the pod to another). */
        SKIP
    }

    private static final Status SUCCESS = new Status(Code.SUCCESS, List.of(), null);
    private static final Status SKIPPED = new Status(Code.SKIP, List.of(), null);

    public Status {
        Objects.requireNonNull(code);
        reasons = List.copyOf(reasons);
    }

    public static Status success() {
        return SUCCESS;
    }

    public static Status skip() {
        return SKIPPED;
    }

    public static Status unschedulable(String... reasons) {
        return new Status(Code.UNSCHEDULABLE, List.of(reasons), null);
    }

    public static Status unresolvable(String... reasons) {
        return new Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, List.of(reasons), null);
    }

    public static Status error(String reason) {
        return new Status(Code.ERROR, List.of(reason), null);
    }

    public boolean isSuccess() {
        return code == Code.SUCCESS;
    }

    public boolean isSkip() {
        return code == Code.SKIP;
    }

    /** Unschedulable, resolvable or not. */
    public boolean isRejected() {
        return code == Code.UNSCHEDULABLE || code == Code.UNSCHEDULABLE_AND_UNRESOLVABLE;
    }

    /** This status attributed to {@code pluginName} (kept when already attributed). */
    public Status withPlugin(String pluginName) {
        return plugin != null || code == Code.SUCCESS ? this : new Status(code, reasons, pluginName);
    }

    /** The reasons joined, for logs and errors. */
    public String message() {
        return String.join(", ", reasons);
    }
}
