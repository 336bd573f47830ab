package io.kube4j.cli.commands.rollout;

import io.kube4j.api.codec.Codecs;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * {@code k4j rollout restart TYPE/NAME}: stamps {@code kubectl.kubernetes.io/restartedAt} on the pod template of a
 * Deployment, DaemonSet or StatefulSet, so its controller replaces every pod.
 */
@Component
public class RolloutRestartCommand extends ObjectPatchCommand {

    static final String RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

    public RolloutRestartCommand() {
        super("rollout restart", "Restart a resource", "restarted", "restarted");
    }

    @Override
    protected String examples() {
        return "  # Restart a deployment\n  k4j rollout restart deployment/nginx\n\n"
                + "  # Restart deployments with the app=nginx label\n  k4j rollout restart deployment -l app=nginx";
    }

    @Override
    protected JsonNode patch(Workloads.Obj o) {
        boolean supported = o.resource().group().equals("apps") && (o.resource().kind().equals("Deployment")
                || o.resource().kind().equals("DaemonSet") || o.resource().kind().equals("StatefulSet"));
        if (!supported) {
            throw new Refused("restarting is not supported");
        }
        if (o.resource().kind().equals("Deployment") && o.tree().path("spec").path("paused").asBoolean(false)) {
            throw new Refused("can't restart paused deployment (run rollout resume first)");
        }
        ObjectNode patch = Codecs.json().createObjectNode();
        patch.putObject("spec").putObject("template").putObject("metadata").putObject("annotations").put(RESTARTED_AT,
                OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        return patch;
    }
}
