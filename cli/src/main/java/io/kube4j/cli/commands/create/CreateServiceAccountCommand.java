package io.kube4j.cli.commands.create;

import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/** {@code k4j create serviceaccount NAME}. */
@Component
public class CreateServiceAccountCommand extends GeneratorCommand {

    CreateServiceAccountCommand() {
        super("create serviceaccount", "Create a service account with the specified name", "v1", "ServiceAccount",
                true);
    }

    @Override
    protected void generatorFlags(Flags.Builder b) {
    }

    @Override
    protected String examples() {
        return "  # Create a new service account named my-service-account\n"
                + "  k4j create serviceaccount my-service-account\n";
    }

    @Override
    protected void build(Invocation inv, String name, ObjectNode o) {
    }
}
