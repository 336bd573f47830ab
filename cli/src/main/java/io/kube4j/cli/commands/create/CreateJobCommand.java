package io.kube4j.cli.commands.create;

import io.kube4j.cli.api.ApiResource;
import io.kube4j.cli.api.Fetch;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.UsageException;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code k4j create job NAME --image=I [-- COMMAND ARGS]} or {@code k4j create job NAME --from=cronjob/C}, as kubectl
 * builds them: one container named after the job with {@code restartPolicy: Never}, or the CronJob's job template
 * with the {@code cronjob.kubernetes.io/instantiate: manual} annotation and the CronJob as controller owner (so the
 * CronJob lists it, as a scheduled run).
 */
@Component
public class CreateJobCommand extends GeneratorCommand {

    CreateJobCommand() {
        super("create job", "Create a job with the specified name", "batch/v1", "Job", true);
    }

    @Override
    protected void generatorFlags(Flags.Builder b) {
        b.string("--image", "IMAGE", null, "Image name to run.");
        b.string("--from", "cronjob/NAME", null, "The name of the resource to create a Job from (only cronjob is "
                + "supported).");
    }

    @Override
    protected String examples() {
        return """
                  # Create a job
                  k4j create job my-job --image=busybox

                  # Create a job with a command
                  k4j create job my-job --image=busybox -- date

                  # Create a job from a cron job named "a-cronjob"
                  k4j create job test-job --from=cronjob/a-cronjob
                """;
    }

    @Override
    protected void build(Invocation inv, String name, ObjectNode o) {
        String image = inv.flags().string("image");
        String from = inv.flags().string("from");
        if ((image == null) == (from == null)) {
            throw new UsageException("either --image or --from must be specified, not both");
        }
        if (from != null) {
            if (inv.flags().dashDash()) {
                throw new UsageException("cannot specify --from and command");
            }
            fromCronJob(inv, from, o);
            return;
        }
        ObjectNode template = o.putObject("spec").putObject("template");
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
        podSpec.put("restartPolicy", "Never");
        o.putObject("status");
    }

    private static void fromCronJob(Invocation inv, String from, ObjectNode o) {
        int slash = from.indexOf('/');
        String kind = slash < 0 ? "" : from.substring(0, slash).toLowerCase(java.util.Locale.ROOT);
        if (!kind.equals("cronjob") && !kind.equals("cronjobs") && !kind.equals("cj")
                && !kind.equals("cronjobs.batch")) {
            throw new UsageException("--from must be cronjob/NAME, got \"" + from + "\"");
        }
        ApiResource cronJobs = inv.discovery().forKind("batch/v1", "CronJob")
                .orElseThrow(() -> new CliException("the server doesn't have a resource type \"cronjobs\""));
        JsonNode cj = Fetch.object(inv.client(), cronJobs, inv.namespace(), from.substring(slash + 1));
        JsonNode jobTemplate = cj.path("spec").path("jobTemplate");
        ObjectNode meta = (ObjectNode) o.get("metadata");
        ObjectNode annotations = meta.putObject("annotations");
        annotations.put("cronjob.kubernetes.io/instantiate", "manual");
        jobTemplate.path("metadata").path("annotations").properties()
                .forEach(e -> annotations.set(e.getKey(), e.getValue()));
        if (jobTemplate.path("metadata").path("labels").isObject()) {
            meta.set("labels", jobTemplate.path("metadata").path("labels").deepCopy());
        }
        ObjectNode owner = meta.putArray("ownerReferences").addObject();
        owner.put("apiVersion", "batch/v1");
        owner.put("controller", true);
        owner.put("kind", "CronJob");
        owner.put("name", cj.path("metadata").path("name").asString());
        owner.put("uid", cj.path("metadata").path("uid").asString());
        o.set("spec", jobTemplate.path("spec").deepCopy());
        o.putObject("status");
    }
}
