package io.kube4j.cli.output;

import io.kube4j.cli.command.Flags;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * kubectl's rule for {@code metadata.managedFields} in printed objects: its JSON and YAML printers leave them out
 * (OmitManagedFieldsPrinter) unless {@code --show-managed-fields}, on every command that prints objects.
 */
public final class ManagedFields {

    /** The flag's name, as {@code Invocation.flags().bool(...)} reads it. */
    public static final String FLAG = "show-managed-fields";

    private ManagedFields() {
    }

    /** Declares {@code --show-managed-fields}. */
    public static void declare(Flags.Builder b) {
        b.bool("--" + FLAG, "If true, keep the managedFields when printing objects in JSON or YAML format.");
    }

    /** Removes {@code metadata.managedFields} from {@code object} in place unless {@code show}; returns it. */
    public static <T extends JsonNode> T omitUnless(boolean show, T object) {
        if (!show && object.get("metadata") instanceof ObjectNode m) {
            m.remove("managedFields");
        }
        return object;
    }
}
