package io.kube4j.cli.commands.create;

import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

import java.util.Base64;
import java.util.Map;

/** {@code k4j create secret generic NAME --from-literal=k=v --from-file=... [--type=T]}. */
@Component
public class CreateSecretGenericCommand extends GeneratorCommand {

    CreateSecretGenericCommand() {
        super("create secret generic", "Create a secret from a local file, directory, or literal value", "v1",
                "Secret", true);
    }

    @Override
    protected void generatorFlags(Flags.Builder b) {
        DataSources.declare(b);
        b.string("--type", "TYPE", null, "The type of secret to create");
    }

    @Override
    protected String examples() {
        return """
                  # Create a new secret named my-secret with key1=supersecret and key2=topsecret
                  k4j create secret generic my-secret --from-literal=key1=supersecret --from-literal=key2=topsecret
                """;
    }

    @Override
    protected void build(Invocation inv, String name, ObjectNode o) {
        Map<String, byte[]> data = DataSources.read(inv, "Data for Secret \"" + name + "\"");
        if (!data.isEmpty()) {
            ObjectNode d = o.putObject("data");
            data.forEach((k, v) -> d.put(k, Base64.getEncoder().encodeToString(v)));
        }
        String type = inv.flags().string("type");
        if (type != null && !type.isEmpty()) {
            o.put("type", type);
        }
    }
}
