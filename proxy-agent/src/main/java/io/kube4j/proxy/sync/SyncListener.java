package io.kube4j.proxy.sync;

import io.kube4j.proxy.SyncResult;
import io.kube4j.proxy.model.ProxyState;

/**
 * Told about the {@link SyncRunner}'s work, on the thread doing it: the health servers use it the way kube-proxy's
 * proxier calls {@code healthzServer.QueuedUpdate}/{@code Updated} and {@code serviceHealthServer.SyncServices}.
 * Implementations must be quick and must not throw.
 */
public interface SyncListener {

    /** A sync was requested (a change arrived) or became due; it has not run yet. */
    default void syncQueued() {
    }

    /** {@code state} is now implemented by the node. */
    default void syncSucceeded(ProxyState state, SyncResult result) {
    }

    /** A sync failed; the runner retries it (full) after a backoff. */
    default void syncFailed(RuntimeException error) {
    }
}
