package io.kube4j.cli.commands.config;

import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import io.kube4j.cli.session.KubeConfigEdits;
import org.springframework.stereotype.Component;

import java.nio.file.Path;

/** {@code k4j config delete-context NAME}: removes it from the file that defines it. */
@Component
public class ConfigDeleteContextCommand extends KubeCommand {

    public ConfigDeleteContextCommand() {
        super("config delete-context", "Delete the specified context from the kubeconfig");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.positionals("CONTEXT_NAME", "the context to delete");
    }

    @Override
    protected int run(Invocation inv) {
        if (inv.args().size() != 1) {
            throw new UsageException("Unexpected args: " + inv.args());
        }
        String name = inv.args().get(0);
        KubeConfigEdits edits = new KubeConfigEdits(inv.flags().string("kubeconfig"), inv.io().env());
        if (name.equals(inv.kubeconfigs().currentContext())) {
            inv.err().println("warning: this removed your active context, use \"k4j config use-context\" to select "
                    + "a different one");
        }
        Path from = edits.deleteContext(name);
        if (from == null) {
            throw new CliException("cannot delete context " + name + ", not in " + edits.defaultFile(), 1);
        }
        inv.out().println("deleted context " + name + " from " + from);
        return 0;
    }
}
