package io.kube4j.cli.commands.api;

import io.kube4j.cli.api.ApiResource;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.output.Table;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code k4j api-resources}: the resources the server serves (discovery), kubectl's columns NAME SHORTNAMES
 * APIVERSION NAMESPACED KIND (+ VERBS CATEGORIES with {@code -o wide}), sorted by group then name, or
 * {@code -o name}; filters {@code --namespaced}, {@code --api-group}, {@code --verbs}.
 */
@Component
public class ApiResourcesCommand extends KubeCommand {

    public ApiResourcesCommand() {
        super("api-resources", "Print the supported API resources on the server");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.string("-o, --output", "FORMAT", null, "Output format. One of: (wide, name).");
        b.string("--namespaced", "BOOL", null, "If false, non-namespaced resources will be returned, otherwise "
                + "returning namespaced resources by default.");
        b.string("--api-group", "GROUP", null, "Limit to resources in the specified API group.");
        b.repeated("--verbs", "VERB", "Limit to resources that support the specified verbs.");
        b.string("--sort-by", "FIELD", null, "If non-empty, sort list of resources using specified field. The field "
                + "can be either 'name' or 'kind'.");
        b.bool("--no-headers", "When using the default or custom-column output format, don't print headers.");
    }

    @Override
    protected String examples() {
        return """
                  # Print the supported API resources
                  k4j api-resources

                  # Print the supported API resources with more information
                  k4j api-resources -o wide

                  # Print the supported non-namespaced resources
                  k4j api-resources --namespaced=false

                  # Print the supported API resources with a specific APIGroup
                  k4j api-resources --api-group=rbac.authorization.k8s.io
                """;
    }

    @Override
    protected int run(Invocation inv) {
        String output = inv.flags().string("output");
        if (output != null && !output.equals("wide") && !output.equals("name")) {
            throw new CliException("--output " + output + " is not available", 1);
        }
        String sortBy = inv.flags().string("sort-by");
        if (sortBy != null && !sortBy.equals("name") && !sortBy.equals("kind")) {
            throw new CliException("--sort-by accepts only name or kind", 1);
        }
        String namespaced = inv.flags().string("namespaced");
        String group = inv.flags().string("api-group");
        List<String> verbs = new ArrayList<>();
        inv.flags().repeated("verbs").forEach(v -> verbs.addAll(List.of(v.split(","))));
        List<ApiResource> rs = new ArrayList<>();
        for (ApiResource r : inv.discovery().resources()) {
            if (namespaced != null && r.namespaced() != Boolean.parseBoolean(namespaced)) {
                continue;
            }
            if (group != null && !r.group().equals(group)) {
                continue;
            }
            if (!r.verbs().containsAll(verbs)) {
                continue;
            }
            rs.add(r);
        }
        Comparator<ApiResource> order = "name".equals(sortBy) ? Comparator.comparing(ApiResource::plural)
                : "kind".equals(sortBy) ? Comparator.comparing(ApiResource::kind)
                : Comparator.comparing(ApiResource::group);
        rs.sort(order.thenComparing(ApiResource::plural));
        if ("name".equals(output)) {
            rs.forEach(r -> inv.out().println(r.qualifiedName()));
            return 0;
        }
        boolean wide = "wide".equals(output);
        Table t = new Table();
        if (!inv.flags().bool("no-headers")) {
            List<String> h = new ArrayList<>(List.of("NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"));
            if (wide) {
                h.addAll(List.of("VERBS", "CATEGORIES"));
            }
            t.row(h);
        }
        for (ApiResource r : rs) {
            List<String> row = new ArrayList<>(List.of(r.plural(), String.join(",", r.shortNames()), r.apiVersion(),
                    String.valueOf(r.namespaced()), r.kind()));
            if (wide) {
                row.add("[" + String.join(" ", r.verbs()) + "]");
                row.add(String.join(",", r.categories()));
            }
            t.row(row);
        }
        t.print(inv.out());
        return 0;
    }
}
