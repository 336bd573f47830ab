package io.kube4j.cli.commands.events;

import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.api.ApiResource;
import io.kube4j.cli.api.Fetch;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import io.kube4j.cli.commands.describe.Describers;
import io.kube4j.cli.output.Colors;
import io.kube4j.cli.output.Table;
import io.kube4j.client.ListOptions;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import static io.kube4j.cli.api.Trees.text;

/**
 * {@code k4j events} — kubectl's {@code events}: {@code LAST SEEN TYPE REASON OBJECT MESSAGE} sorted by time,
 * {@code -A}, {@code --for TYPE/NAME}, {@code --types=Warning,Normal}, {@code -w} live over the SSE watch. On a
 * terminal, Warning rows are yellow.
 */
@Component
public class EventsCommand extends KubeCommand {

    public EventsCommand() {
        super("events", "List events");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.bool("-A, --all-namespaces", "If present, list the requested object(s) across all namespaces.");
        b.string("--for", "TYPE/NAME", null, "Filter events to only those pertaining to the specified resource.");
        b.repeated("--types", "TYPES", "Output only events of given types (Normal, Warning; comma separated).");
        b.bool("-w, --watch", "After listing the requested events, watch for more events.");
        b.bool("--no-headers", "When using the default output format, don't print headers.");
    }

    @Override
    protected String examples() {
        return """
                  # List recent events in the default namespace
                  k4j events

                  # List recent only events in given event types
                  k4j events --types=Warning,Normal

                  # List recent events for the specified pod, then wait for more events and list them as they arrive
                  k4j events --for pod/web-pod-13je7 --watch
                """;
    }

    @Override
    protected int run(Invocation inv) {
        if (!inv.args().isEmpty()) {
            throw new UsageException("unknown command \"" + inv.args().get(0) + "\" for \"k4j events\"");
        }
        Set<String> types = new TreeSet<>();
        for (String t : inv.flags().repeated("types")) {
            for (String one : t.split(",")) {
                String v = one.trim();
                if (v.isEmpty()) {
                    continue;
                }
                String norm = v.substring(0, 1).toUpperCase(Locale.ROOT) + v.substring(1).toLowerCase(Locale.ROOT);
                if (!norm.equals("Normal") && !norm.equals("Warning")) {
                    throw new UsageException("valid --types are Normal or Warning");
                }
                types.add(norm);
            }
        }
        boolean all = inv.flags().bool("all-namespaces");
        String ns = all ? null : inv.namespace();
        String fieldSelector = null;
        String forArg = inv.flags().string("for");
        if (forArg != null && !forArg.isBlank()) {
            int slash = forArg.indexOf('/');
            if (slash <= 0 || slash == forArg.length() - 1) {
                throw new UsageException("--for must be in resource/name form");
            }
            ApiResource r = inv.discovery().resolve(forArg.substring(0, slash));
            fieldSelector = "involvedObject.kind=" + r.kind() + ",involvedObject.name=" + forArg.substring(slash + 1);
        }
        ApiResource events = inv.discovery().resolve("events");
        events = inv.discovery().forKind("v1", "Event").orElse(events);
        Instant now = Instant.now();
        List<JsonNode> list = new ArrayList<>(Fetch.list(inv.client(), events, ns, null, fieldSelector).stream()
                .filter(e -> types.isEmpty() || types.contains(text(e, "type"))).toList());
        list.sort(Comparator.comparing(Describers::lastTime));
        boolean headers = !inv.flags().bool("no-headers");
        Colors c = inv.colors();
        if (!inv.flags().bool("watch")) {
            if (list.isEmpty()) {
                inv.err().println(all ? "No events found." : "No events found in " + ns + " namespace.");
                return 0;
            }
            Table t = new Table();
            if (headers) {
                t.row(header(all));
            }
            list.forEach(e -> t.row(row(e, all, now, c)));
            t.print(inv.out());
            return 0;
        }
        // -w: the events so far (the watch's initial ADDED events), then each new one as it arrives
        boolean[] first = {true};
        String sel = fieldSelector;
        try {
            inv.client().dynamic(events.toResourceType())
                    .watch(ns, sel == null ? ListOptions.all() : ListOptions.all().withFieldSelector(sel), null)
                    .filter(w -> w.type() != io.kube4j.client.watch.WatchEvent.Type.DELETED
                            && w.type() != io.kube4j.client.watch.WatchEvent.Type.BOOKMARK)
                    .map(w -> (JsonNode) Codecs.json().valueToTree(w.object()))
                    .filter(e -> types.isEmpty() || types.contains(text(e, "type")))
                    .doOnNext(e -> {
                        Table t = new Table();
                        if (first[0] && headers) {
                            t.row(header(all));
                        }
                        first[0] = false;
                        t.row(row(e, all, Instant.now(), c));
                        t.print(inv.out());
                        inv.out().flush();
                    })
                    .blockLast();
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted() || e.getCause() instanceof InterruptedException) {
                return 0;
            }
            throw e;
        }
        return 0;
    }

    private static List<String> header(boolean all) {
        List<String> h = new ArrayList<>();
        if (all) {
            h.add("NAMESPACE");
        }
        h.addAll(List.of("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"));
        return h;
    }

    static List<String> row(JsonNode e, boolean all, Instant now, Colors c) {
        List<String> r = new ArrayList<>();
        if (all) {
            r.add(text(e, "metadata.namespace"));
        }
        r.add(Describers.eventInterval(e, now));
        String type = text(e, "type");
        r.add(type.equals("Warning") ? c.yellow(type) : type);
        r.add(text(e, "reason"));
        r.add(text(e, "involvedObject.kind") + "/" + text(e, "involvedObject.name"));
        r.add(text(e, "message").strip());
        return r;
    }
}
