package io.kube4j.cli.commands.label;

import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.api.ObjectRest;
import io.kube4j.cli.api.ResourceArgs;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import io.kube4j.cli.commands.apply.WriteOutput;
import io.kube4j.client.ApiStatusException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code label} and {@code annotate}: {@code TYPE NAME|TYPE/NAME|TYPE -l SEL|TYPE --all KEY=VAL... KEY-...}. Changes
 * {@code metadata.labels} or {@code metadata.annotations} with a JSON merge patch (with {@code --resource-version}
 * as a precondition); refuses to change an existing value without {@code --overwrite}, with kubectl's message;
 * prints {@code pod/x labeled} (or {@code not labeled} when nothing changes).
 */
abstract class MetadataMapCommand extends KubeCommand {

    private final String field;
    private final String done;

    MetadataMapCommand(String name, String description, String field, String done) {
        super(name, description);
        this.field = field;
        this.done = done;
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.bool("--overwrite", "If true, allow " + field + " to be overwritten, otherwise reject updates that "
                + "overwrite existing " + field + ".");
        b.string("-l, --selector", "SELECTOR", null, "Selector (label query) to filter on.");
        b.bool("--all", "Select all resources, in the namespace of the specified resource types");
        b.bool("-A, --all-namespaces", "If true, check the specified action in all namespaces.");
        b.bool("--list", "If true, display the " + field + " for a given resource.");
        b.string("--resource-version", "VERSION", null, "If non-empty, the update will only succeed if this is the "
                + "current resource-version for the object. Only valid when specifying a single resource.");
        WriteOutput.DryRun.declare(b);
        WriteOutput.declareOutput(b);
        b.positionals("TYPE NAME KEY_1=VAL_1 ... KEY_N=VAL_N", "the objects and the changes");
    }

    @Override
    protected int run(Invocation inv) {
        List<String> resources = new ArrayList<>();
        Map<String, String> set = new LinkedHashMap<>();
        List<String> remove = new ArrayList<>();
        for (String a : inv.args()) {
            int eq = a.indexOf('=');
            if (eq > 0) {
                set.put(a.substring(0, eq), a.substring(eq + 1));
            } else if (a.endsWith("-") && a.length() > 1 && !resources.isEmpty()) {
                remove.add(a.substring(0, a.length() - 1));
            } else if (!set.isEmpty() || !remove.isEmpty()) {
                throw new UsageException("all resources must be specified before " + field + " changes: " + a);
            } else {
                resources.add(a);
            }
        }
        boolean list = inv.flags().bool("list");
        if (resources.isEmpty()) {
            throw new UsageException("one or more resources must be specified as <resource> <name> or "
                    + "<resource>/<name>");
        }
        if (set.isEmpty() && remove.isEmpty() && !list) {
            throw new UsageException("at least one " + field.substring(0, field.length() - 1) + " update is required");
        }
        for (String k : remove) {
            if (set.containsKey(k)) {
                throw new UsageException("can not both modify and remove the following " + field
                        + " in the same command: " + k);
            }
        }
        String selector = inv.flags().string("selector");
        boolean all = inv.flags().bool("all");
        WriteOutput.DryRun dry = WriteOutput.DryRun.of(inv);
        String format = WriteOutput.format(inv);
        ObjectRest rest = WriteOutput.rest(inv);
        List<ResourceArgs.Target> targets = ResourceArgs.parse(resources, inv.discovery());
        List<ObjectNode> objects = new ArrayList<>();
        List<io.kube4j.cli.api.ApiResource> types = new ArrayList<>();
        boolean failed = false;
        for (ResourceArgs.Target t : targets) {
            String ns = t.resource().namespaced() && !inv.flags().bool("all-namespaces") ? inv.namespace() : null;
            if (t.name() != null) {
                try {
                    objects.add(rest.require(t.resource(), t.resource().namespaced() ? inv.namespace() : null,
                            t.name()));
                    types.add(t.resource());
                } catch (ApiStatusException e) {
                    inv.err().println(KubeCommand.serverError(e));
                    failed = true;
                }
            } else if (selector != null || all) {
                for (JsonNode item : rest.list(t.resource(), ns, selector, null).path("items")) {
                    objects.add((ObjectNode) item);
                    types.add(t.resource());
                }
            } else {
                throw new UsageException("resource(s) were provided, but no name was specified");
            }
        }
        String rv = inv.flags().string("resource-version");
        if (rv != null && objects.size() > 1) {
            throw new UsageException("--resource-version may only be used with a single resource");
        }
        for (int i = 0; i < objects.size(); i++) {
            ObjectNode o = objects.get(i);
            io.kube4j.cli.api.ApiResource r = types.get(i);
            JsonNode current = o.path("metadata").path(field);
            if (list) {
                current.propertyNames().stream().sorted()
                        .forEach(k -> inv.out().println(k + "=" + current.get(k).asString()));
                continue;
            }
            String name = o.path("metadata").path("name").asString();
            try {
                if (!inv.flags().bool("overwrite")) {
                    for (Map.Entry<String, String> e : set.entrySet()) {
                        JsonNode cur = current.get(e.getKey());
                        if (cur != null && !cur.asString().equals(e.getValue())) {
                            throw new CliException("'" + e.getKey() + "' already has a value (" + cur.asString()
                                    + "), and --overwrite is false");
                        }
                    }
                }
                ObjectNode changes = Codecs.json().createObjectNode();
                set.forEach((k, v) -> {
                    if (!v.equals(current.path(k).asString(null))) {
                        changes.put(k, v);
                    }
                });
                for (String k : remove) {
                    if (current.has(k)) {
                        changes.putNull(k);
                    } else {
                        inv.out().println(field.substring(0, field.length() - 1) + " \"" + k + "\" not found.");
                    }
                }
                if (changes.isEmpty() && rv == null) {
                    WriteOutput.print(inv, format, r, o, "not " + done, dry);
                    continue;
                }
                ObjectNode patch = Codecs.json().createObjectNode();
                ObjectNode meta = patch.putObject("metadata");
                meta.set(field, changes);
                if (rv != null) {
                    meta.put("resourceVersion", rv);
                }
                String ns = o.path("metadata").path("namespace").asString(null);
                ObjectNode result = dry == WriteOutput.DryRun.CLIENT ? o
                        : rest.patch(r, ns, name, "application/merge-patch+json",
                        Codecs.json().writeValueAsString(patch), dry.query());
                WriteOutput.print(inv, format, r, result, done, dry);
            } catch (ApiStatusException e) {
                inv.err().println(KubeCommand.serverError(e));
                failed = true;
            } catch (CliException e) {
                inv.err().println("error: " + e.getMessage());
                failed = true;
            }
        }
        return failed ? 1 : 0;
    }
}
