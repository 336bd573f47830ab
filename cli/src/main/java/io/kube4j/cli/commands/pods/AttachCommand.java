package io.kube4j.cli.commands.pods;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.cli.api.RemoteCommand;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import org.springframework.stereotype.Component;

/** {@code k4j attach (POD | TYPE/NAME) [-c CONTAINER] [-i] [-t]}: attaches to a running container's main process. */
@Component
public class AttachCommand extends KubeCommand {

    public AttachCommand() {
        super("attach", "Attach to a running container");
    }

    @Override
    protected void flags(Flags.Builder b) {
        RemoteSession.streamFlags(b);
        b.positionals("(POD | TYPE/NAME)", "The pod (or workload) to attach to");
    }

    @Override
    protected String examples() {
        return """
                  # Get output from running pod mypod; use the default container
                  k4j attach mypod

                  # Switch to raw terminal mode; sends stdin to 'bash' in ruby-container from pod mypod
                  k4j attach mypod -c ruby-container -i -t
                """;
    }

    @Override
    protected int run(Invocation inv) throws Exception {
        if (inv.args().size() != 1) {
            throw new UsageException("expected POD or TYPE/NAME as the only argument");
        }
        boolean stdin = inv.flags().bool("stdin");
        boolean quiet = inv.flags().bool("quiet");
        String ns = inv.namespace();
        Pod pod = PodTargets.resolve(inv, inv.args().get(0), ns);
        PodTargets.requireRunning(pod, "attach to");
        String container = PodTargets.container(pod, inv.flags().string("container"), quiet ? null : inv.err());
        boolean tty = RemoteSession.useTty(inv, inv.flags().bool("tty"), stdin);
        if (tty) {
            Container spec = pod.getSpec().getContainers().stream().filter(c -> c.getName().equals(container))
                    .findFirst().orElse(null);
            if (spec != null && !Boolean.TRUE.equals(spec.getTty())) {
                inv.err().println("Unable to use a TTY - container " + container + " did not allocate one");
                tty = false;
            }
        }
        if ((stdin || tty) && !quiet) {
            inv.err().println("If you don't see a command prompt, try pressing enter.");
        }
        String path = "/api/v1/namespaces/" + ns + "/pods/" + pod.getMetadata().getName() + "/attach?container="
                + PodTargets.encode(container) + RemoteSession.streamsQuery(stdin, tty);
        try {
            return RemoteSession.run(inv, path, stdin, tty);
        } catch (RemoteCommand.RemoteFailure e) {
            throw new CliException(e.getMessage());
        }
    }
}
