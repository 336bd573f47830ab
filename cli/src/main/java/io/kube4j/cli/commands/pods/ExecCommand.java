package io.kube4j.cli.commands.pods;

import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.cli.api.RemoteCommand;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import org.springframework.stereotype.Component;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code k4j exec (POD | TYPE/NAME) [-c CONTAINER] [-i] [-t] -- COMMAND [args...]}: runs a command in a container over
 * the WebSocket remote-command protocol; the remote exit code is k4j's.
 */
@Component
public class ExecCommand extends KubeCommand {

    public ExecCommand() {
        super("exec", "Execute a command in a container");
    }

    @Override
    protected void flags(Flags.Builder b) {
        RemoteSession.streamFlags(b);
        b.positionals("(POD | TYPE/NAME) [-- COMMAND [args...]]", "The pod (or workload) and the command");
    }

    @Override
    protected String examples() {
        return """
                  # Get output from running the 'date' command from pod mypod, using the first container by default
                  k4j exec mypod -- date

                  # Switch to raw terminal mode; sends stdin to 'bash' in ruby-container from pod mypod
                  k4j exec mypod -c ruby-container -i -t -- bash -il

                  # Get output from running 'date' in the first pod of the deployment mydeployment
                  k4j exec deploy/mydeployment -- date
                """;
    }

    @Override
    protected int run(Invocation inv) throws Exception {
        List<String> args = inv.args();
        if (args.isEmpty()) {
            throw new UsageException("pod, type/name or --filename must be specified");
        }
        List<String> command = new ArrayList<>(inv.flags().afterDashDash());
        if (args.size() > 1) {
            // kubectl still accepts the deprecated form `exec POD COMMAND`
            if (!command.isEmpty()) {
                throw new UsageException("exec [POD] [COMMAND] is not supported together with -- COMMAND");
            }
            inv.err().println("k4j exec [POD] [COMMAND] is DEPRECATED and will be removed in a future version. "
                    + "Use k4j exec [POD] -- [COMMAND] instead.");
            command.addAll(args.subList(1, args.size()));
        }
        if (command.isEmpty()) {
            throw new UsageException("you must specify at least one command for the container");
        }
        boolean stdin = inv.flags().bool("stdin");
        boolean tty = RemoteSession.useTty(inv, inv.flags().bool("tty"), stdin);
        String ns = inv.namespace();
        Pod pod = PodTargets.resolve(inv, args.get(0), ns);
        PodTargets.requireRunning(pod, "exec into");
        String container = PodTargets.container(pod, inv.flags().string("container"),
                inv.flags().bool("quiet") ? null : inv.err());
        StringBuilder path = new StringBuilder("/api/v1/namespaces/").append(ns).append("/pods/")
                .append(pod.getMetadata().getName()).append("/exec?container=").append(PodTargets.encode(container));
        for (String c : command) {
            path.append("&command=").append(PodTargets.encode(c));
        }
        path.append(RemoteSession.streamsQuery(stdin, tty));
        try {
            return RemoteSession.run(inv, path.toString(), stdin, tty);
        } catch (RemoteCommand.RemoteFailure e) {
            throw new CliException(e.getMessage());
        }
    }
}
