package io.kube4j.cli.commands.cluster;

import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.time.Duration;

/**
 * {@code k4j cluster-info}: kubectl's "Kubernetes control plane is running at URL", then every kube-system service
 * labelled {@code kubernetes.io/cluster-service=true} with its proxy URL.
 */
@Component
public class ClusterInfoCommand extends KubeCommand {

    public ClusterInfoCommand() {
        super("cluster-info", "Display cluster information");
    }

    @Override
    protected int run(Invocation inv) {
        String server = inv.clientConfig().server().replaceAll("/+$", "");
        // kubectl checks the server answers before printing
        inv.client().raw().get("/version").block(Duration.ofSeconds(30));
        inv.out().println(inv.colors().green("Kubernetes control plane") + " is running at "
                + inv.colors().yellow(server));
        JsonNode services = Codecs.json().readTree(inv.client().raw()
                .get("/api/v1/namespaces/kube-system/services?labelSelector=kubernetes.io%2Fcluster-service%3Dtrue")
                .block(Duration.ofSeconds(30)));
        for (JsonNode s : services.path("items")) {
            String name = s.path("metadata").path("name").asString();
            String label = s.path("metadata").path("labels").path("kubernetes.io/name").asString(name);
            JsonNode port = s.path("spec").path("ports").path(0);
            String p = port.path("name").asString("");
            String link = server + "/api/v1/namespaces/kube-system/services/"
                    + (p.isEmpty() ? name : name + ":" + p) + "/proxy";
            inv.out().println(inv.colors().green(label) + " is running at " + inv.colors().yellow(link));
        }
        inv.out().println();
        inv.out().println("To further debug and diagnose cluster problems, use 'k4j cluster status'.");
        return 0;
    }
}
