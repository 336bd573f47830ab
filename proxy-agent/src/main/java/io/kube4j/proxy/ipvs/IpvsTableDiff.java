package io.kube4j.proxy.ipvs;

import io.kube4j.proxy.ipvs.IpvsTable.RealServer;
import io.kube4j.proxy.ipvs.IpvsTable.Service;
import io.kube4j.proxy.ipvs.IpvsTable.VirtualServer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code ipvsadm --restore} input that turns the kernel's current IPVS table into the wanted one: {@code -A}/
 * {@code -E} for new or changed virtual servers, {@code -a}/{@code -e} for new or re-weighted real servers, then
 * {@code -d} and {@code -D} for what is stale (kube-proxy's {@code syncService}/{@code syncEndpoint}/
 * {@code cleanLegacyService}).
 *
 * <p>Graceful termination, simplified from kube-proxy's {@code gracefulTerminationManager}: a TCP real server whose
 * endpoint went away is first set to weight 0 (no new connections, existing ones continue) and deleted by the first
 * sync at least {@code gracePeriod} later; kube-proxy instead polls the connection counts and deletes it when they reach
 * 0. UDP and SCTP real servers are deleted at once, as kube-proxy does. A real server found at weight 0 that this
 * process did not drain (restart) starts its grace period now. An endpoint that comes back gets weight 1 again.
 * A virtual server that is no longer wanted is deleted with all its real servers.
 */
public final class IpvsTableDiff {

    /**
     * The diff.
     *
     * @param restoreInput the {@code ipvsadm --restore} input ({@code ""} when nothing changes)
     * @param draining     real servers at weight 0 after this diff, with the time they started draining (keys
     *                     {@code VS key/ip:port}); the proxier keeps it once the diff was applied
     * @param commands     how many ipvsadm commands the input holds
     */
    public record Result(String restoreInput, Map<String, Instant> draining, int commands) {
    }

    private IpvsTableDiff() {
    }

    public static Result compute(IpvsTable current, IpvsTable wanted, Map<String, Instant> drainingBefore,
                                 Instant now, Duration gracePeriod) {
        StringBuilder upserts = new StringBuilder();
        StringBuilder deletes = new StringBuilder();
        Map<String, Instant> draining = new TreeMap<>();
        int commands = 0;
        for (Service w : wanted.services()) {
            VirtualServer vs = w.virtualServer();
            Service c = current.get(vs.key());
            if (c == null) {
                upserts.append("-A ").append(vs.selector()).append(' ').append(vs.options()).append('\n');
                commands++;
            } else if (!c.virtualServer().sameOptions(vs)) {
                upserts.append("-E ").append(vs.selector()).append(' ').append(vs.options()).append('\n');
                commands++;
            }
            for (RealServer rs : w.realServers().values()) {
                RealServer cur = c == null ? null : c.realServers().get(rs.key());
                if (cur == null) {
                    upserts.append(realServerLine("-a", vs, rs)).append('\n');
                    commands++;
                } else if (cur.weight() != rs.weight()) {
                    upserts.append(realServerLine("-e", vs, rs)).append('\n');
                    commands++;
                }
            }
            if (c == null) {
                continue;
            }
            for (RealServer cur : c.realServers().values()) {
                if (w.realServers().containsKey(cur.key())) {
                    continue;
                }
                String key = vs.key() + "/" + cur.endpoint();
                if (!vs.protocol().equals("TCP")) {
                    deletes.append("-d ").append(vs.selector()).append(" -r ").append(cur.endpoint()).append('\n');
                    commands++;
                } else if (cur.weight() != 0) {
                    upserts.append(realServerLine("-e", vs, new RealServer(cur.address(), cur.port(), 0))).append('\n');
                    commands++;
                    draining.put(key, now);
                } else {
                    Instant since = drainingBefore.getOrDefault(key, now);
                    if (!now.isBefore(since.plus(gracePeriod))) {
                        deletes.append("-d ").append(vs.selector()).append(" -r ").append(cur.endpoint()).append('\n');
                        commands++;
                    } else {
                        draining.put(key, since);
                    }
                }
            }
        }
        List<Service> stale = new ArrayList<>();
        for (Service c : current.services()) {
            if (wanted.get(c.virtualServer().key()) == null) {
                stale.add(c);
            }
        }
        for (Service c : stale) {
            deletes.append("-D ").append(c.virtualServer().selector()).append('\n');
            commands++;
        }
        return new Result(upserts.append(deletes).toString(), draining, commands);
    }

    private static String realServerLine(String cmd, VirtualServer vs, RealServer rs) {
        return cmd + " " + vs.selector() + " -r " + rs.endpoint() + " -m -w " + rs.weight();
    }
}
