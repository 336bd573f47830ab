package io.kube4j.cli.commands.cluster;

import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.api.printing.Ages;
import io.kube4j.cli.output.Colors;
import io.kube4j.cli.output.Table;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.RawClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code k4j cluster status} (not in kubectl): the control plane at a glance — the apiserver's readiness and version,
 * etcd as the apiserver sees it, the scheduler's and controller manager's leader Leases in kube-system (healthy when
 * renewed within the lease duration), and the nodes (Ready/NotReady, a row each with its pod count). Exit code 0 when
 * everything is healthy, 1 when something is not (for scripts).
 */
@Component
public class ClusterStatusCommand extends KubeCommand {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** The leader leases of the control-plane components: component name → lease name in kube-system. */
    private static final List<Map.Entry<String, String>> LEASES = List.of(
            Map.entry("scheduler", "kube-scheduler"), Map.entry("controller-manager", "kube-controller-manager"));

    public ClusterStatusCommand() {
        super("cluster status", "Show the control-plane components, their leaders and the nodes' readiness");
    }

    @Override
    protected int run(Invocation inv) {
        RawClient raw = inv.client().raw();
        Colors col = inv.colors();
        Instant now = Instant.now();
        boolean healthy = true;

        String version = Codecs.json().readTree(raw.get("/version").block(TIMEOUT)).path("gitVersion").asString("?");
        inv.out().println("Control plane: " + col.yellow(inv.clientConfig().server()) + " (" + version + ")");
        inv.out().println();

        Table t = new Table().row("COMPONENT", "STATUS", "LEADER", "RENEWED", "MESSAGE");
        String readyz = readyz(raw);
        boolean ready = readyz == null;
        healthy &= ready;
        t.row("apiserver", status(col, ready ? "Healthy" : "Unhealthy"), "-", "-",
                ready ? "ready" : readyz);
        t.row("etcd", status(col, ready ? "Healthy" : "Unknown"), "-", "-",
                ready ? "the apiserver's watch cache is in sync with it" : "the apiserver is not in sync with it");
        for (Map.Entry<String, String> c : LEASES) {
            healthy &= lease(raw, c.getKey(), c.getValue(), now, col, t);
        }
        t.print(inv.out());
        inv.out().println();

        JsonNode nodes = list(raw, "/api/v1/nodes");
        Map<String, Integer> pods = new HashMap<>();
        for (JsonNode p : list(raw, "/api/v1/pods").path("items")) {
            String node = p.path("spec").path("nodeName").asString("");
            String phase = p.path("status").path("phase").asString("");
            if (!node.isEmpty() && !phase.equals("Succeeded") && !phase.equals("Failed")) {
                pods.merge(node, 1, Integer::sum);
            }
        }
        TreeMap<String, JsonNode> byName = new TreeMap<>();
        nodes.path("items").forEach(n -> byName.put(n.path("metadata").path("name").asString(), n));
        int readyCount = 0;
        Table nt = new Table().row("NAME", "STATUS", "ROLES", "AGE", "VERSION", "PODS");
        for (JsonNode n : byName.values()) {
            boolean nodeReady = false;
            for (JsonNode cond : n.path("status").path("conditions")) {
                if (cond.path("type").asString().equals("Ready") && cond.path("status").asString().equals("True")) {
                    nodeReady = true;
                }
            }
            readyCount += nodeReady ? 1 : 0;
            String st = nodeReady ? col.green("Ready") : col.red("NotReady");
            if (n.path("spec").path("unschedulable").asBoolean(false)) {
                st += col.yellow(",SchedulingDisabled");
            }
            String name = n.path("metadata").path("name").asString();
            nt.row(name, st, roles(n), Ages.since(n.path("metadata").path("creationTimestamp").asString(null), now),
                    n.path("status").path("nodeInfo").path("kubeletVersion").asString("<unknown>"),
                    Integer.toString(pods.getOrDefault(name, 0)));
        }
        int notReady = byName.size() - readyCount;
        healthy &= notReady == 0 && !byName.isEmpty();
        String summary = col.green(readyCount + " Ready") + ", "
                + (notReady > 0 ? col.red(notReady + " NotReady") : notReady + " NotReady");
        inv.out().println("Nodes: " + summary);
        if (!byName.isEmpty()) {
            inv.out().println();
            nt.print(inv.out());
        }
        return healthy ? 0 : 1;
    }

    /** Null when ready, else what /readyz said. */
    private static String readyz(RawClient raw) {
        try {
            raw.get("/readyz").block(TIMEOUT);
            return null;
        } catch (RuntimeException e) {
            Throwable t = e;
            while (t.getCause() != null && !(t instanceof ApiStatusException)) {
                t = t.getCause();
            }
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
            return m.lines().findFirst().orElse(m);
        }
    }

    private static boolean lease(RawClient raw, String component, String lease, Instant now, Colors col, Table t) {
        JsonNode l;
        try {
            l = Codecs.json().readTree(raw.get("/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/" + lease)
                    .block(TIMEOUT));
        } catch (RuntimeException e) {
            if (e instanceof ApiStatusException a && a.code() == 404 || e.getCause() instanceof ApiStatusException b
                    && b.code() == 404) {
                t.row(component, status(col, "Unknown"), "<none>", "-", "no lease kube-system/" + lease);
                return false;
            }
            throw e;
        }
        JsonNode spec = l.path("spec");
        String holder = spec.path("holderIdentity").asString("");
        int duration = spec.path("leaseDurationSeconds").asInt(15);
        String renew = spec.path("renewTime").asString(spec.path("acquireTime").asString(""));
        if (holder.isEmpty()) {
            t.row(component, status(col, "NoLeader"), "<none>", renew.isEmpty() ? "-" : Ages.since(renew, now),
                    "lease kube-system/" + lease + " has no holder");
            return false;
        }
        boolean fresh;
        try {
            fresh = !renew.isEmpty() && Duration.between(OffsetDateTime.parse(renew).toInstant(), now)
                    .compareTo(Duration.ofSeconds(duration)) <= 0;
        } catch (RuntimeException e) {
            fresh = false;
        }
        t.row(component, status(col, fresh ? "Healthy" : "Stale"), holder,
                renew.isEmpty() ? "-" : Ages.since(renew, now),
                fresh ? "lease " + duration + "s" : "not renewed within the lease's " + duration + "s");
        return fresh;
    }

    private static String roles(JsonNode node) {
        List<String> roles = new ArrayList<>();
        node.path("metadata").path("labels").properties().forEach(e -> {
            if (e.getKey().startsWith("node-role.kubernetes.io/")) {
                roles.add(e.getKey().substring("node-role.kubernetes.io/".length()));
            } else if (e.getKey().equals("kubernetes.io/role")) {
                roles.add(e.getValue().asString());
            }
        });
        roles.sort(null);
        return roles.isEmpty() ? "<none>" : String.join(",", roles);
    }

    private static String status(Colors col, String s) {
        return s.equals("Healthy") ? col.green(s) : s.equals("Unknown") ? col.yellow(s) : col.red(s);
    }

    private static JsonNode list(RawClient raw, String path) {
        byte[] body = raw.get(path).block(TIMEOUT);
        return Codecs.json().readTree(new String(body, StandardCharsets.UTF_8));
    }
}
