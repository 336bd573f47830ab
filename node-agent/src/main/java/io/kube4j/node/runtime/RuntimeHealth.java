package io.kube4j.node.runtime;

import java.time.Instant;

/**
 * Whether a runtime's engine answers, as the kubelet's {@code runtimeState} keeps it: up, or down with the error the
 * node reports in its Ready condition ({@code container runtime is down: <error>}), and since when.
 *
 * @param up    the engine answers and is set up for pods
 * @param error why it is down (names the engine's address and what to do); null when up
 * @param since when it went up or down (null for a runtime that cannot be down)
 */
public record RuntimeHealth(boolean up, String error, Instant since) {

    /** A runtime that is always up (hollow, or one whose engine was checked when it was made). */
    public static final RuntimeHealth ALWAYS_UP = new RuntimeHealth(true, null, null);

    public static RuntimeHealth down(String error, Instant since) {
        return new RuntimeHealth(false, error, since);
    }
}
