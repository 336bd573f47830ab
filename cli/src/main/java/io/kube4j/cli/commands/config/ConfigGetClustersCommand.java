package io.kube4j.cli.commands.config;

import org.springframework.stereotype.Component;

/** {@code k4j config get-clusters}. */
@Component
public class ConfigGetClustersCommand extends ConfigNamesCommand {
    public ConfigGetClustersCommand() {
        super("config get-clusters", "Display clusters defined in the kubeconfig", "clusters");
    }
}
