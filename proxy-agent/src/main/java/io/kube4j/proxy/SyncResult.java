package io.kube4j.proxy;

import java.time.Duration;

/**
 * What one {@link Proxier#sync} did, for logs, metrics and benchmarks.
 *
 * @param full        whether everything was rewritten (false: only the changed Services' rules)
 * @param rules       rules (or virtual/real servers, or listeners) the mode now has in place in total
 * @param chains      chains (or sets) the mode now has in place in total; 0 where the mode has none
 * @param renderTime  time spent computing what to apply
 * @param applyTime   time spent applying it (iptables-restore, ipvsadm, binding sockets)
 */
public record SyncResult(boolean full, int rules, int chains, Duration renderTime, Duration applyTime) {
}
