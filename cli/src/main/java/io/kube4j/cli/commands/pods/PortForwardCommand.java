package io.kube4j.cli.commands.pods;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.api.PortForwardTunnel;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;

/**
 * {@code k4j port-forward (POD | TYPE/NAME) [LOCAL_PORT:]REMOTE_PORT...}: listens on local ports and carries each
 * accepted connection to the pod's port through the apiserver ({@link PortForwardTunnel}), until interrupted or the
 * pod goes away.
 */
@Component
public class PortForwardCommand extends KubeCommand {

    private static final Duration OPEN_TIMEOUT = Duration.ofSeconds(30);

    public PortForwardCommand() {
        super("port-forward", "Forward one or more local ports to a pod");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.string("--address", "ADDRESSES", "localhost", "Addresses to listen on (comma separated). Only accepts IP "
                + "addresses or localhost as a value. When localhost is supplied, k4j will try to bind on both "
                + "127.0.0.1 and ::1 and will fail if neither of these addresses are available to bind.");
        b.positionals("(POD | TYPE/NAME) [LOCAL_PORT:]REMOTE_PORT...", "The pod (or workload) and the ports");
    }

    @Override
    protected String examples() {
        return """
                  # Listen on ports 5000 and 6000 locally, forwarding data to/from ports 5000 and 6000 in the pod
                  k4j port-forward pod/mypod 5000 6000

                  # Listen on port 8888 locally, forwarding to 5000 in the pod
                  k4j port-forward pod/mypod 8888:5000

                  # Listen on a random port locally, forwarding to 5000 in the pod
                  k4j port-forward pod/mypod :5000

                  # Listen on port 8443 locally, forwarding to the targetPort of the service's port named "https"
                  k4j port-forward service/myservice 8443:https
                """;
    }

    /** One {@code [LOCAL:]REMOTE} argument; {@code local} 0: a random port. */
    record PortSpec(int local, String remote) {
        static PortSpec parse(String arg) {
            String[] parts = arg.split(":", -1);
            if (parts.length > 2 || parts[parts.length - 1].isEmpty()) {
                throw new UsageException("invalid port format '" + arg + "'");
            }
            String remote = parts[parts.length - 1];
            if (parts.length == 1) {
                if (!remote.matches("\\d+")) {
                    // a named remote port needs a local port number (kubectl uses the same number otherwise)
                    return new PortSpec(-1, remote);
                }
                return new PortSpec(port(remote, arg), remote);
            }
            return new PortSpec(parts[0].isEmpty() ? 0 : port(parts[0], arg), remote);
        }

        private static int port(String s, String arg) {
            try {
                int p = Integer.parseInt(s);
                if (p >= 0 && p <= 65535) {
                    return p;
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw new UsageException("Error parsing local port '" + s + "': in " + arg);
        }
    }

    @Override
    protected int run(Invocation inv) throws Exception {
        List<String> args = inv.args();
        if (args.size() < 2) {
            throw new UsageException("TYPE/NAME and list of ports are required for port-forward");
        }
        String ns = inv.namespace();
        List<PortSpec> specs = args.subList(1, args.size()).stream().map(PortSpec::parse).toList();
        JsonNode service = null;
        String target = args.get(0);
        if (target.contains("/")) {
            String type = target.substring(0, target.indexOf('/'));
            var res = inv.discovery().resolve(type);
            if (res.group().isEmpty() && res.plural().equals("services")) {
                service = Codecs.json().readTree(inv.client().raw()
                        .get(res.objectPath(ns, target.substring(target.indexOf('/') + 1))).block(OPEN_TIMEOUT));
            }
        }
        Pod pod = PodTargets.resolve(inv, target, ns);
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (!"Running".equals(phase)) {
            throw new CliException("unable to forward port because pod is not running. Current status=" + phase);
        }
        List<int[]> ports = new ArrayList<>();
        for (PortSpec s : specs) {
            int remote = remotePort(pod, service, s.remote());
            int local = s.local() < 0 ? remote : s.local();
            ports.add(new int[] {local, remote});
        }
        List<InetAddress> addresses = addresses(inv.flags().string("address"));
        String path = "/api/v1/namespaces/" + ns + "/pods/" + pod.getMetadata().getName() + "/portforward";
        List<ServerSocket> listeners = new ArrayList<>();
        try (PortForwardTunnel tunnel = PortForwardTunnel.open(inv.client(), path,
                msg -> inv.err().println("E" + " " + msg), OPEN_TIMEOUT)) {
            for (int[] p : ports) {
                int local = p[0];
                boolean any = false;
                List<String> failures = new ArrayList<>();
                for (InetAddress a : addresses) {
                    ServerSocket ss = new ServerSocket();
                    try {
                        ss.setReuseAddress(true);
                        ss.bind(new InetSocketAddress(a, local));
                    } catch (IOException e) {
                        ss.close();
                        failures.add(e.getMessage());
                        continue;
                    }
                    local = ss.getLocalPort();
                    any = true;
                    listeners.add(ss);
                    String host = a.getHostAddress().contains(":") ? "[" + hostOf(a) + "]" : a.getHostAddress();
                    inv.out().println("Forwarding from " + host + ":" + local + " -> " + p[1]);
                    accept(inv, tunnel, ss, p[1]);
                }
                if (!any) {
                    throw new CliException("unable to listen on any of the requested ports: " + failures);
                }
            }
            inv.out().flush();
            try {
                tunnel.closedFuture().get();
            } catch (ExecutionException e) {
                // the tunnel is gone either way
            }
            throw new CliException("lost connection to pod");
        } finally {
            for (ServerSocket s : listeners) {
                s.close();
            }
        }
    }

    private static String hostOf(InetAddress a) {
        return a.isLoopbackAddress() ? "::1" : a.getHostAddress();
    }

    private static void accept(Invocation inv, PortForwardTunnel tunnel, ServerSocket ss, int remote) {
        Thread t = new Thread(() -> {
            while (!ss.isClosed()) {
                try {
                    Socket s = ss.accept();
                    inv.out().println("Handling connection for " + ss.getLocalPort());
                    tunnel.forward(s, remote);
                } catch (IOException e) {
                    return;
                }
            }
        }, "k4j-port-forward-accept");
        t.setDaemon(true);
        t.start();
    }

    private static List<InetAddress> addresses(String flag) throws IOException {
        List<InetAddress> out = new ArrayList<>();
        for (String a : flag.split(",")) {
            String s = a.trim();
            if (s.equals("localhost")) {
                out.add(InetAddress.getByName("127.0.0.1"));
                out.add(InetAddress.getByName("::1"));
            } else if (s.matches("[0-9.]+|[0-9a-fA-F:]+")) {
                out.add(InetAddress.getByName(s));
            } else {
                throw new UsageException(s + " is not a valid IP");
            }
        }
        return out;
    }

    /** A remote port: a number, a container port's name, or through a service its port's targetPort. */
    static int remotePort(Pod pod, JsonNode service, String remote) {
        if (service != null) {
            for (JsonNode p : service.path("spec").path("ports")) {
                if (p.path("name").asString("").equals(remote) || Integer.toString(p.path("port").asInt()).equals(remote)) {
                    JsonNode target = p.path("targetPort");
                    if (target.isMissingNode() || target.isNull()) {
                        return p.path("port").asInt();
                    }
                    return target.isNumber() ? target.asInt() : containerPort(pod, target.asString());
                }
            }
            throw new CliException("Service " + service.path("metadata").path("name").asString()
                    + " does not have a service port " + remote);
        }
        if (remote.matches("\\d+")) {
            int p = Integer.parseInt(remote);
            if (p < 1 || p > 65535) {
                throw new UsageException("invalid remote port " + remote);
            }
            return p;
        }
        return containerPort(pod, remote);
    }

    private static int containerPort(Pod pod, String name) {
        for (Container c : pod.getSpec().getContainers()) {
            if (c.getPorts() != null) {
                for (ContainerPort p : c.getPorts()) {
                    if (name.equals(p.getName())) {
                        return p.getContainerPort();
                    }
                }
            }
        }
        throw new CliException("Pod '" + pod.getMetadata().getName() + "' does not have a named port '" + name + "'");
    }
}
