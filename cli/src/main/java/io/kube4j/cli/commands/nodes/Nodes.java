package io.kube4j.cli.commands.nodes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.api.ApiResource;
import io.kube4j.cli.api.ResourceArgs;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.UsageException;
import io.kube4j.client.ListOptions;
import io.kube4j.client.PatchType;
import io.kube4j.client.ResourceClient;
import tools.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What cordon, uncordon, drain and taint share: the nodes their arguments name ({@code NODE...},
 * {@code node/NODE}, {@code -l}), as Jackson trees, and marking a node (un)schedulable with kubectl's messages.
 */
final class Nodes {

    static final Duration CALL = Duration.ofSeconds(60);

    private Nodes() {
    }

    static ApiResource resource(Invocation inv) {
        return inv.discovery().resolve("nodes");
    }

    static ResourceClient<GenericKubernetesResource> client(Invocation inv) {
        return inv.client().dynamic(resource(inv).toResourceType());
    }

    static ObjectNode tree(GenericKubernetesResource g) {
        return (ObjectNode) Codecs.json().valueToTree(g);
    }

    static String name(ObjectNode node) {
        return node.path("metadata").path("name").asString();
    }

    /** The nodes named by {@code names} (plain names or {@code node/NAME}), or selected by {@code selector}. */
    static List<ObjectNode> select(Invocation inv, List<String> names, String selector, boolean all) {
        boolean bySelector = selector != null && !selector.isBlank();
        if (names.isEmpty() && !bySelector && !all) {
            throw new UsageException("USAGE: " + inv.command() + " NODE [flags]");
        }
        if (!names.isEmpty() && bySelector) {
            throw new UsageException("cannot specify both a node name and a --selector option");
        }
        ResourceClient<GenericKubernetesResource> rc = client(inv);
        List<ObjectNode> out = new ArrayList<>();
        if (names.isEmpty()) {
            ListOptions o = bySelector ? ListOptions.all().withLabelSelector(selector) : ListOptions.all();
            rc.list(null, o).block(CALL).getItems().stream().map(Nodes::tree)
                    .sorted(Comparator.comparing(Nodes::name)).forEach(out::add);
            if (out.isEmpty()) {
                throw new CliException("no nodes found");
            }
            return out;
        }
        for (String n : names) {
            String name = n;
            if (n.contains("/")) {
                ResourceArgs.Target t = ResourceArgs.parse(List.of(n), inv.discovery()).get(0);
                if (!t.resource().plural().equals("nodes") || !t.resource().group().isEmpty()) {
                    throw new CliException("expected resource of type node, got \"" + t.resource().qualifiedName()
                            + "\"");
                }
                name = t.name();
            }
            out.add(tree(rc.get(null, name).block(CALL)));
        }
        return out;
    }

    /**
     * Marks {@code node} (un)schedulable unless it already is: kubectl's {@code node/n cordoned} or
     * {@code node/n already cordoned}.
     */
    static void cordon(Invocation inv, ObjectNode node, boolean desired) {
        String word = desired ? "cordoned" : "uncordoned";
        boolean current = node.path("spec").path("unschedulable").asBoolean(false);
        if (current == desired) {
            inv.out().println("node/" + name(node) + " already " + word);
            return;
        }
        client(inv).patch(null, name(node), PatchType.MERGE,
                "{\"spec\":{\"unschedulable\":" + (desired ? "true" : "null") + "}}").block(CALL);
        inv.out().println("node/" + name(node) + " " + word);
    }
}
