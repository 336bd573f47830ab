package io.kube4j.cli.commands.config;

import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import org.springframework.stereotype.Component;

/** {@code k4j config current-context}. */
@Component
public class ConfigCurrentContextCommand extends KubeCommand {

    public ConfigCurrentContextCommand() {
        super("config current-context", "Display the current-context");
    }

    @Override
    protected int run(Invocation inv) {
        String c = inv.kubeconfigs().currentContext();
        if (c == null) {
            throw new CliException("current-context is not set", 1);
        }
        inv.out().println(c);
        return 0;
    }
}
