package io.kube4j.cli.commands.nodes;

import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/** {@code k4j cordon NODE...}: marks nodes unschedulable ({@code node/n cordoned}, {@code node/n already cordoned}). */
@Component
public class CordonCommand extends KubeCommand {

    private final boolean desired;

    public CordonCommand() {
        this("cordon", "Mark node as unschedulable", true);
    }

    CordonCommand(String name, String description, boolean desired) {
        super(name, description);
        this.desired = desired;
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.string("-l, --selector", "SELECTOR", null, "Selector (label query) to filter on");
        b.positionals("NODE", "the nodes");
    }

    @Override
    protected String examples() {
        return "  # Mark node \"foo\" as " + (desired ? "unschedulable" : "schedulable") + "\n  k4j " + getName()
                + " foo";
    }

    @Override
    protected int run(Invocation inv) {
        for (ObjectNode node : Nodes.select(inv, inv.args(), inv.flags().string("selector"), false)) {
            Nodes.cordon(inv, node, desired);
        }
        return 0;
    }
}
