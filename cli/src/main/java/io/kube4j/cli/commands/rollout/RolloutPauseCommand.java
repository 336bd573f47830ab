package io.kube4j.cli.commands.rollout;

import io.kube4j.api.codec.Codecs;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/** {@code k4j rollout pause deployment/NAME}: sets {@code spec.paused}; a paused Deployment is not rolled out. */
@Component
public class RolloutPauseCommand extends ObjectPatchCommand {

    public RolloutPauseCommand() {
        super("rollout pause", "Mark the provided resource as paused", "paused", "already paused");
    }

    @Override
    protected String examples() {
        return "  # Mark the nginx deployment as paused\n  k4j rollout pause deployment/nginx";
    }

    @Override
    protected JsonNode patch(Workloads.Obj o) {
        if (!Workloads.isKind(o, "apps", "Deployment")) {
            throw new Refused("pausing is not supported");
        }
        if (o.tree().path("spec").path("paused").asBoolean(false)) {
            throw new Refused("is already paused");
        }
        return Codecs.json().readTree("{\"spec\":{\"paused\":true}}");
    }
}
