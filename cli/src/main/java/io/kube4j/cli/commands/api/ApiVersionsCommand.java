package io.kube4j.cli.commands.api;

import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.TreeSet;

/** {@code k4j api-versions}: every group/version the server serves ({@code /api}, {@code /apis}), sorted. */
@Component
public class ApiVersionsCommand extends KubeCommand {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    public ApiVersionsCommand() {
        super("api-versions", "Print the supported API versions on the server, in the form of \"group/version\"");
    }

    @Override
    protected int run(Invocation inv) {
        TreeSet<String> versions = new TreeSet<>();
        JsonNode core = Codecs.json().readTree(inv.client().raw().get("/api").block(TIMEOUT));
        core.path("versions").forEach(v -> versions.add(v.asString()));
        JsonNode groups = Codecs.json().readTree(inv.client().raw().get("/apis").block(TIMEOUT));
        for (JsonNode g : groups.path("groups")) {
            g.path("versions").forEach(v -> versions.add(v.path("groupVersion").asString()));
        }
        versions.forEach(inv.out()::println);
        return 0;
    }
}
