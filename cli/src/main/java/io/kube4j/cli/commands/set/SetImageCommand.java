package io.kube4j.cli.commands.set;

import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.api.ApiResource;
import io.kube4j.cli.api.ResourceArgs;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import io.kube4j.cli.commands.apply.WriteOutput;
import io.kube4j.api.patch.PatchMetaTable;
import io.kube4j.api.patch.PatchSchema;
import io.kube4j.api.patch.StrategicMergePatch;
import io.kube4j.api.patch.StrategicMergePatchDiff;
import io.kube4j.client.ApiStatusException;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code k4j set image (TYPE NAME | TYPE/NAME) CONTAINER=IMAGE ... [*=IMAGE]}: a strategic merge patch of the pod
 * template's containers (merge key {@code name}), for pods, deployments, replica sets, stateful sets, daemon sets,
 * jobs, cron jobs and replication controllers; prints {@code deployment.apps/web image updated}. The patch sent is
 * kubectl's: the two-way patch from the object read to the object changed, field manager {@code kubectl-set}.
 */
@Component
public class SetImageCommand extends KubeCommand {

    SetImageCommand() {
        super("set image", "Update the image of a pod template");
    }

    /** kubectl set's field manager. */
    static final String FIELD_MANAGER = "kubectl-set";

    @Override
    protected void flags(Flags.Builder b) {
        b.string("-l, --selector", "SELECTOR", null, "Selector (label query) to filter on.");
        b.bool("--all", "Select all resources, in the namespace of the specified resource types");
        WriteOutput.DryRun.declare(b);
        WriteOutput.declareOutput(b);
        b.positionals("(TYPE NAME | TYPE/NAME) CONTAINER_NAME_1=CONTAINER_IMAGE_1 ...", "what to change");
    }

    @Override
    protected String examples() {
        return """
                  # Set a deployment's nginx container image to 'nginx:1.9.1', and its busybox container image to 'busybox'
                  k4j set image deployment/nginx busybox=busybox nginx=nginx:1.9.1

                  # Update image of all containers of deployment nginx to 'nginx:1.9.1'
                  k4j set image deployment nginx *=nginx:1.9.1
                """;
    }

    @Override
    protected int run(Invocation inv) {
        List<String> resources = new ArrayList<>();
        Map<String, String> images = new LinkedHashMap<>();
        for (String a : inv.args()) {
            int eq = a.indexOf('=');
            if (eq > 0) {
                images.put(a.substring(0, eq), a.substring(eq + 1));
            } else {
                resources.add(a);
            }
        }
        if (resources.isEmpty()) {
            throw new UsageException("one or more resources must be specified as <resource> <name> or "
                    + "<resource>/<name>");
        }
        if (images.isEmpty()) {
            throw new UsageException("at least one image update is required");
        }
        WriteOutput.DryRun dry = WriteOutput.DryRun.of(inv);
        String format = WriteOutput.format(inv);
        List<ResourceArgs.Target> targets = ResourceArgs.parse(resources, inv.discovery());
        List<ObjectNode> objects = new ArrayList<>();
        List<ApiResource> types = new ArrayList<>();
        boolean failed = false;
        for (ResourceArgs.Target t : targets) {
            String ns = t.resource().namespaced() ? inv.namespace() : null;
            try {
                if (t.name() != null) {
                    objects.add(WriteOutput.rest(inv).require(t.resource(), ns, t.name()));
                    types.add(t.resource());
                } else if (inv.flags().bool("all") || inv.flags().string("selector") != null) {
                    for (JsonNode item : WriteOutput.rest(inv).list(t.resource(), ns, inv.flags().string("selector"),
                            null).path("items")) {
                        objects.add((ObjectNode) item);
                        types.add(t.resource());
                    }
                } else {
                    throw new UsageException("resource(s) were provided, but no name was specified");
                }
            } catch (ApiStatusException e) {
                inv.err().println(KubeCommand.serverError(e));
                failed = true;
            }
        }
        for (int i = 0; i < objects.size(); i++) {
            ObjectNode o = objects.get(i);
            ApiResource r = types.get(i);
            String name = o.path("metadata").path("name").asString();
            List<String> path = podSpecPath(r.kind());
            if (path == null) {
                inv.err().println("error: " + r.qualifiedKind() + "/" + name + " has no pod template: set image "
                        + "works on pods, deployments, replica sets, stateful sets, daemon sets, jobs and cron jobs");
                failed = true;
                continue;
            }
            JsonNode spec = o;
            for (String p : path) {
                spec = spec.path(p);
            }
            ObjectNode podPatch = Codecs.json().createObjectNode();
            boolean matched = false;
            boolean changed = false;
            for (String list : List.of("initContainers", "containers")) {
                ArrayNode patched = Codecs.json().createArrayNode();
                for (JsonNode c : spec.path(list)) {
                    String cname = c.path("name").asString();
                    String image = images.containsKey(cname) ? images.get(cname) : images.get("*");
                    if (image != null) {
                        matched = true;
                        if (!image.equals(c.path("image").asString())) {
                            changed = true;
                            patched.addObject().put("image", image).put("name", cname);
                        }
                    }
                }
                if (!patched.isEmpty()) {
                    podPatch.set(list, patched);
                }
            }
            for (String c : images.keySet()) {
                if (!c.equals("*") && !hasContainer(spec, c)) {
                    inv.err().println("error: unable to find container named \"" + c + "\"");
                    failed = true;
                    matched = false;
                }
            }
            if (!matched) {
                failed = true;
                continue;
            }
            if (!changed) {
                inv.err().println("info: " + r.qualifiedKind() + "/" + name + " was not changed");
                continue;
            }
            ObjectNode patch = Codecs.json().createObjectNode();
            ObjectNode at = patch;
            for (String p : path) {
                at = at.putObject(p);
            }
            at.setAll(podPatch);
            try {
                // kubectl changes the object, then sends the two-way patch from the old object to the new one
                // (with $setElementOrder/containers), as field manager kubectl-set
                PatchSchema schema = PatchMetaTable.builtin().forKind(o.path("apiVersion").asString(""), o.path("kind")
                        .asString("")).orElse(PatchSchema.generic());
                ObjectNode modified = StrategicMergePatch.apply(o, patch, schema);
                ObjectNode twoWay = StrategicMergePatchDiff.createTwoWay(o, modified, schema);
                String ns = o.path("metadata").path("namespace").asString(null);
                Map<String, String> query = new LinkedHashMap<>(dry.query());
                query.put("fieldManager", FIELD_MANAGER);
                ObjectNode result = dry == WriteOutput.DryRun.CLIENT ? modified
                        : WriteOutput.rest(inv).patch(r, ns, name, "application/strategic-merge-patch+json",
                        Codecs.json().writeValueAsString(twoWay), query);
                WriteOutput.print(inv, format, r, result, "image updated", dry);
            } catch (ApiStatusException e) {
                inv.err().println(KubeCommand.serverError(e));
                failed = true;
            }
        }
        return failed ? 1 : 0;
    }

    private static boolean hasContainer(JsonNode spec, String name) {
        for (String list : List.of("initContainers", "containers")) {
            for (JsonNode c : spec.path(list)) {
                if (c.path("name").asString().equals(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Where a kind keeps its pod spec; null when it has none. */
    static List<String> podSpecPath(String kind) {
        return switch (kind) {
            case "Pod" -> List.of("spec");
            case "CronJob" -> List.of("spec", "jobTemplate", "spec", "template", "spec");
            case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController",
                 "PodTemplate" -> kind.equals("PodTemplate") ? List.of("template", "spec")
                    : List.of("spec", "template", "spec");
            default -> null;
        };
    }
}
