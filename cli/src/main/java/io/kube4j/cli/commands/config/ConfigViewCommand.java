package io.kube4j.cli.commands.config;

import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import io.kube4j.cli.session.KubeConfigs;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/** {@code k4j config view}: the merged kubeconfig, secrets shortened unless {@code --raw}. */
@Component
public class ConfigViewCommand extends KubeCommand {

    public ConfigViewCommand() {
        super("config view", "Display merged kubeconfig settings or a specified kubeconfig file");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.bool("--minify", "Remove all information not used by current-context from the output");
        b.bool("--raw", "Display raw byte data and sensitive data");
        b.string("-o, --output", "FORMAT", "yaml", "Output format. One of: (json, yaml).");
    }

    @Override
    protected String examples() {
        return "  # Show merged kubeconfig settings\n  k4j config view\n\n"
                + "  # Show only the current context's entries, with certificate data\n  k4j config view --minify --raw";
    }

    @Override
    protected int run(Invocation inv) {
        KubeConfigs kc = KubeConfigs.load(inv.flags().string("kubeconfig"), inv.io().env(), false);
        String minify = null;
        if (inv.flags().bool("minify")) {
            minify = inv.flags().string("context");
            if (minify == null || minify.isBlank()) {
                minify = kc.currentContext();
            }
            if (minify == null) {
                throw new CliException("current-context must exist in order to minify", 1);
            }
            if (kc.context(minify) == null) {
                throw new CliException("cannot locate context " + minify, 1);
            }
        }
        ObjectNode doc = ConfigView.of(kc.merged(), inv.flags().bool("raw"), minify);
        String o = inv.flags().string("output");
        switch (o) {
            case "yaml" -> inv.out().print(ConfigView.yaml(doc));
            case "json" -> inv.out().print(ConfigView.json(doc));
            default -> throw new UsageException("unable to match a printer suitable for the output format \"" + o
                    + "\", allowed formats are: json,yaml");
        }
        return 0;
    }
}
