package io.kube4j.cli.commands.patch;

import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.api.ResourceArgs;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import io.kube4j.cli.commands.apply.WriteOutput;
import io.kube4j.api.patch.PatchMetaTable;
import io.kube4j.api.patch.PatchSchema;
import io.kube4j.api.patch.StrategicMergePatch;
import io.kube4j.api.patch.StrategicMergePatchException;
import io.kube4j.client.ApiStatusException;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code k4j patch TYPE NAME|TYPE/NAME -p PATCH|--patch-file FILE [--type=strategic|merge|json]}: sends the patch (JSON
 * or YAML as typed; sent as JSON) with the matching media type; prints {@code deployment.apps/web patched}, or
 * {@code patched (no change)} when the object's resourceVersion did not move.
 */
@Component
public class PatchCommand extends KubeCommand {

    private static final Map<String, String> TYPES = Map.of(
            "strategic", "application/strategic-merge-patch+json",
            "merge", "application/merge-patch+json",
            "json", "application/json-patch+json");

    PatchCommand() {
        super("patch", "Update fields of a resource");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.string("-p, --patch", "PATCH", null, "The patch to be applied to the resource JSON file.");
        b.string("--patch-file", "FILE", null, "A file containing a patch to be applied to the resource.");
        b.string("--type", "TYPE", "strategic", "The type of patch being provided; one of [json merge strategic]");
        b.string("--field-manager", "NAME", "kubectl-patch", "Name of the manager used to track field ownership.");
        b.string("--subresource", "NAME", null, "If specified, patch will operate on the subresource of the "
                + "requested object (status, scale).");
        WriteOutput.DryRun.declare(b);
        WriteOutput.declareOutput(b);
        b.positionals("(TYPE NAME | TYPE/NAME)", "the object to patch");
    }

    @Override
    protected String examples() {
        return """
                  # Partially update a node using a strategic merge patch, specifying the patch as JSON
                  k4j patch node k8s-node-1 -p '{"spec":{"unschedulable":true}}'

                  # Update a container's image; spec.containers[*].name is required because it's a merge key
                  k4j patch pod valid-pod -p '{"spec":{"containers":[{"name":"kubernetes-serve-hostname","image":"new image"}]}}'

                  # Update a container's image using a JSON patch with positional arrays
                  k4j patch pod valid-pod --type='json' -p='[{"op": "replace", "path": "/spec/containers/0/image", "value":"new image"}]'
                """;
    }

    @Override
    protected int run(Invocation inv) {
        String text = inv.flags().string("patch");
        String file = inv.flags().string("patch-file");
        if (text == null && file == null) {
            throw new UsageException("must specify --patch or --patch-file containing the contents of the patch");
        }
        if (text != null && file != null) {
            throw new UsageException("--patch and --patch-file are mutually exclusive");
        }
        if (file != null) {
            try {
                text = Files.readString(inv.io().path(file));
            } catch (IOException e) {
                throw new CliException("unable to read patch file: " + e.getMessage());
            }
        }
        String type = inv.flags().string("type");
        String media = TYPES.get(type);
        if (media == null) {
            throw new UsageException("--type must be one of [json merge strategic], not \"" + type + "\"");
        }
        JsonNode patch;
        try {
            patch = Codecs.yaml().readTree(text);
        } catch (JacksonException e) {
            throw new CliException("unable to parse \"" + text + "\": " + e.getOriginalMessage());
        }
        if (type.equals("json") ? !patch.isArray() : !patch.isObject()) {
            throw new CliException("unable to parse \"" + text + "\": a " + type + " patch must be a JSON "
                    + (type.equals("json") ? "array" : "object"));
        }
        WriteOutput.DryRun dry = WriteOutput.DryRun.of(inv);
        if (dry == WriteOutput.DryRun.CLIENT && type.equals("json")) {
            throw new UsageException("--dry-run=client is not supported for json patches; use --dry-run=server");
        }
        String format = WriteOutput.format(inv);
        List<ResourceArgs.Target> targets = ResourceArgs.parse(inv.args(), inv.discovery());
        String sub = inv.flags().string("subresource");
        boolean failed = false;
        for (ResourceArgs.Target t : targets) {
            if (t.name() == null) {
                throw new UsageException("resource(s) were provided, but no name was specified");
            }
            String ns = t.resource().namespaced() ? inv.namespace() : null;
            try {
                ObjectNode before = WriteOutput.rest(inv).require(t.resource(), ns, t.name());
                Map<String, String> query = new LinkedHashMap<>(dry.query());
                query.put("fieldManager", inv.flags().string("field-manager"));
                ObjectNode after = dry == WriteOutput.DryRun.CLIENT ? patchLocally(before, type, (ObjectNode) patch)
                        : WriteOutput.rest(inv).patch(t.resource(), ns, sub == null ? t.name() : t.name() + "/" + sub,
                        media, Codecs.json().writeValueAsString(patch), query);
                boolean changed = !before.path("metadata").path("resourceVersion")
                        .equals(after.path("metadata").path("resourceVersion"));
                WriteOutput.print(inv, format, t.resource(), after, changed ? "patched" : "patched (no change)", dry);
            } catch (ApiStatusException e) {
                inv.err().println(KubeCommand.serverError(e));
                failed = true;
            }
        }
        return failed ? 1 : 0;
    }

    /** {@code --dry-run=client}: the patch applied here, as kubectl does (strategic with the kind's patch metadata). */
    private static ObjectNode patchLocally(ObjectNode object, String type, ObjectNode patch) {
        if (type.equals("merge")) {
            ObjectNode out = object.deepCopy();
            mergePatch(out, patch);
            return out;
        }
        PatchSchema schema = PatchMetaTable.builtin().forKind(object.path("apiVersion").asString(""),
                object.path("kind").asString("")).orElseThrow(() -> new CliException("strategic merge patch is not "
                + "supported for " + object.path("kind").asString("") + "; use --type merge"));
        try {
            return StrategicMergePatch.apply(object, patch, schema);
        } catch (StrategicMergePatchException e) {
            throw new CliException(e.getMessage());
        }
    }

    /** RFC 7386: null deletes, objects merge, anything else replaces. */
    private static void mergePatch(ObjectNode target, JsonNode patch) {
        for (String k : patch.propertyNames()) {
            JsonNode v = patch.get(k);
            if (v.isNull()) {
                target.remove(k);
            } else if (v.isObject()) {
                ObjectNode t = target.get(k) instanceof ObjectNode o ? o : target.putObject(k);
                mergePatch(t, v);
            } else {
                target.set(k, v.deepCopy());
            }
        }
    }
}
