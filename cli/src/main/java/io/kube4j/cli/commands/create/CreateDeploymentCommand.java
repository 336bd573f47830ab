package io.kube4j.cli.commands.create;

import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.UsageException;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;

/** {@code k4j create deployment NAME --image=I [--replicas=N] [--port=P] [-- COMMAND ARGS]}, as kubectl builds it. */
@Component
public class CreateDeploymentCommand extends GeneratorCommand {

    CreateDeploymentCommand() {
        super("create deployment", "Create a deployment with the specified name", "apps/v1", "Deployment", true);
    }

    @Override
    protected void generatorFlags(Flags.Builder b) {
        b.repeated("--image", "IMAGE", "Image names to run. A deployment can have multiple images set for multi-container pod.");
        b.integer("-r, --replicas", "N", 1, "Number of replicas to create. Default is 1.");
        b.integer("--port", "PORT", -1, "The containerPort that this deployment exposes.");
    }

    @Override
    protected String examples() {
        return """
                  # Create a deployment named my-dep that runs the busybox image
                  k4j create deployment my-dep --image=busybox

                  # Create a deployment named my-dep that runs the nginx image with 3 replicas and exposes port 80
                  k4j create deployment my-dep --image=nginx --replicas=3 --port=80
                """;
    }

    @Override
    protected void build(Invocation inv, String name, ObjectNode o) {
        List<String> images = inv.flags().repeated("image").stream()
                .flatMap(s -> java.util.Arrays.stream(s.split(","))).filter(s -> !s.isBlank()).toList();
        if (images.isEmpty()) {
            throw new UsageException("required flag(s) \"image\" not set");
        }
        int port = inv.flags().integer("port");
        if (port >= 0 && images.size() > 1) {
            throw new UsageException("cannot expose one port with multiple images");
        }
        ((ObjectNode) o.get("metadata")).putObject("labels").put("app", name);
        ObjectNode spec = o.putObject("spec");
        spec.put("replicas", inv.flags().integer("replicas"));
        spec.putObject("selector").putObject("matchLabels").put("app", name);
        spec.putObject("strategy");
        ObjectNode template = spec.putObject("template");
        ObjectNode tm = newMetadata(template);
        tm.putObject("labels").put("app", name);
        ArrayNode containers = template.putObject("spec").putArray("containers");
        for (String image : images) {
            ObjectNode c = containers.addObject();
            c.put("image", image);
            c.put("name", containerName(image));
            if (port >= 0) {
                c.putArray("ports").addObject().put("containerPort", port);
            }
            c.putObject("resources");
            if (inv.flags().dashDash() && images.size() == 1) {
                ArrayNode cmd = c.putArray("command");
                inv.flags().afterDashDash().forEach(cmd::add);
            }
        }
        o.putObject("status");
    }

    /** kubectl's container name for an image: its last path element without tag or digest. */
    static String containerName(String image) {
        String n = image;
        int at = n.indexOf('@');
        if (at >= 0) {
            n = n.substring(0, at);
        }
        n = n.substring(n.lastIndexOf('/') + 1);
        int colon = n.indexOf(':');
        return colon >= 0 ? n.substring(0, colon) : n;
    }
}
