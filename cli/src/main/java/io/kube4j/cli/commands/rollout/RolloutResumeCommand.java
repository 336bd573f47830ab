package io.kube4j.cli.commands.rollout;

import io.kube4j.api.codec.Codecs;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/** {@code k4j rollout resume deployment/NAME}: clears {@code spec.paused}, so the Deployment rolls out again. */
@Component
public class RolloutResumeCommand extends ObjectPatchCommand {

    public RolloutResumeCommand() {
        super("rollout resume", "Resume a paused resource", "resumed", "already resumed");
    }

    @Override
    protected String examples() {
        return "  # Resume an already paused deployment\n  k4j rollout resume deployment/nginx";
    }

    @Override
    protected JsonNode patch(Workloads.Obj o) {
        if (!Workloads.isKind(o, "apps", "Deployment")) {
            throw new Refused("resuming is not supported");
        }
        if (!o.tree().path("spec").path("paused").asBoolean(false)) {
            throw new Refused("is not paused");
        }
        return Codecs.json().readTree("{\"spec\":{\"paused\":null}}");
    }
}
