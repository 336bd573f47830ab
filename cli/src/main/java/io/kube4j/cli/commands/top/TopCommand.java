package io.kube4j.cli.commands.top;

import io.kube4j.cli.api.ApiResource;
import io.kube4j.cli.api.Discovery;
import io.kube4j.cli.api.Fetch;
import io.kube4j.cli.command.CliException;
import io.kube4j.cli.command.Flags;
import io.kube4j.cli.command.Invocation;
import io.kube4j.cli.command.KubeCommand;
import io.kube4j.cli.command.UsageException;
import io.kube4j.cli.commands.describe.Quantities;
import io.kube4j.cli.output.Table;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.kube4j.cli.api.Trees.list;
import static io.kube4j.cli.api.Trees.map;
import static io.kube4j.cli.api.Trees.text;

/**
 * {@code k4j top nodes|pods} ({@code --containers}, {@code -A}, {@code -l}, {@code --sort-by=cpu|memory}) from the
 * metrics API ({@code metrics.k8s.io/v1beta1}) when discovery lists it; otherwise kubectl's
 * {@code error: Metrics API not available}. Columns as kubectl: nodes {@code NAME CPU(cores) CPU(%) MEMORY(bytes)
 * MEMORY(%)}, pods {@code NAME CPU(cores) MEMORY(bytes)} (with POD/NAME per container for {@code --containers}).
 */
@Component
public class TopCommand extends KubeCommand {

    public TopCommand() {
        super("top", "Display resource (CPU/memory) usage of nodes or pods");
    }

    @Override
    protected void flags(Flags.Builder b) {
        b.bool("-A, --all-namespaces", "If present, list the requested object(s) across all namespaces.");
        b.bool("--containers", "If present, print usage of containers within a pod.");
        b.string("-l, --selector", "SELECTOR", null, "Selector (label query) to filter on");
        b.string("--sort-by", "FIELD", null, "If non-empty, sort the list using specified field ('cpu' or 'memory').");
        b.bool("--no-headers", "If present, print output without headers.");
        b.positionals("node|pod [NAME]", "what to show");
    }

    @Override
    protected String examples() {
        return """
                  # Show metrics for all nodes
                  k4j top node

                  # Show metrics for all pods in the default namespace, per container
                  k4j top pod --containers
                """;
    }

    @Override
    protected int run(Invocation inv) {
        if (inv.args().isEmpty()) {
            throw new UsageException("specify what to show: k4j top node|pod [NAME]");
        }
        String what = inv.args().get(0);
        String name = inv.args().size() > 1 ? inv.args().get(1) : null;
        String sort = inv.flags().string("sort-by");
        if (sort != null && !sort.isEmpty() && !sort.equals("cpu") && !sort.equals("memory")) {
            throw new UsageException("--sort-by accepts only cpu or memory");
        }
        boolean nodes = switch (what) {
            case "node", "nodes", "no" -> true;
            case "pod", "pods", "po" -> false;
            default -> throw new UsageException("unknown command \"" + what + "\" for \"k4j top\"");
        };
        Discovery discovery = inv.discovery();
        Optional<ApiResource> metrics = discovery.resources().stream()
                .filter(r -> r.group().equals("metrics.k8s.io") && r.plural().equals(nodes ? "nodes" : "pods"))
                .findFirst();
        if (metrics.isEmpty()) {
            // as kubectl: a cluster without a metrics API (metrics-server, or kube4j's metrics-api disabled)
            throw new CliException("Metrics API not available", 1);
        }
        ApiResource m = metrics.get();
        boolean all = inv.flags().bool("all-namespaces");
        String ns = nodes ? null : all ? null : inv.namespace();
        List<JsonNode> items = name == null
                ? Fetch.list(inv.client(), m, ns, inv.flags().string("selector"), null)
                : List.of(Fetch.object(inv.client(), m, inv.namespace(), name));
        Table t = new Table();
        boolean headers = !inv.flags().bool("no-headers");
        if (nodes) {
            Map<String, JsonNode> nodeObjs = new java.util.HashMap<>();
            discovery.find("nodes").ifPresent(n -> Fetch.list(inv.client(), n, null, null, null)
                    .forEach(o -> nodeObjs.put(text(o, "metadata.name"), o)));
            List<JsonNode> sorted = sort(items, sort, i -> usage(i.path("usage")));
            if (headers) {
                t.row("NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)");
            }
            for (JsonNode i : sorted) {
                BigDecimal[] u = usage(i.path("usage"));
                JsonNode node = nodeObjs.get(text(i, "metadata.name"));
                Map<String, String> alloc = node == null ? Map.of() : map(node, "status.allocatable");
                BigDecimal cpuAlloc = Quantities.parse(alloc.get("cpu"));
                BigDecimal memAlloc = Quantities.parse(alloc.get("memory"));
                t.row(text(i, "metadata.name"), millis(u[0]), percent(u[0], cpuAlloc), mebi(u[1]),
                        percent(u[1], memAlloc));
            }
        } else {
            List<JsonNode> sorted = sort(items, sort, TopCommand::podUsage);
            boolean containers = inv.flags().bool("containers");
            if (headers) {
                List<String> h = new ArrayList<>();
                if (all) {
                    h.add("NAMESPACE");
                }
                h.addAll(containers ? List.of("POD", "NAME", "CPU(cores)", "MEMORY(bytes)")
                        : List.of("NAME", "CPU(cores)", "MEMORY(bytes)"));
                t.row(h);
            }
            for (JsonNode i : sorted) {
                if (containers) {
                    for (JsonNode c : list(i, "containers")) {
                        BigDecimal[] u = usage(c.path("usage"));
                        List<String> r = new ArrayList<>();
                        if (all) {
                            r.add(text(i, "metadata.namespace"));
                        }
                        r.addAll(List.of(text(i, "metadata.name"), text(c, "name"), millis(u[0]), mebi(u[1])));
                        t.row(r);
                    }
                } else {
                    BigDecimal[] u = podUsage(i);
                    List<String> r = new ArrayList<>();
                    if (all) {
                        r.add(text(i, "metadata.namespace"));
                    }
                    r.addAll(List.of(text(i, "metadata.name"), millis(u[0]), mebi(u[1])));
                    t.row(r);
                }
            }
        }
        if (items.isEmpty()) {
            inv.err().println(nodes || all ? "No resources found" : "No resources found in " + ns + " namespace.");
            return 0;
        }
        t.print(inv.out());
        return 0;
    }

    private static List<JsonNode> sort(List<JsonNode> items, String by, java.util.function.Function<JsonNode,
            BigDecimal[]> usage) {
        List<JsonNode> l = new ArrayList<>(items);
        if ("cpu".equals(by)) {
            l.sort(Comparator.comparing((JsonNode i) -> usage.apply(i)[0]).reversed());
        } else if ("memory".equals(by)) {
            l.sort(Comparator.comparing((JsonNode i) -> usage.apply(i)[1]).reversed());
        } else {
            l.sort(Comparator.comparing(i -> text(i, "metadata.name")));
        }
        return l;
    }

    private static BigDecimal[] usage(JsonNode u) {
        return new BigDecimal[] {Quantities.parse(text(u, "cpu")), Quantities.parse(text(u, "memory"))};
    }

    private static BigDecimal[] podUsage(JsonNode pod) {
        BigDecimal cpu = BigDecimal.ZERO;
        BigDecimal mem = BigDecimal.ZERO;
        for (JsonNode c : list(pod, "containers")) {
            BigDecimal[] u = usage(c.path("usage"));
            cpu = cpu.add(u[0]);
            mem = mem.add(u[1]);
        }
        return new BigDecimal[] {cpu, mem};
    }

    /** kubectl top's CPU: millicores, {@code 250m}. */
    static String millis(BigDecimal cores) {
        return cores.multiply(BigDecimal.valueOf(1000)).setScale(0, RoundingMode.UP).toPlainString() + "m";
    }

    /** kubectl top's memory: mebibytes, {@code 128Mi}. */
    static String mebi(BigDecimal bytes) {
        return bytes.divide(BigDecimal.valueOf(1024L * 1024), 0, RoundingMode.DOWN).toPlainString() + "Mi";
    }

    private static String percent(BigDecimal part, BigDecimal whole) {
        return whole.signum() == 0 ? "<unknown>" : Quantities.percent(part, whole) + "%";
    }
}
