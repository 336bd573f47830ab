package io.kube4j.cli.commands.create;

import org.springframework.stereotype.Component;

/** {@code k4j create service clusterip NAME --tcp=80:8080}. */
@Component
public class CreateServiceClusterIpCommand extends ServiceGenerator {

    CreateServiceClusterIpCommand() {
        super("clusterip", "ClusterIP", "Create a ClusterIP service");
    }

    @Override
    protected String examples() {
        return "  # Create a new ClusterIP service named my-cs\n  k4j create service clusterip my-cs --tcp=5678:8080\n";
    }
}
