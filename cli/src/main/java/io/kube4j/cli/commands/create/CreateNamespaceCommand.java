package io.kube4j.cli.commands.create;

import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/** {@code k4j create namespace NAME}. */
@Component
public class CreateNamespaceCommand extends GeneratorCommand {

    CreateNamespaceCommand() {
        super("create namespace", "Create a namespace with the specified name", "v1", "Namespace", false);
    }

    @Override
    protected void generatorFlags(Flags.Builder b) {
    }

    @Override
    protected String examples() {
        return "  # Create a new namespace named my-namespace\n  k4j create namespace my-namespace\n";
    }

    @Override
    protected void build(Invocation inv, String name, ObjectNode o) {
        o.putObject("spec");
        o.putObject("status");
    }
}
