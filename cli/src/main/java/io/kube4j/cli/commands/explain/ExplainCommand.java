package io.kube4j.cli.commands.explain;

import io.kube4j.cli.api.ApiResource;
import io.kube4j.cli.api.Discovery;
import io.kube4j.cli.api.Fetch;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.util.Arrays;
import java.util.List;

/**
 * {@code k4j explain TYPE[.field.path]} ({@code --recursive}, {@code --api-version}): the schema of a resource or
 * field from the server's OpenAPI v3 ({@code /openapi/v3} → the group-version document), printed by
 * {@link OpenApiExplainer} as kubectl does. Nothing is invented client-side: when the server publishes an open
 * schema (no fields, as for a custom resource without one), that is what is shown, with a note.
 */
@Component
public class ExplainCommand extends KubeCommand {

    public ExplainCommand() {
        super("explain", "Get documentation for a resource");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.bool("--recursive", "When true, print the name of all the fields recursively.");
        b.string("--api-version", "GROUP/VERSION", null, "Use given api-version (group/version) of the resource.");
        b.positionals("TYPE[.FIELD...]", "the resource, and a field path within it");
    }

    @Override
    protected String examples() {
        return """
                  # Get the documentation of the resource and its fields
                  k4j explain pods

                  # Get the documentation of a specific field of a resource
                  k4j explain pods.spec.containers

                  # Get all the fields in the resource
                  k4j explain pods --recursive
                """;
    }

    @Override
    protected int run(Invocation inv) {
        if (inv.args().size() != 1) {
            throw new UsageException(inv.args().isEmpty()
                    ? "You must specify the type of resource to explain. Use \"k4j api-resources\" for a complete "
                    + "list of supported resources."
                    : "We accept only this format: explain RESOURCE");
        }
        String[] parts = inv.args().get(0).split("\\.");
        Discovery discovery = inv.discovery();
        ApiResource r = discovery.resolve(parts[0]);
        String apiVersion = inv.flags().string("api-version");
        if (apiVersion != null && !apiVersion.isBlank()) {
            ApiResource base = r;
            r = discovery.forKind(apiVersion, base.kind()).orElseThrow(() -> new CliException(
                    "couldn't find resource for \"" + base.kind() + "\" in " + apiVersion, 1));
        }
        List<String> path = Arrays.asList(parts).subList(1, parts.length);
        String key = r.group().isEmpty() ? "api/" + r.version() : "apis/" + r.group() + "/" + r.version();
        JsonNode index = Fetch.json(inv.client(), "/openapi/v3");
        String url = index.path("paths").path(key).path("serverRelativeURL").asString("");
        if (url.isEmpty()) {
            throw new CliException("couldn't find resource for \"" + r.qualifiedName() + "\": the server publishes no "
                    + "OpenAPI v3 document for " + key, 1);
        }
        JsonNode doc = Fetch.json(inv.client(), url);
        OpenApiExplainer explainer = new OpenApiExplainer(doc);
        JsonNode schema = explainer.schemaFor(r.group(), r.version(), r.kind());
        if (schema == null) {
            throw new CliException("GVK " + r.apiVersion() + ", Kind=" + r.kind() + " not found in OpenAPI schema", 1);
        }
        String note = "the server publishes no field schema for " + r.qualifiedName();
        boolean open = !explainer.hasFields(schema);
        try {
            inv.out().print(explainer.explain(r.group(), r.version(), r.kind(), schema, path,
                    inv.flags().bool("recursive")));
        } catch (OpenApiExplainer.FieldNotFound e) {
            throw new CliException(open ? e.getMessage() + " (" + note + ")" : e.getMessage(), 1);
        }
        if (open) {
            inv.err().println("note: " + note);
        }
        return 0;
    }
}
