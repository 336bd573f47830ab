package io.kube4j.cli.commands.create;

import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.UsageException;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code k4j create cronjob NAME --image=I --schedule=S [--restart=OnFailure|Never] [-- COMMAND ARGS]}, as kubectl
 * builds it: one container named after the CronJob in a job template of the same name.
 */
@Component
public class CreateCronJobCommand extends GeneratorCommand {

    CreateCronJobCommand() {
        super("create cronjob", "Create a cron job with the specified name", "batch/v1", "CronJob", true);
    }

    @Override
    protected void generatorFlags(Flags.Builder b) {
        b.string("--image", "IMAGE", null, "Image name to run.");
        b.string("--schedule", "SCHEDULE", null, "A schedule in the Cron format the job should be run with.");
        b.string("--restart", "POLICY", "OnFailure", "job's restart policy. supported values: OnFailure, Never");
    }

    @Override
    protected String examples() {
        return """
                  # Create a cron job
                  k4j create cronjob my-job --image=busybox --schedule="*/1 * * * *"

                  # Create a cron job with a command
                  k4j create cronjob my-job --image=busybox --schedule="*/1 * * * *" -- date
                """;
    }

    @Override
    protected void build(Invocation inv, String name, ObjectNode o) {
        String image = inv.flags().string("image");
        String schedule = inv.flags().string("schedule");
        if (image == null || image.isBlank()) {
            throw new UsageException("required flag(s) \"image\" not set");
        }
        if (schedule == null || schedule.isBlank()) {
            throw new UsageException("required flag(s) \"schedule\" not set");
        }
        String restart = inv.flags().string("restart");
        if (!restart.equals("OnFailure") && !restart.equals("Never")) {
            throw new UsageException("invalid restart policy: " + restart);
        }
        ObjectNode spec = o.putObject("spec");
        ObjectNode jobTemplate = spec.putObject("jobTemplate");
        newMetadata(jobTemplate).put("name", name);
        ObjectNode template = jobTemplate.putObject("spec").putObject("template");
        newMetadata(template);
        ObjectNode podSpec = template.putObject("spec");
        ObjectNode c = podSpec.putArray("containers").addObject();
        if (inv.flags().dashDash()) {
            ArrayNode cmd = c.putArray("command");
            inv.flags().afterDashDash().forEach(cmd::add);
        }
        c.put("image", image);
        c.put("name", name);
        c.putObject("resources");
        podSpec.put("restartPolicy", restart);
        spec.put("schedule", schedule);
        o.putObject("status");
    }
}
