package io.kube4j.cli.commands.config;

import org.springframework.stereotype.Component;

/** {@code k4j config get-users}. */
@Component
public class ConfigGetUsersCommand extends ConfigNamesCommand {
    public ConfigGetUsersCommand() {
        super("config get-users", "Display users defined in the kubeconfig", "users");
    }
}
