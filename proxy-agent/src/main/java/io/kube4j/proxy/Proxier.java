package io.kube4j.proxy;

import io.kube4j.proxy.model.ProxyState;

/**
 * One proxy mode (iptables, IPVS, userspace): makes the node implement a {@link ProxyState}
 * (kube-proxy's {@code proxy.Provider} minus the event handlers, which live in the change trackers).
 *
 * <p>Calls come from one sync thread, never concurrently. A mode keeps whatever it needs to know about what it
 * applied last (for partial syncs and for removing stale rules); {@link #sync} failing leaves that knowledge as it
 * was before the call, so that the next (full) sync repairs the node.
 */
public interface Proxier {

    /** {@code iptables}, {@code ipvs} or {@code userspace}. */
    String mode();

    /**
     * Brings the node to {@code state}.
     *
     * @param state the wanted state
     * @param full  true: render and apply everything and delete what is stale (first sync, after a failure,
     *              periodic repair); false: the mode may rewrite only {@code state.changedServices()} if it has
     *              completed a full sync before (it may still decide to do a full one)
     * @return what was done
     * @throws ProxySyncException when the node could not be programmed (the caller retries with {@code full})
     */
    SyncResult sync(ProxyState state, boolean full);

    /**
     * Removes every rule, chain, set, interface, listener this mode creates, whether or not this instance created
     * them (so that {@code proxy-agent --cleanup} after a crash leaves the host as it found it). Idempotent.
     */
    void cleanup();
}
