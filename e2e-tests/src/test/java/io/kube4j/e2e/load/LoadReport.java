package io.kube4j.e2e.load;

import java.awt.BasicStroke;
import java.awt.Color;
import java.text.DecimalFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The load test's report: a Markdown table of the SLIs and the roles' memory, and a PNG of p99 latency over time. */
final class LoadReport {

    static final long BUCKET_MS = 5_000;

    private record Row(String sli, Latencies.Summary s, double sloMs) {
        boolean pass() {
            return Double.isNaN(sloMs) || s.count() == 0 || s.p99() <= sloMs;
        }
    }

    private final Latencies lat;
    private final Duration duration;
    private final int cycles;
    private final int namespaces;
    private final long workloadSeconds;
    private final String loadAverage;
    private final List<String> phases;
    private final Map<String, RoleMemory.Snapshot> memStart;
    /** Null for runs too short to measure half-way. */
    private final Map<String, RoleMemory.Snapshot> memHalfWay;
    private final Map<String, RoleMemory.Snapshot> memEnd;
    private final Map<String, AtomicLong> errors;
    private final long throttled;
    private final long eventsBeforeAck;
    private final List<Row> rows = new ArrayList<>();

    LoadReport(Latencies lat, Duration duration, int cycles, int namespaces, long workloadSeconds, String loadAverage,
               List<String> phases, Map<String, RoleMemory.Snapshot> memStart,
               Map<String, RoleMemory.Snapshot> memHalfWay, Map<String, RoleMemory.Snapshot> memEnd,
               Map<String, AtomicLong> errors, long throttled, long eventsBeforeAck) {
        this.lat = lat;
        this.duration = duration;
        this.cycles = cycles;
        this.namespaces = namespaces;
        this.workloadSeconds = workloadSeconds;
        this.loadAverage = loadAverage;
        this.phases = phases;
        this.memStart = memStart;
        this.memHalfWay = memHalfWay;
        this.memEnd = memEnd;
        this.errors = errors;
        this.throttled = throttled;
        this.eventsBeforeAck = eventsBeforeAck;
    }

    void add(String sli, Latencies.Summary s, double sloMs) {
        rows.add(new Row(sli, s, sloMs));
    }

    /** The SLIs whose p99 is over their SLO. */
    List<String> violations() {
        return rows.stream().filter(r -> !r.pass())
                .map(r -> r.sli().trim() + ": p99 " + ms(r.s().p99()) + " > " + ms(r.sloMs())).toList();
    }

    /** The heap a role's end is held to: its half-way heap when the run measured one, else its start. */
    private RoleMemory.Snapshot leakBase(String role) {
        return memHalfWay != null ? memHalfWay.get(role) : memStart.get(role);
    }

    /** The most heap (KiB) a role may hold at the end. */
    private long leakLimitKib(String role) {
        RoleMemory.Snapshot base = leakBase(role);
        return base.heapKib() + LoadIT.leakBoundKib(base, memHalfWay != null);
    }

    /** The roles whose heap at the end is over its limit. */
    List<String> memoryViolations() {
        return memStart.keySet().stream().filter(role -> memEnd.get(role).heapKib() > leakLimitKib(role))
                .map(role -> role + ": heap after GC at the end " + memEnd.get(role).heapKib() + " KiB > "
                        + (memHalfWay != null ? "half-way " : "start ") + leakBase(role).heapKib() + " KiB + "
                        + LoadIT.leakBoundKib(leakBase(role), memHalfWay != null) + " KiB")
                .toList();
    }

    String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("# kube4j cluster load test (ClusterLoader2-style \"load\")\n\n");
        b.append(String.format(Locale.ROOT, "Run %s; duration parameter %s: %d cycle(s) of create/scale/delete over %d"
                        + " namespaces each; workload wall time %d s; load average at the end (/proc/loadavg): %s;"
                        + " %d CPUs.%n%n", Instant.now().truncatedTo(ChronoUnit.SECONDS), duration, cycles, namespaces,
                workloadSeconds, loadAverage, Runtime.getRuntime().availableProcessors()));
        b.append("Cluster: one etcd; apiserver, scheduler, controller manager, a hollow fleet of ")
                .append(LoadIT.HOLLOW_NODES).append(" nodes and one real node agent (Docker), each its own JVM.\n\n");
        b.append("| SLI | count | p50 ms | p90 ms | p99 ms | max ms | SLO (p99) | result |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %s | %s |%n",
                    r.sli().startsWith("  ") ? "&nbsp;&nbsp;" + r.sli().trim() : r.sli(), r.s().count(),
                    ms(r.s().p50()), ms(r.s().p90()), ms(r.s().p99()), ms(r.s().max()),
                    Double.isNaN(r.sloMs()) ? "-" : "≤ " + ms(r.sloMs()),
                    Double.isNaN(r.sloMs()) ? "info" : r.pass() ? "pass" : "**FAIL**"));
        }
        b.append("\nWatch delivery: the bound is this test's (Kubernetes has no SLO for it); events that arrived before"
                + " the write's answer was read count as 0 ms: ").append(eventsBeforeAck).append(".\n");
        b.append("\n## Memory per role (heap used after a forced full GC via jcmd GC.run / GC.heap_info; RSS from"
                + " /proc/<pid>/status)\n\n");
        b.append(memHalfWay == null ? "The end is held to the start (32 MiB + 25 % of it).\n\n"
                : "The end is held to the half-way heap (16 MiB + 10 % of it), measured once the caches were full.\n\n");
        b.append("| role | heap start MiB | heap half-way MiB | heap end MiB | bound MiB | RSS start MiB | RSS end MiB"
                + " | result |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---|\n");
        memStart.forEach((role, s) -> {
            RoleMemory.Snapshot h = memHalfWay == null ? null : memHalfWay.get(role);
            RoleMemory.Snapshot e = memEnd.get(role);
            long bound = leakLimitKib(role);
            b.append(String.format(Locale.ROOT, "| %s | %.1f | %s | %.1f | ≤ %.1f | %.1f | %.1f | %s |%n", role,
                    s.heapKib() / 1024.0, h == null ? "-" : String.format(Locale.ROOT, "%.1f", h.heapKib() / 1024.0),
                    e.heapKib() / 1024.0, bound / 1024.0, s.rssKib() / 1024.0, e.rssKib() / 1024.0,
                    e.heapKib() <= bound ? "pass" : "**FAIL**"));
        });
        b.append("\n## Failed calls\n\n");
        if (errors.isEmpty()) {
            b.append("None.\n");
        } else {
            new TreeMap<>(errors).forEach((k, v) -> b.append("- ").append(k).append(": ").append(v.get()).append('\n'));
        }
        b.append("\n429 answers (retried after Retry-After): ").append(throttled).append(".\n");
        b.append("\n## Phases\n\n");
        phases.forEach(p -> b.append("- ").append(p).append('\n'));
        b.append("\n![p99 latency per 5-s bucket](latency.png)\n");
        return b.toString();
    }

    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("report.md"), markdown());
        chart(dir.resolve("latency.png"));
    }

    private void chart(Path png) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(series("mutating p99", lat.samples("mutating ")));
        data.addSeries(series("read-only p99 (GET + LIST)", lat.samples("read ")));
        data.addSeries(series("pod startup p99", lat.samples("pod startup")));
        data.addSeries(series("watch delivery p99", lat.samples("watch delivery")));
        JFreeChart chart = ChartFactory.createXYLineChart("kube4j load test: p99 latency per "
                        + BUCKET_MS / 1000 + "-s bucket (" + duration + ")", "time since start (s)",
                "latency (ms, log)", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        LogAxis y = new LogAxis("latency (ms, log scale)");
        y.setSmallestValue(0.1);
        y.setTickUnit(new NumberTickUnit(1.0)); // a tick per power of ten
        y.setNumberFormatOverride(new DecimalFormat("#,##0.#"));
        plot.setRangeAxis(y);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        Color[] colors = {new Color(0xD62728), new Color(0x1F77B4), new Color(0x2CA02C), new Color(0x9467BD)};
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesStroke(i, new BasicStroke(1.5f));
            renderer.setSeriesPaint(i, colors[i % colors.length]);
        }
        plot.setRenderer(renderer);
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1200, 600);
    }

    private static XYSeries series(String name, List<Latencies.Sample> samples) {
        XYSeries s = new XYSeries(name);
        Latencies.p99ByBucket(samples, BUCKET_MS).forEach((t, p99) -> s.add(t.doubleValue(), Math.max(0.1, p99)));
        return s;
    }

    private static String ms(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
