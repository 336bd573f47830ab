package io.kube4j.cli.commands.run;

import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.api.ApiResource;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import io.kube4j.cli.commands.apply.WriteOutput;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * {@code k4j run NAME --image=I [--restart=Always|OnFailure|Never] [--env=K=V] [--labels=k=v,...] [--port=P]
 * [--command] [-- ARGS...]}: creates one pod as kubectl's {@code run} builds it (label {@code run=NAME} by default;
 * the words after {@code --} are the container's args, or its command with {@code --command}); prints
 * {@code pod/NAME created}. Attaching ({@code -i}, {@code -t}, {@code --rm}) is left to {@code k4j attach}.
 */
@Component
public class RunCommand extends KubeCommand {

    RunCommand() {
        super("run", "Run a particular image on the cluster");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.string("--image", "IMAGE", null, "The image for the container to run.");
        b.string("--restart", "POLICY", "Always", "The restart policy for this Pod. Legal values [Always, OnFailure, Never].");
        b.repeated("--env", "K=V", "Environment variables to set in the container.");
        b.string("-l, --labels", "LABELS", null, "Comma separated labels to apply to the pod. Will override the default run=NAME label.");
        b.string("--port", "PORT", null, "The port that this container exposes.");
        b.bool("--command", "If true and extra arguments are present, use them as the 'command' field in the "
                + "container, rather than the 'args' field which is the default.");
        b.string("--image-pull-policy", "POLICY", null, "The image pull policy for the container.");
        b.repeated("--annotations", "K=V", "Annotations to apply to the pod.");
        b.bool("-i, --stdin", "Keep stdin open on the container in the pod (not supported: use k4j attach)");
        b.bool("-t, --tty", "Allocate a TTY for the container in the pod (not supported: use k4j attach)");
        WriteOutput.DryRun.declare(b);
        WriteOutput.declareOutput(b);
        b.positionals("NAME [-- COMMAND [ARGS...]]", "the pod's name and what it runs");
    }

    @Override
    protected String examples() {
        return """
                  # Start a nginx pod
                  k4j run nginx --image=nginx

                  # Start a busybox pod that sleeps, never restarted
                  k4j run sleeper --image=busybox --restart=Never --command -- sleep 3600

                  # Print the pod kubectl would create, without creating it
                  k4j run nginx --image=nginx --dry-run=client -o yaml
                """;
    }

    @Override
    protected int run(Invocation inv) {
        if (inv.args().size() != 1) {
            throw new UsageException("NAME is required for run");
        }
        String image = inv.flags().string("image");
        if (image == null || image.isBlank()) {
            throw new UsageException("required flag(s) \"image\" not set");
        }
        if (inv.flags().bool("stdin") || inv.flags().bool("tty")) {
            throw new UsageException("-i/-t are not supported by k4j run: run the pod, then k4j attach -it POD");
        }
        String restart = inv.flags().string("restart");
        if (!List.of("Always", "OnFailure", "Never").contains(restart)) {
            throw new UsageException("invalid restart policy: " + restart);
        }
        String name = inv.args().get(0);
        WriteOutput.DryRun dry = WriteOutput.DryRun.of(inv);
        String format = WriteOutput.format(inv);

        ObjectNode pod = Codecs.json().createObjectNode();
        pod.put("apiVersion", "v1");
        pod.put("kind", "Pod");
        ObjectNode meta = pod.putObject("metadata");
        meta.putNull("creationTimestamp");
        meta.put("name", name);
        if (dry == WriteOutput.DryRun.NONE || inv.namespaceGiven()) {
            meta.put("namespace", inv.namespace());
        }
        ObjectNode labels = meta.putObject("labels");
        String l = inv.flags().string("labels");
        if (l == null) {
            labels.put("run", name);
        } else {
            for (String kv : l.split(",")) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new UsageException("invalid label spec: " + kv);
                }
                labels.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        List<String> annotations = inv.flags().repeated("annotations");
        if (!annotations.isEmpty()) {
            ObjectNode a = meta.putObject("annotations");
            for (String kv : annotations) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new UsageException("invalid annotation spec: " + kv);
                }
                a.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        ObjectNode spec = pod.putObject("spec");
        ObjectNode c = spec.putArray("containers").addObject();
        List<String> after = inv.flags().afterDashDash();
        if (!after.isEmpty()) {
            ArrayNode words = c.putArray(inv.flags().bool("command") ? "command" : "args");
            after.forEach(words::add);
        } else if (inv.flags().bool("command")) {
            throw new UsageException("--command requires a command after --");
        }
        List<String> env = inv.flags().repeated("env");
        if (!env.isEmpty()) {
            ArrayNode e = c.putArray("env");
            for (String kv : env) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new UsageException("invalid env: " + kv);
                }
                e.addObject().put("name", kv.substring(0, eq)).put("value", kv.substring(eq + 1));
            }
        }
        c.put("image", image);
        if (inv.flags().string("image-pull-policy") != null) {
            c.put("imagePullPolicy", inv.flags().string("image-pull-policy"));
        }
        c.put("name", name);
        if (inv.flags().string("port") != null) {
            c.putArray("ports").addObject().put("containerPort", Integer.parseInt(inv.flags().string("port")));
        }
        c.putObject("resources");
        spec.put("dnsPolicy", "ClusterFirst");
        spec.put("restartPolicy", restart);
        pod.putObject("status");

        ApiResource pods = dry == WriteOutput.DryRun.CLIENT
                ? new ApiResource("", "v1", "Pod", "pods", "pod", List.of(), true, List.of(), List.of(), java.util.Set.of())
                : inv.discovery().forKind("v1", "Pod").orElseThrow(() -> new CliException("no pods resource"));
        ObjectNode created = dry == WriteOutput.DryRun.CLIENT ? pod
                : WriteOutput.rest(inv).create(pods, inv.namespace(), pod, dry.query());
        WriteOutput.print(inv, format, pods, created, "created", dry);
        return 0;
    }
}
