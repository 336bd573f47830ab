package io.kube4j.cli.commands.create;

import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.UsageException;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code k4j create service clusterip|nodeport NAME --tcp=port[:targetPort],...}: kubectl's service generators. */
public abstract class ServiceGenerator extends GeneratorCommand {

    private final String type;

    protected ServiceGenerator(String subcommand, String type, String description) {
        super("create service " + subcommand, description, "v1", "Service", true);
        this.type = type;
    }

    @Override
    protected void generatorFlags(Flags.Builder b) {
        b.repeated("--tcp", "PORT:TARGET", "Port pairs can be specified as '<port>:<targetPort>'.");
        if (type.equals("ClusterIP")) {
            b.string("--clusterip", "IP", null, "Assign your own ClusterIP or set to 'None' for a 'headless' service");
        } else {
            b.integer("--node-port", "PORT", 0, "Port used to expose the service on each node in a cluster.");
        }
    }

    @Override
    protected void build(Invocation inv, String name, ObjectNode o) {
        ((ObjectNode) o.get("metadata")).putObject("labels").put("app", name);
        ObjectNode spec = o.putObject("spec");
        ArrayNode ports = spec.putArray("ports");
        String clusterIp = type.equals("ClusterIP") ? inv.flags().string("clusterip") : null;
        for (String pair : inv.flags().repeated("tcp").stream()
                .flatMap(s -> java.util.Arrays.stream(s.split(","))).filter(s -> !s.isBlank()).toList()) {
            String[] pt = pair.split(":", -1);
            if (pt.length > 2 || !pt[0].matches("\\d+") || pt.length == 2 && pt[1].isEmpty()) {
                throw new UsageException("invalid port pair \"" + pair + "\": use port or port:targetPort");
            }
            ObjectNode p = ports.addObject();
            p.put("name", pt.length == 2 ? pt[0] + "-" + pt[1] : pt[0]);
            if (!type.equals("ClusterIP") && inv.flags().integer("node-port") > 0) {
                p.put("nodePort", inv.flags().integer("node-port"));
            }
            p.put("port", Integer.parseInt(pt[0]));
            p.put("protocol", "TCP");
            String target = pt.length == 2 ? pt[1] : pt[0];
            if (target.matches("\\d+")) {
                p.put("targetPort", Integer.parseInt(target));
            } else {
                p.put("targetPort", target);
            }
        }
        if (ports.isEmpty() && !"None".equals(clusterIp)) {
            throw new UsageException("at least one port must be specified (--tcp)");
        }
        if (clusterIp != null) {
            spec.put("clusterIP", clusterIp);
        }
        spec.putObject("selector").put("app", name);
        spec.put("type", type);
        o.putObject("status").putObject("loadBalancer");
    }
}
