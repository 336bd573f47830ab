package io.kube4j.cli.commands.config;

import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import io.kube4j.cli.session.KubeConfigEdits;
import org.springframework.stereotype.Component;

/**
 * {@code k4j config set-context [NAME | --current] [--cluster=C] [--user=U] [--namespace=N]}: changes a context in the
 * file that defines it, or creates it. ({@code -n} is the global namespace flag, as in kubectl.)
 */
@Component
public class ConfigSetContextCommand extends KubeCommand {

    public ConfigSetContextCommand() {
        super("config set-context", "Set a context entry in kubeconfig");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.bool("--current", "Modify the current context");
        b.string("--cluster", "CLUSTER", null, "cluster for the context entry in kubeconfig");
        b.string("--user", "USER", null, "user for the context entry in kubeconfig");
        b.positionals("CONTEXT_NAME", "the context to change or create");
    }

    @Override
    protected String examples() {
        return "  # Switch the current context's namespace\n  k4j config set-context --current --namespace=team-a";
    }

    @Override
    protected int run(Invocation inv) {
        String name;
        if (inv.flags().bool("current")) {
            if (!inv.args().isEmpty()) {
                throw new UsageException("you cannot specify a context name and --current");
            }
            name = inv.kubeconfigs().currentContext();
            if (name == null) {
                throw new CliException("no current context is set", 1);
            }
        } else if (inv.args().size() == 1) {
            name = inv.args().get(0);
        } else {
            throw new UsageException("you must specify a non-empty context name or --current");
        }
        Flags.Parsed f = inv.flags();
        boolean created = new KubeConfigEdits(f.string("kubeconfig"), inv.io().env()).editContext(name, c -> {
            if (f.given("cluster")) {
                c.put("cluster", f.string("cluster"));
            }
            if (f.given("user")) {
                c.put("user", f.string("user"));
            }
            if (f.given("namespace")) {
                String ns = f.string("namespace");
                if (ns.isEmpty()) {
                    c.remove("namespace");
                } else {
                    c.put("namespace", ns);
                }
            }
        });
        inv.out().println("Context \"" + name + "\" " + (created ? "created" : "modified") + ".");
        return 0;
    }
}
