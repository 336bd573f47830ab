package io.kube4j.cli.commands.simulate;

import io.kube4j.api.codec.Codecs;
import io.kube4j.cli.api.Manifests;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import io.kube4j.cli.output.Table;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code k4j simulate -f pod.yaml} (not in kubectl): asks the scheduler's what-if endpoint ({@code POST /simulate},
 * which is served by the scheduler itself, not behind the apiserver) where the pod would go, and prints NODE FITS
 * SCORE REASONS, best first. Exit code 0 when some node fits, 1 when none does.
 */
@Component
public class SimulateCommand extends KubeCommand {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    public SimulateCommand() {
        super("simulate", "Show where the scheduler would place a pod, and why other nodes do not fit");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.repeated("-f, --filename", "FILE", "The pod manifest(s): a file, a directory, a URL or - for stdin");
        b.string("--scheduler", "URL", null,
                "The scheduler's URL (default $K4J_SCHEDULER_URL, else http://127.0.0.1:10259)");
        b.string("-o, --output", "FORMAT", "", "Output format: json or yaml prints the scheduler's answer as is");
    }

    @Override
    protected String examples() {
        return "  # Where would this pod go?\n  k4j simulate -f pod.yaml";
    }

    @Override
    protected int run(Invocation inv) throws IOException, InterruptedException {
        List<String> files = inv.flags().repeated("filename");
        if (files.isEmpty()) {
            throw new UsageException("must specify -f with the pod to simulate");
        }
        String output = inv.flags().string("output");
        if (!output.isEmpty() && !output.equals("json") && !output.equals("yaml")) {
            throw new UsageException("unable to match a printer suitable for the output format \"" + output
                    + "\", allowed formats are: json,yaml");
        }
        String base = inv.flags().string("scheduler");
        if (base == null || base.isBlank()) {
            base = inv.io().env("K4J_SCHEDULER_URL");
        }
        if (base == null || base.isBlank()) {
            base = "http://127.0.0.1:10259";
        }
        List<ObjectNode> pods = new ArrayList<>();
        for (Manifests.Document d : Manifests.read(files, false, inv.io())) {
            if (!d.kind().equals("Pod") && !d.kind().isEmpty()) {
                throw new CliException(d.source() + ": simulate takes Pods, not " + d.kind(), 1);
            }
            ObjectNode pod = d.object().deepCopy();
            ObjectNode meta = pod.get("metadata") instanceof ObjectNode m ? m : pod.putObject("metadata");
            if (meta.path("namespace").asString("").isEmpty()) {
                meta.put("namespace", namespaceOrDefault(inv));
            }
            pods.add(pod);
        }
        if (pods.isEmpty()) {
            throw new CliException("no objects passed to simulate", 1);
        }
        boolean anyFits = true;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        for (int i = 0; i < pods.size(); i++) {
            HttpResponse<String> r;
            URI uri = URI.create(base.replaceAll("/+$", "") + "/simulate");
            try {
                r = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Codecs.json().writeValueAsString(pods.get(i))))
                        .build(), HttpResponse.BodyHandlers.ofString());
            } catch (java.net.ConnectException e) {
                throw new CliException("the scheduler at " + base + " is not reachable (connection refused): "
                        + "pass --scheduler URL or set K4J_SCHEDULER_URL", 1);
            }
            JsonNode answer = Codecs.json().readTree(r.body());
            if (r.statusCode() != 200) {
                String reason = answer.path("reason").asString("");
                inv.err().println("Error from scheduler (" + (reason.isEmpty() ? r.statusCode() : reason) + "): "
                        + answer.path("message").asString(r.body()));
                throw new CliException(null, 1);
            }
            if (i > 0) {
                inv.out().println();
            }
            if (output.equals("json")) {
                inv.out().println(Codecs.json().writerWithDefaultPrettyPrinter().writeValueAsString(answer));
            } else if (output.equals("yaml")) {
                inv.out().print(Codecs.yaml().writeValueAsString(answer));
            } else {
                print(inv, answer);
            }
            anyFits &= answer.path("feasibleNodes").asInt(0) > 0;
        }
        return anyFits ? 0 : 1;
    }

    private static String namespaceOrDefault(Invocation inv) {
        try {
            return inv.namespace();
        } catch (RuntimeException e) {
            return "default";
        }
    }

    private static void print(Invocation inv, JsonNode answer) {
        String selected = answer.path("selectedNode").asString("");
        inv.out().println("Pod " + answer.path("pod").asString() + " (" + answer.path("profile").asString() + "): "
                + answer.path("feasibleNodes").asInt() + " of " + answer.path("totalNodes").asInt() + " nodes fit"
                + (selected.isEmpty() ? "" : "; the scheduler would pick " + inv.colors().bold(selected)));
        List<JsonNode> nodes = new ArrayList<>();
        answer.path("nodes").forEach(nodes::add);
        nodes.sort(Comparator.<JsonNode, Boolean>comparing(n -> !n.path("feasible").asBoolean())
                .thenComparing(n -> -n.path("totalScore").asLong(0))
                .thenComparing(n -> n.path("name").asString()));
        if (nodes.isEmpty()) {
            inv.out().println(answer.path("message").asString("no nodes"));
            return;
        }
        inv.out().println();
        Table t = new Table().row("NODE", "FITS", "SCORE", "REASONS");
        for (JsonNode n : nodes) {
            boolean fits = n.path("feasible").asBoolean();
            List<String> reasons = new ArrayList<>();
            n.path("reasons").forEach(x -> reasons.add(x.asString()));
            String why = fits ? "-" : n.path("filteredBy").asString("?") + ": " + String.join(", ", reasons);
            t.row(n.path("name").asString(), fits ? inv.colors().green("yes") : inv.colors().red("no"),
                    fits ? Long.toString(n.path("totalScore").asLong()) : "-", why);
        }
        t.print(inv.out());
    }
}
