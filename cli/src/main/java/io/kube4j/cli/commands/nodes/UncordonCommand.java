package io.kube4j.cli.commands.nodes;

import org.springframework.stereotype.Component;

/** {@code k4j uncordon NODE...}: marks nodes schedulable again. */
@Component
public class UncordonCommand extends CordonCommand {

    public UncordonCommand() {
        super("uncordon", "Mark node as schedulable", false);
    }
}
