package io.kube4j.cli.commands.expose;

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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code k4j expose (deployment|replicaset|replicationcontroller|pod|service) NAME [--port=P] [--target-port=T]
 * [--type=T] [--name=N] [--protocol=TCP]}: creates a Service selecting the object's pods — the selector is the
 * object's own (a pod's labels, a workload's {@code matchLabels}), the ports are {@code --port} or the containers'
 * ports — and prints {@code service/web exposed}.
 */
@Component
public class ExposeCommand extends KubeCommand {

    ExposeCommand() {
        super("expose", "Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.string("--port", "PORT", null, "The port that the service should serve on. Copied from the resource being "
                + "exposed, if unspecified");
        b.string("--target-port", "PORT", null, "Name or number for the port on the container that the service "
                + "should direct traffic to.");
        b.string("--protocol", "PROTOCOL", null, "The network protocol for the service to be created. Default is 'TCP'.");
        b.string("--type", "TYPE", null, "Type for this service: ClusterIP, NodePort, LoadBalancer, or ExternalName.");
        b.string("--name", "NAME", null, "The name for the newly created object.");
        b.string("--selector", "SELECTOR", null, "A label selector to use for this service (k=v,...). Default: the "
                + "resource's own selector.");
        b.string("--cluster-ip", "IP", null, "ClusterIP to be assigned to the service. 'None' for a headless service.");
        b.string("-l, --labels", "LABELS", null, "Labels to apply to the service created by this call.");
        WriteOutput.DryRun.declare(b);
        WriteOutput.declareOutput(b);
        b.positionals("(TYPE NAME | TYPE/NAME)", "the object to expose");
    }

    @Override
    protected String examples() {
        return """
                  # Create a service for an nginx deployment, which serves on port 80 and connects to the containers on port 8000
                  k4j expose deployment nginx --port=80 --target-port=8000

                  # Create a service for a pod valid-pod, which serves on port 444 with the name "frontend"
                  k4j expose pod valid-pod --port=444 --name=frontend
                """;
    }

    @Override
    protected int run(Invocation inv) {
        List<ResourceArgs.Target> targets = ResourceArgs.parse(inv.args(), inv.discovery());
        if (targets.size() != 1 || targets.get(0).name() == null) {
            throw new UsageException("exactly one resource (TYPE NAME or TYPE/NAME) must be exposed");
        }
        ApiResource r = targets.get(0).resource();
        String ns = r.namespaced() ? inv.namespace() : null;
        ObjectNode o = WriteOutput.rest(inv).require(r, ns, targets.get(0).name());
        WriteOutput.DryRun dry = WriteOutput.DryRun.of(inv);
        String format = WriteOutput.format(inv);
        String objName = o.path("metadata").path("name").asString();

        ObjectNode svc = Codecs.json().createObjectNode();
        svc.put("apiVersion", "v1");
        svc.put("kind", "Service");
        ObjectNode meta = svc.putObject("metadata");
        meta.putNull("creationTimestamp");
        String name = inv.flags().string("name");
        meta.put("name", name != null ? name : objName);
        if (dry == WriteOutput.DryRun.NONE || inv.namespaceGiven()) {
            if (ns != null) {
                meta.put("namespace", ns);
            }
        }
        JsonNode labels = inv.flags().string("labels") != null ? pairs(inv.flags().string("labels"))
                : o.path("metadata").path("labels");
        if (labels.isObject() && !labels.isEmpty()) {
            meta.set("labels", labels.deepCopy());
        }
        ObjectNode spec = svc.putObject("spec");
        ArrayNode ports = spec.putArray("ports");
        String protocol = inv.flags().string("protocol");
        String target = inv.flags().string("target-port");
        List<JsonNode> found = new ArrayList<>();
        if (inv.flags().string("port") != null) {
            for (String p : inv.flags().string("port").split(",")) {
                found.add(Codecs.json().createObjectNode().put("containerPort", number(p)));
            }
        } else {
            found.addAll(containerPorts(r.kind(), o));
        }
        if (found.isEmpty()) {
            throw new CliException("couldn't find port via --port flag or introspection");
        }
        for (int i = 0; i < found.size(); i++) {
            JsonNode cp = found.get(i);
            ObjectNode p = ports.addObject();
            if (found.size() > 1) {
                p.put("name", cp.path("name").isString() ? cp.path("name").asString() : "port-" + (i + 1));
            }
            int port = cp.path("containerPort").asInt();
            p.put("port", port);
            p.put("protocol", protocol != null ? protocol : cp.path("protocol").asString("TCP"));
            if (target == null) {
                p.put("targetPort", port);
            } else if (target.matches("\\d+")) {
                p.put("targetPort", Integer.parseInt(target));
            } else {
                p.put("targetPort", target);
            }
        }
        JsonNode selector = inv.flags().string("selector") != null ? pairs(inv.flags().string("selector"))
                : selector(r.kind(), o);
        spec.set("selector", selector);
        if (inv.flags().string("cluster-ip") != null) {
            spec.put("clusterIP", inv.flags().string("cluster-ip"));
        }
        if (inv.flags().string("type") != null) {
            spec.put("type", inv.flags().string("type"));
        }
        svc.putObject("status").putObject("loadBalancer");
        ApiResource services = inv.discovery().forKind("v1", "Service")
                .orElseThrow(() -> new CliException("the server doesn't have a resource type \"services\""));
        ObjectNode created = dry == WriteOutput.DryRun.CLIENT ? svc
                : WriteOutput.rest(inv).create(services, ns, svc, dry.query());
        WriteOutput.print(inv, format, services, created, "exposed", dry);
        return 0;
    }

    private static int number(String p) {
        if (!p.strip().matches("\\d+")) {
            throw new UsageException("invalid port \"" + p + "\": a port is a number");
        }
        return Integer.parseInt(p.strip());
    }

    private static ObjectNode pairs(String text) {
        ObjectNode o = Codecs.json().createObjectNode();
        for (String kv : text.split(",")) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("invalid label selector or labels \"" + text + "\": use key=value,...");
            }
            o.put(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
        }
        return o;
    }

    /** The object's own pod selector, as kubectl's expose introspects it. */
    private static JsonNode selector(String kind, JsonNode o) {
        JsonNode s = switch (kind) {
            case "Pod" -> o.path("metadata").path("labels");
            case "Service", "ReplicationController" -> o.path("spec").path("selector");
            case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet" -> {
                JsonNode sel = o.path("spec").path("selector");
                if (sel.path("matchExpressions").size() > 0) {
                    throw new CliException("couldn't convert expressions - \"" + sel.path("matchExpressions")
                            + "\" to map: operator must be \"In\" with a single value to be exposed; use --selector");
                }
                yield sel.path("matchLabels");
            }
            default -> throw new CliException("cannot expose a " + kind);
        };
        if (!s.isObject() || s.isEmpty()) {
            throw new CliException("couldn't retrieve selectors via --selector flag or introspection: the " + kind
                    + " has no selector");
        }
        return s.deepCopy();
    }

    /** The container ports of a pod or a workload's pod template (a service: its ports' targetPorts). */
    private static List<JsonNode> containerPorts(String kind, JsonNode o) {
        List<JsonNode> out = new ArrayList<>();
        JsonNode podSpec = kind.equals("Pod") ? o.path("spec") : o.path("spec").path("template").path("spec");
        if (kind.equals("Service")) {
            for (JsonNode p : o.path("spec").path("ports")) {
                ObjectNode c = Codecs.json().createObjectNode();
                c.put("containerPort", p.path("port").asInt());
                if (p.has("name")) {
                    c.put("name", p.path("name").asString());
                }
                c.put("protocol", p.path("protocol").asString("TCP"));
                out.add(c);
            }
            return out;
        }
        for (JsonNode c : podSpec.path("containers")) {
            for (JsonNode p : c.path("ports")) {
                out.add(p);
            }
        }
        return out;
    }
}
