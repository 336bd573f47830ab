package io.kube4j.cli.commands.rollout;

import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;

/**
 * {@code k4j scale TYPE/NAME --replicas=N}: a merge patch of the {@code /scale} subresource, as kubectl sends it;
 * with {@code --current-replicas=M} the Scale is read, checked and written back pinned to its resourceVersion.
 */
@Component
public class ScaleCommand extends KubeCommand {

    public ScaleCommand() {
        super("scale", "Set a new size for a deployment, replica set, replication controller, or stateful set");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.integer("--replicas", "N", -1, "The new desired number of replicas. Required.");
        b.integer("--current-replicas", "M", -1, "Precondition for current size. Requires that the current size of "
                + "the resource match this value in order to scale. -1 (default) for no condition.");
        b.string("-l, --selector", "SELECTOR", null, "Selector (label query) to filter on");
        b.bool("--all", "Select all resources in the namespace of the specified resource types");
        b.positionals("(TYPE NAME | TYPE/NAME)", "what to scale");
    }

    @Override
    protected String examples() {
        return "  # Scale a deployment named 'web' to 3\n  k4j scale --replicas=3 deployment/web\n\n"
                + "  # If the deployment named mysql's current size is 2, scale mysql to 3\n"
                + "  k4j scale --current-replicas=2 --replicas=3 deployment/mysql";
    }

    @Override
    protected int run(Invocation inv) {
        if (!inv.flags().given("replicas")) {
            throw new UsageException("required flag(s) \"replicas\" not set");
        }
        int replicas = inv.flags().integer("replicas");
        if (replicas < 0) {
            throw new UsageException("The --replicas=COUNT flag is required, and COUNT must be greater than or equal "
                    + "to 0");
        }
        int current = inv.flags().integer("current-replicas");
        var objs = Workloads.objects(inv, inv.args(), inv.flags().string("selector"), inv.flags().bool("all"));
        if (current >= 0 && objs.size() > 1) {
            throw new CliException("cannot use --current-replicas with multiple resources");
        }
        for (Workloads.Obj o : objs) {
            String path = o.resource().objectPath(o.namespace(), o.name()) + "/scale";
            if (current >= 0) {
                scaleIf(inv, path, current, replicas);
            } else {
                ObjectNode patch = Codecs.json().createObjectNode();
                patch.putObject("spec").put("replicas", replicas);
                send(inv, HttpMethod.PATCH, path, MediaType.parseMediaType("application/merge-patch+json"), patch);
            }
            inv.out().println(o.ref() + " scaled");
        }
        return 0;
    }

    /**
     * Reads the Scale, checks the precondition and writes it back pinned to its resourceVersion, again after a
     * conflict (the controller writes the object too), as kubectl's scaler retries.
     */
    private static void scaleIf(Invocation inv, String path, int current, int replicas) {
        for (int attempt = 1; ; attempt++) {
            ObjectNode scale = (ObjectNode) Codecs.json().readTree(inv.client().raw().get(path).block(Workloads.CALL));
            long actual = scale.path("spec").path("replicas").asLong(0);
            if (actual != current) {
                throw new CliException("Expected replicas to be " + current + ", was " + actual);
            }
            ((ObjectNode) scale.path("spec")).put("replicas", replicas);
            try {
                send(inv, HttpMethod.PUT, path, MediaType.APPLICATION_JSON, scale);
                return;
            } catch (io.kube4j.client.ApiStatusException.Conflict e) {
                if (attempt >= 10) {
                    throw e;
                }
                try {
                    Thread.sleep(100L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static void send(Invocation inv, HttpMethod method, String path, MediaType type, JsonNode body) {
        inv.client().raw().request(method, path, type, body.toString().getBytes(StandardCharsets.UTF_8))
                .block(Workloads.CALL);
    }
}
