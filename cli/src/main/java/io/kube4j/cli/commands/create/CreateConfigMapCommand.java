package io.kube4j.cli.commands.create;

import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Map;

/** {@code k4j create configmap NAME --from-literal=k=v --from-file=...}; non-UTF-8 files go to {@code binaryData}. */
@Component
public class CreateConfigMapCommand extends GeneratorCommand {

    CreateConfigMapCommand() {
        super("create configmap", "Create a config map from a local file, directory or literal value", "v1",
                "ConfigMap", true);
    }

    @Override
    protected void generatorFlags(Flags.Builder b) {
        DataSources.declare(b);
    }

    @Override
    protected String examples() {
        return """
                  # Create a new config map named my-config with key1=config1 and key2=config2
                  k4j create configmap my-config --from-literal=key1=config1 --from-literal=key2=config2

                  # Create a new config map named my-config from the files of a directory
                  k4j create configmap my-config --from-file=path/to/bar
                """;
    }

    @Override
    protected void build(Invocation inv, String name, ObjectNode o) {
        Map<String, byte[]> data = DataSources.read(inv, "Data for ConfigMap \"" + name + "\"");
        ObjectNode text = null;
        ObjectNode binary = null;
        for (Map.Entry<String, byte[]> e : data.entrySet()) {
            try {
                String s = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(e.getValue())).toString();
                text = text == null ? o.putObject("data") : text;
                text.put(e.getKey(), s);
            } catch (CharacterCodingException notText) {
                binary = binary == null ? o.putObject("binaryData") : binary;
                binary.put(e.getKey(), Base64.getEncoder().encodeToString(e.getValue()));
            }
        }
    }
}
