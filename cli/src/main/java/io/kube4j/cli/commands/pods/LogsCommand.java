package io.kube4j.cli.commands.pods;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code k4j logs}: a container's log ({@code GET .../pods/x/log}), streamed; {@code -f} follows until the container
 * ends. Several pods ({@code -l}) or containers ({@code --all-containers}) are read one after the other, or followed
 * concurrently, optionally with kubectl's {@code [pod/NAME/CONTAINER]} prefix.
 */
@Component
public class LogsCommand extends KubeCommand {

    public LogsCommand() {
        super("logs", "Print the logs for a container in a pod");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.string("-c, --container", "CONTAINER", null, "Print the logs of this container");
        b.bool("-f, --follow", "Specify if the logs should be streamed.");
        b.integer("--tail", "N", -1, "Lines of recent log file to display. Defaults to -1 with no selector, showing "
                + "all log lines otherwise 10, if a selector is provided.");
        b.string("--since", "DURATION", null, "Only return logs newer than a relative duration like 5s, 2m, or 3h.");
        b.string("--since-time", "TIME", null, "Only return logs after a specific date (RFC3339).");
        b.bool("--timestamps", "Include timestamps on each line in the log output");
        b.bool("-p, --previous", "If true, print the logs for the previous instance of the container in a pod if it exists.");
        b.string("-l, --selector", "SELECTOR", null, "Selector (label query) to filter on.");
        b.integer("--max-log-requests", "N", 5, "Specify maximum number of concurrent logs to follow when using by a "
                + "selector. Defaults to 5.");
        b.bool("--prefix", "Prefix each log line with the log source (pod name and container name)");
        b.bool("--all-containers", "Get all containers' logs in the pod(s).");
        b.integer("--limit-bytes", "N", 0, "Maximum bytes of logs to return. Defaults to no limit.");
        LogSearch.flags(b);
        b.positionals("(POD | TYPE/NAME) [CONTAINER]", "The pod (or workload) and optionally the container");
    }

    @Override
    protected String examples() {
        return """
                  # Return snapshot logs from pod nginx with only one container
                  k4j logs nginx

                  # Begin streaming the logs of the ruby container in pod web-1
                  k4j logs -f -c ruby web-1

                  # Show the 20 most recent lines of all pods labelled app=nginx, prefixed with their source
                  k4j logs -l app=nginx --tail=20 --prefix --all-containers

                  # Return snapshot logs from the first container of a deployment named nginx
                  k4j logs deployment/nginx

                  # Search the collected logs of the last hour (deleted pods too) of pods labelled app=web
                  k4j logs --search 'timeout' -l app=web --since 1h
                """;
    }

    /** One log to read. */
    record Source(String pod, String container) {
        String prefix() {
            return "[pod/" + pod + "/" + container + "] ";
        }
    }

    @Override
    protected int run(Invocation inv) {
        Flags.Parsed f = inv.flags();
        if (f.string("search") != null) {
            return LogSearch.run(inv);
        }
        String selector = f.string("selector");
        List<String> args = inv.args();
        if (selector != null && !args.isEmpty()) {
            throw new UsageException("only one of -l or a pod name may be specified");
        }
        if (selector == null && (args.isEmpty() || args.size() > 2)) {
            throw new UsageException("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n"
                    + "POD or TYPE/NAME is a required argument for the logs command");
        }
        String container = f.string("container");
        if (args.size() == 2) {
            if (container != null) {
                throw new UsageException("only one of -c or an inline [CONTAINER] arg is allowed");
            }
            container = args.get(1);
        }
        if (f.given("since") && f.given("since-time")) {
            throw new UsageException("at most one of `sinceTime` or `sinceSeconds` may be specified");
        }
        boolean all = f.bool("all-containers");
        if (all && container != null) {
            throw new UsageException("--container cannot be specified with --all-containers");
        }
        String ns = inv.namespace();
        List<Pod> pods;
        if (selector != null) {
            pods = PodTargets.list(inv, ns, selector);
            if (pods.isEmpty()) {
                inv.err().println("No resources found in " + ns + " namespace.");
                return 0;
            }
        } else {
            pods = List.of(PodTargets.resolve(inv, args.get(0), ns));
        }
        List<Source> sources = new ArrayList<>();
        for (Pod pod : pods) {
            String name = pod.getMetadata().getName();
            if (all) {
                for (String c : allContainers(pod)) {
                    sources.add(new Source(name, c));
                }
            } else {
                sources.add(new Source(name, PodTargets.container(pod, container, inv.err())));
            }
        }
        boolean follow = f.bool("follow");
        int max = f.integer("max-log-requests");
        if (follow && sources.size() > max) {
            throw new io.kube4j.cli.command.CliException("you are attempting to follow " + sources.size()
                    + " log streams, but maximum allowed concurrency is " + max
                    + ", use --max-log-requests to increase the limit");
        }
        String query = query(f, selector != null);
        boolean prefix = f.bool("prefix");
        if (!prefix) {
            // the bytes as the server sends them (a last line without newline stays so)
            Flux<byte[]> out = follow && sources.size() > 1
                    ? Flux.merge(sources.stream().map(s -> bytes(inv, ns, s, query)).toList())
                    : Flux.concat(sources.stream().map(s -> bytes(inv, ns, s, query)).toList());
            out.doOnNext(b -> {
                synchronized (inv.out()) {
                    inv.out().write(b, 0, b.length);
                    inv.out().flush();
                }
            }).blockLast();
        } else {
            List<Flux<String>> lines = sources.stream().map(s -> inv.client().raw().lines(path(ns, s, query))
                    .map(l -> s.prefix() + l)).toList();
            (follow ? Flux.merge(lines) : Flux.concat(lines)).doOnNext(l -> {
                synchronized (inv.out()) {
                    inv.out().println(l);
                }
            }).blockLast();
        }
        inv.out().flush();
        return 0;
    }

    private static Flux<byte[]> bytes(Invocation inv, String ns, Source s, String query) {
        return inv.client().raw().stream(path(ns, s, query), MediaType.ALL);
    }

    private static String path(String ns, Source s, String query) {
        return "/api/v1/namespaces/" + ns + "/pods/" + s.pod() + "/log?container=" + PodTargets.encode(s.container())
                + query;
    }

    /** The log request's options (kubectl's PodLogOptions). */
    static String query(Flags.Parsed f, boolean bySelector) {
        StringBuilder q = new StringBuilder();
        if (f.bool("follow")) {
            q.append("&follow=true");
        }
        int tail = f.integer("tail");
        if (tail < 0 && bySelector) {
            tail = 10;
        }
        if (tail >= 0) {
            q.append("&tailLines=").append(tail);
        }
        if (f.string("since") != null) {
            Duration d = Invocation.Durations.parse(f.string("since"));
            long seconds = Math.max(1, (d.toMillis() + 999) / 1000);
            q.append("&sinceSeconds=").append(seconds);
        }
        if (f.string("since-time") != null) {
            try {
                java.time.OffsetDateTime.parse(f.string("since-time"));
            } catch (java.time.format.DateTimeParseException e) {
                throw new UsageException("--since-time must be an RFC3339 time, e.g. 2024-01-02T15:04:05Z");
            }
            q.append("&sinceTime=").append(PodTargets.encode(f.string("since-time")));
        }
        if (f.bool("timestamps")) {
            q.append("&timestamps=true");
        }
        if (f.bool("previous")) {
            q.append("&previous=true");
        }
        if (f.integer("limit-bytes") > 0) {
            q.append("&limitBytes=").append(f.integer("limit-bytes"));
        }
        return q.toString();
    }

    /** kubectl's order for --all-containers: init containers, containers, ephemeral containers. */
    private static List<String> allContainers(Pod pod) {
        List<String> names = new ArrayList<>();
        if (pod.getSpec().getInitContainers() != null) {
            pod.getSpec().getInitContainers().stream().map(Container::getName).forEach(names::add);
        }
        pod.getSpec().getContainers().stream().map(Container::getName).forEach(names::add);
        if (pod.getSpec().getEphemeralContainers() != null) {
            pod.getSpec().getEphemeralContainers().stream().map(EphemeralContainer::getName).forEach(names::add);
        }
        return names;
    }
}
