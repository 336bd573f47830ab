package io.kube4j.cli.commands.config;

import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import io.kube4j.cli.session.KubeConfigEdits;
import org.springframework.stereotype.Component;

/** {@code k4j config use-context NAME}: sets current-context where kubectl would. */
@Component
public class ConfigUseContextCommand extends KubeCommand {

    public ConfigUseContextCommand() {
        super("config use-context", "Set the current-context in a kubeconfig file");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.positionals("CONTEXT_NAME", "the context to use");
    }

    @Override
    protected int run(Invocation inv) {
        if (inv.args().size() != 1) {
            throw new UsageException("Unexpected args: " + inv.args());
        }
        String name = inv.args().get(0);
        if (inv.kubeconfigs().context(name) == null) {
            throw new CliException("no context exists with the name: \"" + name + "\"", 1);
        }
        new KubeConfigEdits(inv.flags().string("kubeconfig"), inv.io().env()).setCurrentContext(name);
        inv.out().println("Switched to context \"" + name + "\".");
        return 0;
    }
}
