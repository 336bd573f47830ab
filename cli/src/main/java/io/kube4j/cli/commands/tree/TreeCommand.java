package io.kube4j.cli.commands.tree;

import io.kube4j.cli.api.ApiResource;
import io.kube4j.cli.api.Discovery;
import io.kube4j.cli.api.Fetch;
import io.kube4j.cli.api.ResourceArgs;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import io.kube4j.api.printing.Ages;
import io.kube4j.cli.output.Colors;
import io.kube4j.cli.output.TabWriter;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.KubeClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.kube4j.cli.api.Trees.list;
import static io.kube4j.cli.api.Trees.text;

/**
 * {@code k4j tree TYPE/NAME} (beyond kubectl, like the kubectl-tree plugin): the objects that the named one owns,
 * found by the {@code uid} of their ownerReferences, recursively — Deployment → ReplicaSets → Pods,
 * StatefulSet → ControllerRevisions and Pods, Service → EndpointSlices... Printed as kubectl-tree prints it:
 * {@code NAMESPACE NAME READY REASON AGE} with {@code ├─}/{@code └─} branches; READY is the object's Ready
 * condition (green True, red False, yellow Unknown; {@code -} without one).
 */
@Component
public class TreeCommand extends KubeCommand {

    /** Where owned objects are looked for (the "all" category is added): resources that commonly have owners. */
    private static final List<String> OWNED = List.of("replicasets.apps", "pods", "controllerrevisions.apps",
            "jobs.batch", "endpointslices.discovery.k8s.io", "persistentvolumeclaims", "services", "configmaps",
            "secrets", "leases.coordination.k8s.io", "deployments.apps", "statefulsets.apps", "daemonsets.apps",
            "cronjobs.batch");

    public TreeCommand() {
        super("tree", "Show the ownership tree of an object (its ReplicaSets, Pods, ...) with their status");
    }

    @Override
    protected String examples() {
        return """
                  # The ReplicaSets and Pods of a Deployment
                  k4j tree deploy/web

                  # The same, by type and name
                  k4j tree deployment web -n shop
                """;
    }

    @Override
    protected int run(Invocation inv) {
        if (inv.args().isEmpty() || inv.args().size() > 2) {
            throw new UsageException("specify one object: TYPE/NAME or TYPE NAME");
        }
        Discovery discovery = inv.discovery();
        List<ResourceArgs.Target> targets = ResourceArgs.parse(inv.args(), discovery);
        if (targets.size() != 1 || targets.get(0).name() == null) {
            throw new UsageException("specify one object: TYPE/NAME or TYPE NAME");
        }
        ApiResource r = targets.get(0).resource();
        KubeClient client = inv.client();
        JsonNode root = Fetch.object(client, r, inv.namespace(), targets.get(0).name());
        if (!root.has("kind")) {
            ((tools.jackson.databind.node.ObjectNode) root).put("kind", r.kind());
        }
        String ns = r.namespaced() ? inv.namespace() : null;
        Map<String, List<JsonNode>> byOwner = new HashMap<>();
        Map<String, ApiResource> seen = new LinkedHashMap<>();
        discovery.category("all").forEach(a -> seen.putIfAbsent(a.qualifiedName(), a));
        OWNED.forEach(n -> discovery.find(n).ifPresent(a -> seen.putIfAbsent(a.qualifiedName(), a)));
        for (ApiResource a : seen.values()) {
            if (!a.namespaced() || !a.supports("list")) {
                continue;
            }
            List<JsonNode> objs;
            try {
                objs = Fetch.list(client, a, ns, null, null);
            } catch (ApiStatusException e) {
                continue; // not allowed to list: not part of the tree
            }
            for (JsonNode o : objs) {
                for (JsonNode ref : list(o, "metadata.ownerReferences")) {
                    byOwner.computeIfAbsent(text(ref, "uid"), k -> new ArrayList<>()).add(o);
                }
            }
        }
        TabWriter w = new TabWriter(2);
        w.write("NAMESPACE\tNAME\tREADY\tREASON\tAGE\n");
        print(w, root, "", "", byOwner, inv.colors(), Instant.now(), 0);
        inv.out().print(w.render());
        return 0;
    }

    private static void print(TabWriter w, JsonNode obj, String prefix, String childPrefix,
                              Map<String, List<JsonNode>> byOwner, Colors c, Instant now, int depth) {
        String[] ready = ready(obj, c);
        w.write(text(obj, "metadata.namespace") + "\t" + prefix + text(obj, "kind") + "/" + text(obj, "metadata.name")
                + "\t" + ready[0] + "\t" + ready[1] + "\t" + Ages.since(text(obj, "metadata.creationTimestamp"), now)
                + "\n");
        if (depth > 20) {
            return; // an ownership cycle
        }
        List<JsonNode> children = new ArrayList<>(byOwner.getOrDefault(text(obj, "metadata.uid"), List.of()));
        children.sort(Comparator.comparing((JsonNode o) -> text(o, "kind")).thenComparing(o -> text(o, "metadata.name")));
        for (int i = 0; i < children.size(); i++) {
            boolean last = i == children.size() - 1;
            print(w, children.get(i), childPrefix + (last ? "└─" : "├─"), childPrefix + (last ? "  " : "│ "),
                    byOwner, c, now, depth + 1);
        }
    }

    /** READY and REASON from the object's Ready condition (kubectl-tree's), coloured. */
    static String[] ready(JsonNode obj, Colors c) {
        for (JsonNode cond : list(obj, "status.conditions")) {
            if (text(cond, "type").equals("Ready")) {
                String s = text(cond, "status");
                String coloured = switch (s) {
                    case "True" -> c.green(s);
                    case "False" -> c.red(s);
                    default -> c.yellow(s);
                };
                return new String[] {coloured, text(cond, "reason")};
            }
        }
        return new String[] {"-", ""};
    }
}
