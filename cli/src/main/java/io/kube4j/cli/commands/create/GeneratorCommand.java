package io.kube4j.cli.commands.create;

import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.api.ApiResource;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import io.kube4j.cli.commands.apply.ApplyCommand;
import io.kube4j.cli.commands.apply.Targets;
import io.kube4j.cli.commands.apply.WriteOutput;
import tools.jackson.databind.node.ObjectNode;

/**
 * A {@code k4j create KIND NAME ...} generator: builds one object from flags, as kubectl's generators build it (the
 * same fields, so {@code --dry-run=client -o yaml} prints what kubectl prints), then creates it — or, with
 * {@code --dry-run=client}, only prints it. Subclasses build the object.
 */
public abstract class GeneratorCommand extends KubeCommand {

    private final String apiVersion;
    private final String kind;
    private final boolean namespaced;

    protected GeneratorCommand(String name, String description, String apiVersion, String kind, boolean namespaced) {
        super(name, description);
        this.apiVersion = apiVersion;
        this.kind = kind;
        this.namespaced = namespaced;
    }

    @Override
    protected final void flags(Flags.Builder b) {
        WriteOutput.DryRun.declare(b);
        WriteOutput.declareOutput(b);
        b.bool("--save-config", "If true, the configuration of the object is saved in its last-applied annotation.");
        generatorFlags(b);
        b.positionals("NAME", "The name of the object");
    }

    /** The generator's own flags. */
    protected abstract void generatorFlags(Flags.Builder b);

    /** The object for {@code name}: apiVersion, kind and metadata are set already. */
    protected abstract void build(Invocation inv, String name, ObjectNode object);

    /** {@code metadata} as kubectl's typed objects print it ({@code creationTimestamp: null} first). */
    protected static ObjectNode newMetadata(ObjectNode parent) {
        ObjectNode m = parent.putObject("metadata");
        m.putNull("creationTimestamp");
        return m;
    }

    private ApiResource offline() {
        int slash = apiVersion.indexOf('/');
        String lower = kind.toLowerCase(java.util.Locale.ROOT);
        return new ApiResource(slash < 0 ? "" : apiVersion.substring(0, slash), apiVersion.substring(slash + 1), kind,
                lower + "s", lower, java.util.List.of(), namespaced, java.util.List.of(), java.util.List.of(),
                java.util.Set.of());
    }

    @Override
    protected int run(Invocation inv) {
        if (inv.args().size() != 1) {
            throw new UsageException("exactly one NAME is required, got " + inv.args().size());
        }
        WriteOutput.DryRun dry = WriteOutput.DryRun.of(inv);
        String format = WriteOutput.format(inv);
        String name = inv.args().get(0);
        ObjectNode o = Codecs.json().createObjectNode();
        o.put("apiVersion", apiVersion);
        o.put("kind", kind);
        newMetadata(o).put("name", name);
        build(inv, name, o);
        // A client dry run needs no server (as with kubectl): the resource is only named in the message.
        ApiResource r = dry == WriteOutput.DryRun.CLIENT ? offline()
                : inv.discovery().forKind(apiVersion, kind).orElseThrow(() -> new CliException(
                        "the server doesn't have a resource type \"" + kind + "\" in " + apiVersion));
        if (namespaced && (dry != WriteOutput.DryRun.CLIENT || inv.namespaceGiven())) {
            Targets.metadata(o).put("namespace", inv.namespace());
        }
        if (inv.flags().bool("save-config")) {
            o = ApplyCommand.lastAppliedOf(o);
        }
        ObjectNode result = dry == WriteOutput.DryRun.CLIENT ? o
                : WriteOutput.rest(inv).create(r, r.namespaced() ? inv.namespace() : null, o, dry.query());
        WriteOutput.print(inv, format, r, result, "created", dry);
        return 0;
    }
}
