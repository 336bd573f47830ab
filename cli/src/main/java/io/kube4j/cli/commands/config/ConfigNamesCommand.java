package io.kube4j.cli.commands.config;

import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** {@code config get-clusters} and {@code config get-users}: NAME and the sorted names of one kubeconfig list. */
abstract class ConfigNamesCommand extends KubeCommand {

    private final String list;

    ConfigNamesCommand(String name, String description, String list) {
        super(name, description);
        this.list = list;
    }

    @Override
    protected int run(Invocation inv) {
        List<String> names = new ArrayList<>();
        for (JsonNode e : inv.kubeconfigs().merged().path(list)) {
            names.add(e.path("name").asString());
        }
        names.sort(null);
        inv.out().println("NAME");
        names.forEach(inv.out()::println);
        return 0;
    }
}
