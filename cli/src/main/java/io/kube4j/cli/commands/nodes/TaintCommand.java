package io.kube4j.cli.commands.nodes;

import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import io.kube4j.client.PatchType;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code k4j taint nodes NODE key=value:Effect key:Effect- key-}: adds and removes node taints with kubectl's
 * checks and messages ({@code node/n tainted}, {@code untainted}, {@code modified}).
 */
@Component
public class TaintCommand extends KubeCommand {

    public TaintCommand() {
        super("taint", "Update the taints on one or more nodes");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.bool("--overwrite", "If true, allow taints to be overwritten, otherwise reject taint updates that overwrite "
                + "existing taints.");
        b.bool("--all", "Select all nodes in the cluster");
        b.string("-l, --selector", "SELECTOR", null, "Selector (label query) to filter on");
        b.positionals("NODE NAME KEY_1=VAL_1:TAINT_EFFECT_1 ... KEY_N=VAL_N:TAINT_EFFECT_N", "");
    }

    @Override
    protected String examples() {
        return "  # Update node 'foo' with a taint with key 'dedicated' and value 'special-user' and effect "
                + "'NoSchedule'\n  k4j taint nodes foo dedicated=special-user:NoSchedule\n\n"
                + "  # Remove from node 'foo' the taint with key 'dedicated' and effect 'NoSchedule' if one exists\n"
                + "  k4j taint nodes foo dedicated:NoSchedule-\n\n"
                + "  # Remove from node 'foo' all the taints with key 'dedicated'\n  k4j taint nodes foo dedicated-";
    }

    @Override
    protected int run(Invocation inv) {
        List<String> resources = new ArrayList<>();
        List<String> specs = new ArrayList<>();
        for (String a : inv.args()) {
            if (Taints.isSpec(a)) {
                specs.add(a);
            } else if (!specs.isEmpty()) {
                throw new UsageException("all resources must be specified before taint changes: " + a);
            } else {
                resources.add(a);
            }
        }
        if (specs.isEmpty()) {
            throw new UsageException("at least one taint update is required");
        }
        if (resources.isEmpty()) {
            throw new UsageException("you must specify the type of resource to taint: nodes");
        }
        List<String> names;
        if (resources.get(0).contains("/")) {
            names = resources;
        } else {
            String type = resources.get(0);
            if (!inv.discovery().resolve(type).plural().equals("nodes")) {
                throw new UsageException("invalid resource type " + type + ", only node types are supported");
            }
            names = resources.subList(1, resources.size());
        }
        boolean all = inv.flags().bool("all");
        if (names.isEmpty() && !all && inv.flags().string("selector") == null) {
            throw new UsageException("resource(s) were provided, but no name was specified");
        }
        Taints.Changes changes = Taints.parse(specs);
        for (ObjectNode node : Nodes.select(inv, names, inv.flags().string("selector"), all)) {
            String name = Nodes.name(node);
            List<Taints.Taint> old = new ArrayList<>();
            for (JsonNode t : node.path("spec").path("taints")) {
                old.add(new Taints.Taint(t.path("key").asString(""), t.path("value").asString(""),
                        t.path("effect").asString("")));
            }
            Taints.Result r = Taints.apply(name, old, changes, inv.flags().bool("overwrite"));
            ObjectNode patch = Codecs.json().createObjectNode();
            ObjectNode spec = patch.putObject("spec");
            if (r.taints().isEmpty()) {
                spec.putNull("taints");
            } else {
                ArrayNode arr = spec.putArray("taints");
                for (Taints.Taint t : r.taints()) {
                    ObjectNode o = arr.addObject().put("key", t.key());
                    if (!t.value().isEmpty()) {
                        o.put("value", t.value());
                    }
                    o.put("effect", t.effect());
                    // keep timeAdded of taints that were there
                    for (JsonNode prior : node.path("spec").path("taints")) {
                        if (prior.path("key").asString("").equals(t.key())
                                && prior.path("effect").asString("").equals(t.effect())
                                && prior.path("value").asString("").equals(t.value()) && prior.has("timeAdded")) {
                            o.set("timeAdded", prior.get("timeAdded"));
                        }
                    }
                }
            }
            Nodes.client(inv).patch(null, name, PatchType.MERGE, patch.toString()).block(Nodes.CALL);
            inv.out().println("node/" + name + " " + r.operation());
        }
        return 0;
    }
}
