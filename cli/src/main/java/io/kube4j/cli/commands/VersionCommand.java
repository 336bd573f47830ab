package io.kube4j.cli.commands;

import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.time.Duration;

/** {@code k4j version}: the client's version and the server's {@code /version}. */
@Component("k4jVersionCommand")
public class VersionCommand extends KubeCommand {

    public VersionCommand() {
        super("version", "Print the client and server version information");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.bool("--client", "If true, shows client version only (no server required).");
    }

    @Override
    protected int run(Invocation inv) {
        String v = VersionCommand.class.getPackage().getImplementationVersion();
        inv.out().println("Client Version: k4j " + (v == null ? "development" : v));
        if (inv.flags().bool("client")) {
            return 0;
        }
        JsonNode server = Codecs.json().readTree(inv.client().raw().get("/version").block(Duration.ofSeconds(30)));
        inv.out().println("Server Version: " + server.path("gitVersion").asString("unknown"));
        return 0;
    }
}
