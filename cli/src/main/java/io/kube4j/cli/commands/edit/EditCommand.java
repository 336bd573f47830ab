package io.kube4j.cli.commands.edit;

import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.api.ApiResource;
import io.kube4j.cli.api.ObjectRest;
import io.kube4j.cli.api.ResourceArgs;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import io.kube4j.cli.commands.apply.ThreeWayMerge;
import io.kube4j.cli.commands.apply.WriteOutput;
import io.kube4j.api.patch.PatchMetaTable;
import io.kube4j.api.patch.PatchSchema;
import io.kube4j.api.patch.StrategicMergePatchDiff;
import io.kube4j.api.patch.StrategicMergePatchException;
import io.kube4j.client.ApiStatusException;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code k4j edit (TYPE NAME | TYPE/NAME)}: the object as YAML in a temporary file, opened in {@code $KUBE_EDITOR},
 * else {@code $EDITOR}, else {@code vi} (run through {@code sh -c} with the terminal); the change is sent as kubectl
 * sends it, a strategic merge patch from the object as read to the edited one, so what others changed meanwhile is
 * kept. An edit the YAML parser or
 * the server refuses reopens the editor with the error as comments at the top, as kubectl does; saving it unchanged
 * gives up (exit 1, the edit kept in a file whose name is printed).
 */
@Component
public class EditCommand extends KubeCommand {

    /** kubectl edit's field manager. */
    static final String FIELD_MANAGER = "kubectl-edit";
    private static final String HEADER = """
            # Please edit the object below. Lines beginning with a '#' will be ignored,
            # and an empty file will abort the edit. If an error occurs while saving this file will be
            # reopened with the relevant failures.
            #
            """;

    EditCommand() {
        super("edit", "Edit a resource on the server");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.string("-o, --output", "FORMAT", "yaml", "Output format of the file to edit: yaml or json.");
        b.positionals("(TYPE NAME | TYPE/NAME)", "the object to edit");
    }

    @Override
    protected String examples() {
        return """
                  # Edit the service named 'registry'
                  k4j edit svc/registry

                  # Use an alternative editor
                  KUBE_EDITOR="nano" k4j edit svc/registry
                """;
    }

    @Override
    protected int run(Invocation inv) throws Exception {
        List<ResourceArgs.Target> targets = ResourceArgs.parse(inv.args(), inv.discovery());
        String output = inv.flags().string("output");
        if (!output.equals("yaml") && !output.equals("json")) {
            throw new UsageException("the edit mode must be yaml or json, not " + output);
        }
        int code = 0;
        for (ResourceArgs.Target t : targets) {
            if (t.name() == null) {
                throw new UsageException("edit needs a name: TYPE NAME or TYPE/NAME");
            }
            code = Math.max(code, edit(inv, t.resource(), t.resource().namespaced() ? inv.namespace() : null,
                    t.name(), output.equals("json")));
        }
        return code;
    }

    private int edit(Invocation inv, ApiResource r, String ns, String name, boolean json) throws Exception {
        ObjectRest rest = WriteOutput.rest(inv);
        ObjectNode original = rest.require(r, ns, name);
        String body = json ? WriteOutput.json(original) + "\n" : WriteOutput.yaml(original);
        Path file = Files.createTempFile("k4j-edit-", json ? ".json" : ".yaml");
        try {
            String errors = "";
            String previous = null;
            while (true) {
                Files.writeString(file, HEADER + errors + body, StandardCharsets.UTF_8);
                runEditor(inv, file);
                String edited = Files.readString(file, StandardCharsets.UTF_8);
                String content = stripComments(edited);
                if (content.isBlank()) {
                    inv.err().println("Edit cancelled, saved file was empty.");
                    return 0;
                }
                if (previous == null && content.equals(stripComments(body))) {
                    inv.err().println("Edit cancelled, no changes made.");
                    return 0;
                }
                if (content.equals(previous)) {
                    Path kept = Files.createTempFile("k4j-edit-", json ? ".json" : ".yaml");
                    Files.writeString(kept, edited);
                    inv.err().println("error: Edit cancelled, no valid changes were saved.");
                    inv.err().println("A copy of your changes has been stored to \"" + kept + "\"");
                    return 1;
                }
                previous = content;
                body = content;
                String problem;
                try {
                    JsonNode parsed = Codecs.yaml().readTree(content);
                    if (!(parsed instanceof ObjectNode edit)) {
                        throw new CliException("the edited file is not an object");
                    }
                    ObjectNode saved = save(rest, r, ns, name, original, edit);
                    if (saved == null) {
                        inv.err().println("Edit cancelled, no changes made.");
                    } else {
                        inv.out().println(r.qualifiedKind() + "/" + name + " edited");
                    }
                    return 0;
                } catch (JacksonException e) {
                    problem = "error: " + e.getOriginalMessage();
                } catch (ApiStatusException e) {
                    problem = KubeCommand.serverError(e);
                } catch (CliException e) {
                    problem = "error: " + e.getMessage();
                }
                errors = "# " + r.qualifiedName() + " \"" + name + "\" was not valid:\n"
                        + problem.lines().map(l -> "# * " + l).collect(Collectors.joining("\n")) + "\n#\n";
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Sends the user's change as kubectl does: a PATCH with the two-way strategic merge patch from the object as read
     * to the edited one (a JSON merge patch for kinds without patch metadata), field manager {@code kubectl-edit}.
     * Fields others changed meanwhile are kept, so there is no conflict to retry. Null when the edit changes nothing.
     */
    private static ObjectNode save(ObjectRest rest, ApiResource r, String ns, String name, ObjectNode original,
                                   ObjectNode edited) {
        Optional<PatchSchema> schema = PatchMetaTable.builtin().forKind(original.path("apiVersion").asString(""),
                original.path("kind").asString(""));
        ObjectNode patch;
        try {
            patch = schema.isPresent() ? StrategicMergePatchDiff.createTwoWay(original, edited, schema.get())
                    : ThreeWayMerge.patch(original, edited, original);
        } catch (StrategicMergePatchException e) {
            throw new CliException(e.getMessage());
        }
        if (patch.isEmpty()) {
            return null;
        }
        // kubectl's preconditions (RequireKeyUnchanged apiVersion, kind; RequireMetadataKeyUnchanged name)
        if (patch.has("apiVersion") || patch.has("kind") || patch.path("metadata").has("name")) {
            throw new CliException("At least one of apiVersion, kind and name was changed");
        }
        return rest.patch(r, ns, name, schema.isPresent() ? "application/strategic-merge-patch+json"
                : "application/merge-patch+json", Codecs.json().writeValueAsString(patch), Map.of("fieldManager", FIELD_MANAGER));
    }

    private static String stripComments(String text) {
        return text.lines().filter(l -> !l.startsWith("#")).collect(Collectors.joining("\n", "", "\n"))
                .stripLeading();
    }

    private static void runEditor(Invocation inv, Path file) throws IOException, InterruptedException {
        String editor = inv.io().env("KUBE_EDITOR");
        if (editor == null || editor.isBlank()) {
            editor = inv.io().env("EDITOR");
        }
        if (editor == null || editor.isBlank()) {
            editor = "vi";
        }
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", editor + " \"$1\"", "k4j-editor", file.toString());
        pb.environment().clear();
        pb.environment().putAll(inv.io().env());
        pb.directory(inv.io().workingDir().toFile());
        if (inv.io().terminal()) {
            pb.inheritIO();
        } else {
            pb.redirectInput(ProcessBuilder.Redirect.INHERIT);
            pb.redirectErrorStream(true);
        }
        Process p = pb.start();
        if (!inv.io().terminal()) {
            inv.err().write(p.getInputStream().readAllBytes());
        }
        int code = p.waitFor();
        if (code != 0) {
            throw new CliException("there was a problem with the editor \"" + editor + "\" (exit " + code + ")");
        }
    }
}
