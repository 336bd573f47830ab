package io.kube4j.cli.commands.autoscale;

import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.api.ApiResource;
import io.kube4j.cli.api.ResourceArgs;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import io.kube4j.cli.commands.apply.WriteOutput;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * {@code k4j autoscale (deployment|replicaset|statefulset|replicationcontroller) NAME --max=N [--min=M]
 * [--cpu-percent=P] [--name=H]}: creates an {@code autoscaling/v2} HorizontalPodAutoscaler for an object that has a
 * {@code scale} subresource, as kubectl 1.33 builds it (a Resource cpu Utilization metric when {@code --cpu-percent}
 * is given, else none, so the controller's default of 80% applies) and prints
 * {@code horizontalpodautoscaler.autoscaling/NAME autoscaled}.
 */
@Component
public class AutoscaleCommand extends KubeCommand {

    AutoscaleCommand() {
        super("autoscale", "Auto-scale a deployment, replica set, stateful set, or replication controller");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.integer("--min", "MINPODS", -1, "The lower limit for the number of pods that can be set by the autoscaler. "
                + "If it's not specified or negative, the server will apply a default value.");
        b.integer("--max", "MAXPODS", -1, "The upper limit for the number of pods that can be set by the autoscaler. "
                + "Required.");
        b.integer("--cpu-percent", "PERCENT", -1, "The target average CPU utilization (represented as a percent of "
                + "requested CPU) over all the pods. If it's not specified or negative, a default autoscaling policy "
                + "will be used.");
        b.string("--name", "NAME", null, "The name for the newly created object. If not specified, the name of the "
                + "input resource will be used.");
        WriteOutput.DryRun.declare(b);
        WriteOutput.declareOutput(b);
        b.positionals("(TYPE NAME | TYPE/NAME)", "the object to autoscale");
    }

    @Override
    protected String examples() {
        return """
                  # Auto scale a deployment "foo", with the number of pods between 2 and 10, no target CPU utilization specified so a default autoscaling policy will be used
                  k4j autoscale deployment foo --min=2 --max=10

                  # Auto scale a stateful set "db", with the number of pods between 1 and 5, target CPU utilization at 80%
                  k4j autoscale statefulset db --max=5 --cpu-percent=80
                """;
    }

    @Override
    protected int run(Invocation inv) {
        int min = inv.flags().integer("min");
        int max = inv.flags().integer("max");
        int cpu = inv.flags().integer("cpu-percent");
        if (max < 1) {
            throw new UsageException("--max=MAXPODS is required and must be at least 1, max: " + max);
        }
        if (max < min) {
            throw new UsageException("--max=MAXPODS must be larger or equal to --min=MINPODS, max: " + max + ", min: "
                    + min);
        }
        List<ResourceArgs.Target> targets = ResourceArgs.parse(inv.args(), inv.discovery());
        if (targets.size() != 1 || targets.get(0).name() == null) {
            throw new UsageException("exactly one resource (TYPE NAME or TYPE/NAME) must be autoscaled");
        }
        ApiResource r = targets.get(0).resource();
        if (!r.subresources().contains("scale")) {
            throw new CliException("cannot autoscale a " + r.kind() + ": no scale subresource for "
                    + r.qualifiedName());
        }
        String ns = r.namespaced() ? inv.namespace() : null;
        // the target must exist, as with kubectl (which reads it through its resource builder)
        ObjectNode target = WriteOutput.rest(inv).require(r, ns, targets.get(0).name());
        String refName = target.path("metadata").path("name").asString();
        WriteOutput.DryRun dry = WriteOutput.DryRun.of(inv);
        String format = WriteOutput.format(inv);

        ObjectNode hpa = Codecs.json().createObjectNode();
        hpa.put("apiVersion", "autoscaling/v2");
        hpa.put("kind", "HorizontalPodAutoscaler");
        ObjectNode meta = hpa.putObject("metadata");
        meta.putNull("creationTimestamp");
        String name = inv.flags().string("name");
        meta.put("name", name != null ? name : refName);
        // kubectl leaves the namespace to the request path, so a client dry run prints none
        if (ns != null && dry != WriteOutput.DryRun.CLIENT) {
            meta.put("namespace", ns);
        }
        ObjectNode spec = hpa.putObject("spec");
        spec.put("maxReplicas", max);
        if (cpu > 0) {
            ObjectNode resource = spec.putArray("metrics").addObject().putObject("resource");
            resource.put("name", "cpu");
            resource.putObject("target").put("averageUtilization", cpu).put("type", "Utilization");
            ((ObjectNode) spec.get("metrics").get(0)).put("type", "Resource");
        }
        if (min > 0) {
            spec.put("minReplicas", min);
        }
        ObjectNode ref = spec.putObject("scaleTargetRef");
        ref.put("apiVersion", r.apiVersion());
        ref.put("kind", r.kind());
        ref.put("name", refName);
        // the typed object's status as kubectl serialises it (currentMetrics has no omitempty)
        ObjectNode status = hpa.putObject("status");
        status.putNull("currentMetrics");
        status.put("desiredReplicas", 0);
        ApiResource hpas = inv.discovery().forKind("autoscaling/v2", "HorizontalPodAutoscaler").orElseThrow(
                () -> new CliException("the server doesn't have a resource type \"horizontalpodautoscalers\" in "
                        + "autoscaling/v2"));
        ObjectNode created = dry == WriteOutput.DryRun.CLIENT ? hpa
                : WriteOutput.rest(inv).create(hpas, ns, hpa, dry.query());
        WriteOutput.print(inv, format, hpas, created, "autoscaled", dry);
        return 0;
    }
}
