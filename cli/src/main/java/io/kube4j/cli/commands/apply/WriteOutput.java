package io.kube4j.cli.commands.apply;

import io.kube4j.cli.output.GoJson;
import io.kube4j.cli.output.ObjectPrinter;
import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.api.ApiResource;
import io.kube4j.cli.api.ObjectRest;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.UsageException;
import io.kube4j.client.ApiStatusException;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.output.ManagedFields;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the writing commands ({@code apply}, {@code create}, {@code delete}, {@code label}, {@code patch}, ...) print
 * for each object: kubectl's {@code deployment.apps/web created} line, or with {@code -o name|yaml|json} the object
 * (keys sorted, as kubectl prints them: it holds objects as Go maps). Also the {@code --dry-run} flag they share.
 * A small private stand-in for the shared object printer of {@code get} (H1's {@code output} package); the lead may
 * route {@link #printObject} to it.
 */
public final class WriteOutput {

    private WriteOutput() {
    }

    /** kubectl's {@code --dry-run=none|client|server}. */
    public enum DryRun {
        NONE(""), CLIENT(" (dry run)"), SERVER(" (server dry run)");

        private final String suffix;

        DryRun(String suffix) {
            this.suffix = suffix;
        }

        /** What follows the verb in messages: {@code created (dry run)}. */
        public String suffix() {
            return suffix;
        }

        /** The query parameter a server dry run adds ({@code dryRun=All}); none otherwise. */
        public Map<String, String> query() {
            return this == SERVER ? Map.of("dryRun", "All") : Map.of();
        }

        public static void declare(Flags.Builder b) {
            b.string("--dry-run", "STRATEGY", "none", "Must be \"none\", \"server\", or \"client\". If client "
                    + "strategy, only print the object that would be sent, without sending it. If server strategy, "
                    + "submit server-side request without persisting the resource.");
        }

        public static DryRun of(Invocation inv) {
            String v = inv.flags().string("dry-run");
            return switch (v == null ? "none" : v) {
                case "none", "false" -> NONE;
                case "client", "true" -> CLIENT;
                case "server" -> SERVER;
                default -> throw new UsageException("Invalid dry-run value (" + v
                        + "). Must be \"none\", \"server\", or \"client\".");
            };
        }
    }

    /** Declares {@code -o, --output} with the formats the writing commands accept. */
    public static void declareOutput(Flags.Builder b) {
        b.string("-o, --output", "FORMAT", null, "Output format. One of: (json, yaml, name).");
        ManagedFields.declare(b);
    }

    /** The {@code -o} value, checked. */
    public static String format(Invocation inv) {
        String o = inv.flags().string("output");
        if (o == null || o.isEmpty() || o.equals("json") || o.equals("yaml") || o.equals("name")) {
            return o == null || o.isEmpty() ? null : o;
        }
        throw new UsageException("unable to match a printer suitable for the output format \"" + o
                + "\", allowed formats are: json,name,yaml");
    }

    /** Prints one written object: the message line, or the object in {@code format}. */
    public static void print(Invocation inv, String format, ApiResource r, JsonNode object, String verb, DryRun dry) {
        String name = object.path("metadata").path("name").asString("");
        if (format == null) {
            inv.out().println(r.qualifiedKind() + "/" + name + " " + verb + dry.suffix());
        } else {
            printObject(inv, format, r, object);
        }
    }


    /** Prints {@code object} as {@code -o name|yaml|json}; YAML documents after the first are preceded by {@code ---}. */
    public static void printObject(Invocation inv, String format, ApiResource r, JsonNode object) {
        object = withoutManagedFields(inv, object);
        switch (format) {
            case "name" -> inv.out().println(r.qualifiedKind() + "/" + object.path("metadata").path("name").asString(""));
            case "json" -> inv.out().println(json(object));
            default -> inv.out().print(yaml(object));
        }
    }

    /** {@code object} as kubectl prints it: a copy without {@code metadata.managedFields} unless the flag asks. */
    static JsonNode withoutManagedFields(Invocation inv, JsonNode object) {
        boolean show = inv.flags().bool(ManagedFields.FLAG);
        return show || !object.path("metadata").has("managedFields") ? object
                : ManagedFields.omitUnless(false, object.deepCopy());
    }

    /** Prints several objects as kubectl does: one → itself; more → a {@code List} (yaml, json) or lines (name). */
    public static void printObjects(Invocation inv, String format, List<ApiResource> types, List<JsonNode> objects) {
        if (format.equals("name") || objects.size() == 1) {
            for (int i = 0; i < objects.size(); i++) {
                printObject(inv, format, types.get(i), objects.get(i));
            }
            return;
        }
        ObjectNode list = Codecs.json().createObjectNode();
        list.put("apiVersion", "v1");
        ArrayNode items = list.putArray("items");
        objects.forEach(o -> items.add(withoutManagedFields(inv, o)));
        list.put("kind", "List");
        list.putObject("metadata").put("resourceVersion", "");
        printObject(inv, format, null, list);
    }

    /** YAML with sorted keys, as kubectl prints it ({@link ObjectPrinter#yaml}). */
    public static String yaml(JsonNode object) {
        return ObjectPrinter.yaml(object);
    }

    /** JSON as kubectl's {@code -o json}: keys sorted, Go's indent and escapes ({@link GoJson}). */
    public static String json(JsonNode object) {
        return GoJson.indent(ObjectPrinter.sortKeys(object));
    }

    /** A copy of {@code n} with every object's keys in order (Go's map order). */
    public static JsonNode sorted(JsonNode n) {
        return ObjectPrinter.sortKeys(n);
    }

    /** kubectl's line for a failed write of one object: {@code Error from server (Reason): error when creating "f": msg}. */
    public static String errorWhen(ApiStatusException e, String action, String source) {
        String line = KubeCommand.serverError(e);
        int colon = line.indexOf("): ");
        if (source == null || colon < 0) {
            return line;
        }
        return line.substring(0, colon + 3) + "error when " + action + " \"" + source + "\": " + line.substring(colon + 3);
    }

    /** A fresh {@link ObjectRest} on the invocation's client. */
    public static ObjectRest rest(Invocation inv) {
        return new ObjectRest(inv.client());
    }
}
