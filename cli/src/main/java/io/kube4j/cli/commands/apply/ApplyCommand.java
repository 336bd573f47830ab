package io.kube4j.cli.commands.apply;

import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.api.ApiResource;
import io.kube4j.cli.api.Manifests;
import io.kube4j.cli.api.ObjectRest;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import io.kube4j.api.patch.PatchMetaTable;
import io.kube4j.api.patch.PatchSchema;
import io.kube4j.api.patch.StrategicMergePatch;
import io.kube4j.api.patch.StrategicMergePatchConflictException;
import io.kube4j.api.patch.StrategicMergePatchDiff;
import io.kube4j.api.patch.StrategicMergePatchException;
import io.kube4j.client.ApiStatusException;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code k4j apply -f FILE|DIR|URL|- [-R]}: creates what does not exist and patches what does, kubectl's client-side
 * way — the {@code kubectl.kubernetes.io/last-applied-configuration} annotation holds what was applied, and a
 * three-way patch removes what was removed from the file and keeps what others set: for built-in kinds the strategic
 * merge patch kubectl computes ({@link StrategicMergePatchDiff#createThreeWay}, lists merged by key), for kinds without
 * patch metadata (custom resources) a JSON merge patch ({@link ThreeWayMerge}), as kubectl. Requests carry kubectl's
 * {@code fieldManager=kubectl-client-side-apply&fieldValidation=Strict}, so objects kubectl applied can be applied by
 * k4j and the other way round. {@code --server-side} sends an apply patch ({@code application/apply-patch+yaml}, field
 * manager {@code kubectl} unless {@code --field-manager}) and prints kubectl's conflict hints.
 */
@Component
public class ApplyCommand extends KubeCommand {

    /** The annotation kubectl keeps the applied configuration in. */
    public static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    private static final String MERGE_PATCH = "application/merge-patch+json";
    private static final String STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json";
    private static final String APPLY_PATCH = "application/apply-patch+yaml";
    /** kubectl's default field manager of apply; server-side apply uses {@link #SERVER_SIDE_MANAGER} in its place. */
    static final String CLIENT_SIDE_MANAGER = "kubectl-client-side-apply";
    static final String SERVER_SIDE_MANAGER = "kubectl";

    /** kubectl's advice after a server-side apply conflict (apply.go), printed after the server's message. */
    static final String CONFLICT_HINT = """
            Please review the fields above--they currently have other managers. Here
            are the ways you can resolve this warning:
            * If you intend to manage all of these fields, please re-run the apply
              command with the `--force-conflicts` flag.
            * If you do not intend to manage all of the fields, please edit your
              manifest to remove references to the fields that should keep their
              current managers.
            * You may co-own fields by updating your manifest to match the existing
              value; in this case, you'll become the manager if the other manager(s)
              stop managing the field (remove it from their configuration).
            See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts""";

    ApplyCommand() {
        super("apply", "Apply a configuration to a resource by file name or stdin");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.repeated("-f, --filename", "FILE", "The files that contain the configurations to apply (- for stdin)");
        b.bool("-R, --recursive", "Process the directory used in -f, --filename recursively");
        WriteOutput.DryRun.declare(b);
        WriteOutput.declareOutput(b);
        b.boolDefaultTrue("--overwrite", "Automatically resolve conflicts between the modified and live "
                + "configuration by using values from the modified configuration");
        b.bool("--server-side", "If true, apply runs in the server instead of the client.");
        b.string("--field-manager", "NAME", CLIENT_SIDE_MANAGER, "Name of the manager used to track field ownership.");
        b.bool("--force-conflicts", "If true, server-side apply will force the changes against conflicts.");
        b.positionals("", "");
    }

    @Override
    protected String examples() {
        return """
                  # Apply the configuration in pod.json to a pod
                  k4j apply -f ./pod.json

                  # Apply every manifest of a directory and its sub-directories
                  k4j apply -R -f ./manifests/

                  # Apply the JSON passed into stdin to a pod
                  cat pod.json | k4j apply -f -
                """;
    }

    @Override
    protected int run(Invocation inv) {
        if (!inv.args().isEmpty()) {
            throw new UsageException("Unexpected args: " + inv.args());
        }
        WriteOutput.DryRun dry = WriteOutput.DryRun.of(inv);
        String format = WriteOutput.format(inv);
        boolean serverSide = inv.flags().bool("server-side");
        List<Manifests.Document> docs = Manifests.read(inv.flags().repeated("filename"),
                inv.flags().bool("recursive"), inv.io());
        if (docs.isEmpty()) {
            throw new CliException("no objects passed to apply");
        }
        ObjectRest rest = WriteOutput.rest(inv);
        boolean failed = false;
        for (Manifests.Document doc : docs) {
            try {
                ApiResource r = Targets.resourceOf(inv, doc);
                String ns = Targets.namespaceOf(inv, r, doc);
                if (serverSide) {
                    serverSideApply(inv, rest, r, ns, doc, dry, format);
                } else {
                    apply(inv, rest, r, ns, doc, dry, format);
                }
            } catch (ApiStatusException e) {
                if (serverSide && e.code() == 409) {
                    inv.err().println("error: " + statusMessage(e) + "\n" + CONFLICT_HINT);
                } else {
                    inv.err().println(WriteOutput.errorWhen(e, "applying", doc.source()));
                }
                failed = true;
            } catch (CliException e) {
                inv.err().println("error: " + e.getMessage());
                failed = true;
            }
        }
        return failed ? 1 : 0;
    }

    private void apply(Invocation inv, ObjectRest rest, ApiResource r, String ns, Manifests.Document doc,
                       WriteOutput.DryRun dry, String format) {
        if (doc.name() == null) {
            throw new CliException("error when retrieving current configuration of " + r.qualifiedKind() + " from \""
                    + doc.source() + "\": resource name may not be empty");
        }
        ObjectNode modified = withLastApplied(doc.object());
        Map<String, String> query = new LinkedHashMap<>(dry.query());
        query.put("fieldManager", inv.flags().string("field-manager"));
        query.put("fieldValidation", "Strict");
        Optional<ObjectNode> live = rest.get(r, ns, doc.name());
        if (live.isEmpty()) {
            ObjectNode created = dry == WriteOutput.DryRun.CLIENT ? modified
                    : rest.create(r, ns, modified, query);
            WriteOutput.print(inv, format, r, created, "created", dry);
            return;
        }
        ObjectNode current = live.get();
        JsonNode original = lastApplied(current);
        if (original == null) {
            inv.err().println("Warning: resource " + r.qualifiedName() + "/" + doc.name() + " is missing the "
                    + LAST_APPLIED + " annotation which is required by k4j apply. k4j apply should only be used on "
                    + "resources created declaratively by either k4j create --save-config or k4j apply. The missing "
                    + "annotation will be patched automatically.");
        }
        Optional<PatchSchema> schema = PatchMetaTable.builtin().forKind(doc.object().path("apiVersion").asString(""),
                doc.object().path("kind").asString(""));
        ObjectNode patch;
        try {
            patch = schema.isPresent()
                    ? StrategicMergePatchDiff.createThreeWay(original, modified, current, schema.get(),
                    inv.flags().bool("overwrite"))
                    : ThreeWayMerge.patch(original, modified, current);
        } catch (StrategicMergePatchConflictException e) {
            // kubectl: AddSourceToErr(fmt.Sprintf(createPatchErrFormat, original, modified, current), source, err)
            throw new CliException("error when creating patch with:\noriginal:\n" + Codecs.json().writeValueAsString(
                    original == null ? Codecs.json().createObjectNode() : original) + "\nmodified:\n"
                    + Codecs.json().writeValueAsString(modified) + "\ncurrent:\n" + Codecs.json().writeValueAsString(current)
                    + "\nfor: \"" + doc.source() + "\": " + e.getMessage());
        } catch (StrategicMergePatchException e) {
            throw new CliException("error when creating the patch for " + r.qualifiedKind() + "/" + doc.name()
                    + " from \"" + doc.source() + "\": " + e.getMessage());
        }
        if (patch.isEmpty()) {
            WriteOutput.print(inv, format, r, current, "unchanged", dry);
            return;
        }
        ObjectNode result = dry == WriteOutput.DryRun.CLIENT
                ? (schema.isPresent() ? StrategicMergePatch.apply(current, patch, schema.get()) : current)
                : rest.patch(r, ns, doc.name(), schema.isPresent() ? STRATEGIC_MERGE_PATCH : MERGE_PATCH,
                Codecs.json().writeValueAsString(patch), query);
        WriteOutput.print(inv, format, r, result, "configured", dry);
    }

    private void serverSideApply(Invocation inv, ObjectRest rest, ApiResource r, String ns, Manifests.Document doc,
                                 WriteOutput.DryRun dry, String format) {
        if (dry == WriteOutput.DryRun.CLIENT) {
            throw new UsageException("--dry-run=client doesn't work with --server-side (did you mean --dry-run=server "
                    + "instead?)");
        }
        if (doc.name() == null) {
            throw new CliException("error when retrieving current configuration of " + r.qualifiedKind() + " from \""
                    + doc.source() + "\": resource name may not be empty");
        }
        Map<String, String> query = serverSideQuery(inv.flags().string("field-manager"),
                inv.flags().bool("force-conflicts"), dry);
        ObjectNode result;
        try {
            result = rest.patch(r, ns, doc.name(), APPLY_PATCH, Codecs.json().writeValueAsString(doc.object()), query);
        } catch (ApiStatusException e) {
            if (e.code() == 415) {
                throw new CliException("the server does not support server-side apply (" + e.getMessage()
                        + "); apply without --server-side");
            }
            throw e;
        }
        WriteOutput.print(inv, format, r, result, "serverside-applied", dry);
    }

    /**
     * kubectl's query of a server-side apply: {@code [dryRun=All&]fieldManager=kubectl&fieldValidation=Strict&force=false}
     * (the client-side default manager becomes {@code kubectl}).
     */
    static Map<String, String> serverSideQuery(String manager, boolean force, WriteOutput.DryRun dry) {
        Map<String, String> query = new LinkedHashMap<>(dry.query());
        query.put("fieldManager", manager == null || manager.equals(CLIENT_SIDE_MANAGER) ? SERVER_SIDE_MANAGER : manager);
        query.put("fieldValidation", "Strict");
        query.put("force", Boolean.toString(force));
        return query;
    }

    private static String statusMessage(ApiStatusException e) {
        return e.status() != null && e.status().getMessage() != null && !e.status().getMessage().isEmpty()
                ? e.status().getMessage() : e.getMessage();
    }

    /** The object to send: the file's object carrying the last-applied annotation (itself, as kubectl writes it). */
    static ObjectNode withLastApplied(ObjectNode object) {
        ObjectNode modified = object.deepCopy();
        Targets.annotations(modified).put(LAST_APPLIED, lastAppliedValue(object));
        return modified;
    }

    /**
     * The annotation's value as kubectl writes it: the object without the annotation (an empty {@code annotations}
     * map kept), keys sorted, compact JSON, a newline at the end — so kubectl and k4j write the same text.
     */
    static String lastAppliedValue(ObjectNode object) {
        ObjectNode copy = object.deepCopy();
        Targets.annotations(copy).remove(LAST_APPLIED);
        return Codecs.json().writeValueAsString(WriteOutput.sorted(copy)) + "\n";
    }

    /** {@code object} with the last-applied annotation ({@code create --save-config}). */
    public static ObjectNode lastAppliedOf(ObjectNode object) {
        return withLastApplied(object);
    }

    /** The configuration last applied to {@code live} (null: none, or unreadable). */
    static JsonNode lastApplied(JsonNode live) {
        JsonNode a = live.path("metadata").path("annotations").path(LAST_APPLIED);
        if (!a.isString() || a.asString().isBlank()) {
            return null;
        }
        try {
            return Codecs.json().readTree(a.asString());
        } catch (RuntimeException e) {
            return null;
        }
    }
}
