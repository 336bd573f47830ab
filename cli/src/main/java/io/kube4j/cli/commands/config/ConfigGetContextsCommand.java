package io.kube4j.cli.commands.config;

import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import io.kube4j.cli.output.Table;
import io.kube4j.cli.session.KubeConfigs;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** {@code k4j config get-contexts [NAME]}: CURRENT NAME CLUSTER AUTHINFO NAMESPACE, the current one starred. */
@Component
public class ConfigGetContextsCommand extends KubeCommand {

    public ConfigGetContextsCommand() {
        super("config get-contexts", "Describe one or many contexts");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.string("-o, --output", "FORMAT", "", "Output format. One of: (name).");
        b.bool("--no-headers", "When using the default output format, don't print headers.");
        b.positionals("NAME", "the contexts to show (all if none)");
    }

    @Override
    protected int run(Invocation inv) {
        String o = inv.flags().string("output");
        if (!o.isEmpty() && !o.equals("name")) {
            throw new UsageException("output must be one of '' or 'name': " + o);
        }
        KubeConfigs kc = inv.kubeconfigs();
        List<String> names = new ArrayList<>(inv.args().isEmpty() ? kc.contextNames() : inv.args());
        names.sort(null);
        String current = kc.currentContext();
        Table t = new Table();
        if (o.isEmpty() && !inv.flags().bool("no-headers")) {
            t.row("CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE");
        }
        List<String> missing = new ArrayList<>();
        for (String n : names) {
            JsonNode c = kc.context(n);
            if (c == null) {
                missing.add(n);
            } else if (o.equals("name")) {
                inv.out().println(n);
            } else {
                t.row(n.equals(current) ? "*" : "", n, c.path("cluster").asString(""), c.path("user").asString(""),
                        c.path("namespace").asString(""));
            }
        }
        t.print(inv.out());
        if (!missing.isEmpty()) {
            inv.out().flush();
            throw new CliException("context " + String.join(", ", missing) + " not found", 1);
        }
        return 0;
    }
}
