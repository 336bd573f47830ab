package io.kube4j.cli.commands.rollout;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.client.ListOptions;
import io.kube4j.client.watch.WatchEvent;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code k4j rollout status TYPE/NAME}: kubectl's status viewer driven by the object's SSE watch (list then watch
 * with {@code fieldSelector=metadata.name=NAME}), printing kubectl's lines until the rollout is done, fails or times
 * out; on a terminal a live progress bar is redrawn in place below them.
 */
@Component
public class RolloutStatusCommand extends KubeCommand {

    public RolloutStatusCommand() {
        super("rollout status", "Show the status of the rollout");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.boolDefaultTrue("-w, --watch", "Watch the status of the rollout until it's done.");
        b.string("--timeout", "DURATION", "0s",
                "The length of time to wait before ending watch, zero means never.");
        b.integer("--revision", "N", 0, "Pin to a specific revision for showing its status. Defaults to 0 (last "
                + "revision).");
        b.positionals("(TYPE NAME | TYPE/NAME)", "deployments, daemonsets and statefulsets");
    }

    @Override
    protected String examples() {
        return "  # Watch the rollout status of a deployment\n  k4j rollout status deployment/nginx";
    }

    @Override
    protected int run(Invocation inv) {
        Duration timeout = Invocation.Durations.parse(inv.flags().string("timeout"));
        long revision = inv.flags().integer("revision");
        if (revision < 0) {
            throw new io.kube4j.cli.command.UsageException("revision must be a positive integer: " + revision);
        }
        Workloads.Obj target = Workloads.one(inv);
        String kind = target.resource().kind();
        if (!target.resource().group().equals("apps")
                || !(kind.equals("Deployment") || kind.equals("DaemonSet") || kind.equals("StatefulSet"))) {
            throw new CliException("no status viewer has been implemented for " + Workloads.groupKind(
                    target.resource()));
        }
        Printer printer = new Printer(inv, kind);
        if (!inv.flags().bool("watch")) {
            StatusViewer.Status s = StatusViewer.status(kind, target.tree(), revision);
            inv.out().println(s.message());
            return 0;
        }
        AtomicBoolean done = new AtomicBoolean();
        Flux<WatchEvent<GenericKubernetesResource>> events = Workloads.client(inv, target.resource())
                .watch(target.namespace(), ListOptions.all().withFieldSelector("metadata.name=" + target.name()), null);
        Flux<Object> flow = events.filter(e -> e.type() != WatchEvent.Type.BOOKMARK).handle((e, sink) -> {
            if (e.type() == WatchEvent.Type.DELETED) {
                sink.error(new CliException("object has been deleted"));
                return;
            }
            ObjectNode obj = Workloads.tree(e.object());
            StatusViewer.Status s;
            try {
                s = StatusViewer.status(kind, obj, revision);
            } catch (CliException failed) {
                printer.clear();
                sink.error(failed);
                return;
            }
            printer.show(s.message(), obj);
            if (s.done()) {
                done.set(true);
                sink.complete();
            }
        });
        if (!timeout.isZero()) {
            flow = flow.takeUntilOther(Mono.delay(timeout));
        }
        try {
            flow.blockLast();
        } finally {
            printer.clear();
            inv.out().flush();
        }
        if (!done.get()) {
            throw new CliException("timed out waiting for the condition");
        }
        return 0;
    }

    /** kubectl's lines (each distinct line once), and on a terminal the progress bar redrawn under them. */
    private static final class Printer {
        private final PrintStream out;
        private final boolean terminal;
        private final Invocation inv;
        private final String kind;
        private String last;
        private boolean barShown;

        Printer(Invocation inv, String kind) {
            this.inv = inv;
            this.out = inv.out();
            this.terminal = inv.io().terminal();
            this.kind = kind;
        }

        synchronized void show(String line, ObjectNode obj) {
            if (!line.equals(last)) {
                clear();
                out.println(line);
                last = line;
            }
            if (terminal) {
                out.print("\r\033[K" + ProgressBar.render(ProgressBar.counts(kind, obj), inv.colors()));
                barShown = true;
            }
            out.flush();
        }

        synchronized void clear() {
            if (barShown) {
                out.print("\r\033[K");
                barShown = false;
                out.flush();
            }
        }
    }
}
