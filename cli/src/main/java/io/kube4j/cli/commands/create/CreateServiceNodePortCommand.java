package io.kube4j.cli.commands.create;

import org.springframework.stereotype.Component;

/** {@code k4j create service nodeport NAME --tcp=80:8080 [--node-port=30080]}. */
@Component
public class CreateServiceNodePortCommand extends ServiceGenerator {

    CreateServiceNodePortCommand() {
        super("nodeport", "NodePort", "Create a NodePort service");
    }

    @Override
    protected String examples() {
        return "  # Create a new NodePort service named my-ns\n  k4j create service nodeport my-ns --tcp=5678:8080\n";
    }
}
