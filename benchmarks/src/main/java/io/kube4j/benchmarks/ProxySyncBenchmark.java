package io.kube4j.benchmarks;

import io.kube4j.proxy.SyncResult;
import io.kube4j.proxy.exec.CommandRunner;
import io.kube4j.proxy.iptables.IptablesProxier;
import io.kube4j.proxy.model.EndpointInfo;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.model.ServicePortInfo;
import io.kube4j.proxy.model.ServicePortName;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The proxy benchmark, with the real {@link IptablesProxier} and the real iptables-restore in a network
 * namespace of its own (the host's tables are never touched): full sync of N services x 5 ready endpoints for
 * N = 1,000 / 5,000 / 10,000 (render and apply measured apart, from {@link SyncResult} and from timing the commands),
 * then at the largest N the network-programming latency of one endpoint change, applied with a partial sync and
 * with a full sync. Goal: full sync of 10,000 services under 2 s, one change under 200 ms.
 *
 * <p>The services are a realistic mix: one TCP port each, ClusterIPs in 10.96.0.0/12, endpoints in 10.244.0.0/16
 * spread over 10 nodes (one tenth local), every 10th service a NodePort (every 100th of those with
 * {@code externalTrafficPolicy: Local}), every 50th with ClientIP affinity. After the full syncs the benchmark
 * checks with {@code iptables-save} that the kernel holds one KUBE-SVC chain per service and one DNAT rule per
 * endpoint, and after the changes that the last changed endpoint is programmed and the one it replaced is gone.
 *
 * <p>Settings: {@code -Dservices=1000,5000,10000 -Dendpoints=5 -Drepeats=3 -Dchanges=10 -DfullChanges=10
 * -Dbudget.minutes=40 -Drestore.timeout.seconds=300 -Ddump.dir= -Dbackend=} (a phase that would start after the budget is spent is skipped
 * and reported as such; a sync that fails or exceeds the restore timeout is reported, and larger sizes are skipped;
 * {@code dump.dir} keeps every iptables-restore input there, numbered, for profiling iptables-restore on its own;
 * {@code backend=legacy} or {@code nft} runs the same proxier on that iptables backend instead of the host's).
 * Run as root: {@code ./mvnw -o -q -B -pl benchmarks exec:java -Dexec.mainClass=io.kube4j.benchmarks.ProxySyncBenchmark}.
 */
public final class ProxySyncBenchmark {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final Pattern NAT_TABLE = Pattern.compile("(?s)\\*nat\\n(.*?)\\nCOMMIT");

    public static void main(String[] args) throws Exception {
        int[] sizes = Arrays.stream(System.getProperty("services", "1000,5000,10000").split(","))
                .map(String::trim).mapToInt(Integer::parseInt).toArray();
        int endpointsPerService = BenchSupport.intProp("endpoints", 5);
        int repeats = BenchSupport.intProp("repeats", 3);
        int changes = BenchSupport.intProp("changes", 10);
        int fullChanges = BenchSupport.intProp("fullChanges", 10);
        Duration restoreTimeout = Duration.ofSeconds(BenchSupport.intProp("restore.timeout.seconds", 300));
        String backend = System.getProperty("backend", "");
        long deadline = System.nanoTime() + Duration.ofMinutes(BenchSupport.intProp("budget.minutes", 40)).toNanos();
        int largest = Arrays.stream(sizes).max().orElseThrow();
        if (repeats < 1 || changes < 1 || endpointsPerService < 1) {
            throw new IllegalArgumentException("repeats, changes and endpoints must be at least 1");
        }

        System.out.printf(Locale.ROOT, "ProxySyncBenchmark: iptables mode (%s), services %s x %d endpoints, %d full syncs each, "
                        + "%d partial + %d full single-endpoint changes at %d services%n",
                backend.isBlank() ? "the host's iptables" : "iptables-" + backend, Arrays.toString(sizes),
                endpointsPerService, repeats, changes, fullChanges, largest);
        System.out.println("start: " + BenchNetns.load() + " (the machine is shared: wall times include waiting for a core;"
                + " 'iptables CPU' is the CPU the iptables processes used, 'JVM CPU' the sync thread's)");

        List<String> problems = new ArrayList<>();
        List<String> table = new ArrayList<>();
        table.add(String.format(Locale.ROOT, "%-34s %7s %7s %8s %5s | %-26s | %-26s | %-26s | %9s %9s %9s %9s",
                "run", "rules", "chains", "input", "calls", "sync wall ms med (min-max)", "render ms med (min-max)",
                "apply ms med (min-max)", "restore", "other", "iptCPU", "jvmCPU"));
        int failedAt = Integer.MAX_VALUE;
        for (int n : sizes) {
            if (System.nanoTime() > deadline || n > failedAt) {
                table.add(String.format(Locale.ROOT, "full sync %,d svc: skipped (%s)", n,
                        n > failedAt ? "a smaller size already failed" : "budget spent"));
                continue;
            }
            Workload w = new Workload(n, endpointsPerService);
            try (BenchNetns ns = BenchNetns.create(System.getProperty("dump.dir", ""), backend)) {
                IptablesProxier proxier = newProxier(ns.runner(), restoreTimeout);
                List<Sample> full = new ArrayList<>();
                String failure = null;
                for (int r = 0; r < repeats && (r == 0 || System.nanoTime() < deadline) && failure == null; r++) {
                    long t0 = System.nanoTime();
                    try {
                        full.add(measure(proxier, ns, w.state(Set.of()), true));
                    } catch (RuntimeException e) {
                        failure = String.format(Locale.ROOT, "full sync %,d svc: FAILED after %.0f s: %s", n,
                                (System.nanoTime() - t0) / 1e9, firstLine(e.getMessage()));
                    }
                }
                if (!full.isEmpty()) {
                    table.add(row(String.format(Locale.ROOT, "full sync %,d svc (%d runs)", n, full.size()), full));
                    table.add(String.format(Locale.ROOT, "  full sync %,d svc, each run (1st from empty): %s ms", n,
                            full.stream().map(x -> String.format(Locale.ROOT, "%.0f", x.wallNanos() / 1e6)).toList()));
                    System.out.println(table.get(table.size() - 2) + "   [" + BenchNetns.load() + "]");
                }
                if (failure != null) {
                    table.add(failure);
                    System.out.println(failure);
                    problems.add(failure);
                    failedAt = n;
                    continue; // the namespace goes; larger sizes are skipped
                }
                verifyChains(ns, w, problems);

                if (n == largest) {
                    List<Sample> partial = new ArrayList<>();
                    for (int c = 0; c < changes && System.nanoTime() < deadline; c++) {
                        String key = w.changeOneEndpoint(c);
                        partial.add(measure(proxier, ns, w.state(Set.of(key)), false));
                    }
                    table.add(row(String.format(Locale.ROOT, "1 endpoint change, partial (%d)", partial.size()), partial));
                    table.add(percentiles("  partial sync wall", partial));
                    System.out.println(table.get(table.size() - 2) + "   [" + BenchNetns.load() + "]");
                    List<Sample> fullChange = new ArrayList<>();
                    for (int c = 0; c < fullChanges && System.nanoTime() < deadline; c++) {
                        String key = w.changeOneEndpoint(changes + c);
                        fullChange.add(measure(proxier, ns, w.state(Set.of(key)), true));
                    }
                    if (fullChange.isEmpty()) {
                        table.add("1 endpoint change, full: skipped (" + (fullChanges == 0 ? "-DfullChanges=0" : "budget spent") + ")");
                    } else {
                        table.add(row(String.format(Locale.ROOT, "1 endpoint change, full (%d)", fullChange.size()), fullChange));
                        table.add(percentiles("  full sync wall", fullChange));
                        System.out.println(table.get(table.size() - 2) + "   [" + BenchNetns.load() + "]");
                    }
                    verifyLastChange(ns, w, problems);
                }
            }
        }
        System.out.println();
        table.forEach(System.out::println);
        System.out.println("end: " + BenchNetns.load());
        System.out.println("columns: input = iptables-restore input per sync (MB, median); calls = restores per sync; restore ="
                + " wall ms in iptables-restore (median); iptCPU = CPU ms of all iptables processes of the sync (median,"
                + " 10 ms ticks); jvmCPU = CPU ms of the syncing thread (render + process handling, median)");
        if (!problems.isEmpty()) {
            problems.forEach(p -> System.out.println("PROBLEM: " + p));
            throw new IllegalStateException(problems.size() + " check(s) failed, see PROBLEM lines");
        }
    }

    private static IptablesProxier newProxier(CommandRunner runner, Duration restoreTimeout) {
        return new IptablesProxier(new IptablesProxier.Config("node-0", "10.244.0.0/16", false,
                IptablesProxier.Config.DEFAULT_MASQUERADE_BIT, List.of(), true, restoreTimeout),
                runner, new SimpleMeterRegistry());
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        String first = message.lines().findFirst().orElse("");
        return first.length() > 300 ? first.substring(0, 300) + "..." : first;
    }

    /** One sync, timed from the caller's side and from the commands it ran. */
    private static Sample measure(IptablesProxier proxier, BenchNetns ns, ProxyState state, boolean full) {
        BenchNetns.Counters c0 = ns.counters();
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        SyncResult r = proxier.sync(state, full);
        long wall = System.nanoTime() - t0;
        long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
        BenchNetns.Counters d = ns.counters().minus(c0);
        return new Sample(r, wall, cpu, d);
    }

    private record Sample(SyncResult result, long wallNanos, long jvmCpuNanos, BenchNetns.Counters commands) {
    }

    private static String row(String label, List<Sample> s) {
        Sample last = s.get(s.size() - 1);
        return String.format(Locale.ROOT, "%-34s %7d %7d %6.1fMB %5d | %-26s | %-26s | %-26s | %9.0f %9s %9.0f %9.0f",
                label, last.result().rules(), last.result().chains(),
                median(s, x -> x.commands().restoreBytes()) / 1e6, Math.round(median(s, x -> x.commands().restoreCalls())),
                spread(s, Sample::wallNanos), spread(s, x -> x.result().renderTime().toNanos()),
                spread(s, x -> x.result().applyTime().toNanos()), median(s, x -> x.commands().restoreNanos()) / 1e6,
                String.format(Locale.ROOT, "%.0f/%d", median(s, x -> x.commands().otherNanos()) / 1e6,
                        Math.round(median(s, x -> x.commands().otherCalls()))),
                median(s, x -> x.commands().childCpuNanos()) / 1e6, median(s, Sample::jvmCpuNanos) / 1e6);
    }

    private static String percentiles(String label, List<Sample> s) {
        long[] wall = s.stream().mapToLong(Sample::wallNanos).sorted().toArray();
        long[] cpu = s.stream().mapToLong(x -> x.commands().childCpuNanos()).sorted().toArray();
        return String.format(Locale.ROOT, "%-34s n=%d  p50 %.0f ms, p90 %.0f ms, max %.0f ms (iptables CPU p50 %.0f ms, max %.0f ms)",
                label, wall.length, BenchSupport.pct(wall, 50), BenchSupport.pct(wall, 90), wall[wall.length - 1] / 1e6,
                BenchSupport.pct(cpu, 50), cpu[cpu.length - 1] / 1e6);
    }

    private static String spread(List<Sample> s, ToLongFunction<Sample> f) {
        long[] v = s.stream().mapToLong(f).sorted().toArray();
        return String.format(Locale.ROOT, "%.0f (%.0f-%.0f)", BenchSupport.pct(v, 50), v[0] / 1e6, v[v.length - 1] / 1e6);
    }

    private static double median(List<Sample> s, ToLongFunction<Sample> f) {
        long[] v = s.stream().mapToLong(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2.0;
    }

    /**
     * The kernel must hold one KUBE-SVC chain per service and a DNAT to every endpoint (from a KUBE-SEP chain as
     * kube-proxy writes them, or from wherever the proxier puts them: the distinct DNAT destinations are counted; the
     * KUBE-SEP chain count is printed, not required).
     */
    private static void verifyChains(BenchNetns ns, Workload w, List<String> problems) {
        String nat = natTable(ns);
        long svc = nat.lines().filter(l -> l.startsWith(":KUBE-SVC-")).count();
        long sep = nat.lines().filter(l -> l.startsWith(":KUBE-SEP-")).count();
        Pattern dnat = Pattern.compile("^-A KUBE-\\S+ .*-j DNAT --to-destination (10\\.244\\.\\d+\\.\\d+:\\d+)");
        long destinations = nat.lines().map(dnat::matcher).filter(Matcher::find).map(m -> m.group(1)).distinct().count();
        String line = String.format(Locale.ROOT, "  check %,d services: iptables-save -t nat has %,d KUBE-SVC chains (want %,d),"
                + " DNAT to %,d endpoints (want %,d), %,d KUBE-SEP chains", w.n, svc, w.n, destinations, w.endpointCount(), sep);
        System.out.println(line);
        if (svc != w.n || destinations != w.endpointCount()) {
            problems.add(line.strip());
        }
    }

    /** The endpoint introduced by the last change must be a DNAT target, the one it replaced must be gone. */
    private static void verifyLastChange(BenchNetns ns, Workload w, List<String> problems) {
        if (w.lastAdded == null) {
            return;
        }
        String nat = natTable(ns);
        boolean added = nat.contains("--to-destination " + w.lastAdded + ":8080");
        boolean removed = !nat.contains("--to-destination " + w.lastRemoved + ":8080");
        String line = String.format(Locale.ROOT, "  check last change: %s:8080 programmed %s, %s:8080 gone %s",
                w.lastAdded, added, w.lastRemoved, removed);
        System.out.println(line);
        if (!added || !removed) {
            problems.add(line.strip());
        }
    }

    private static String natTable(BenchNetns ns) {
        String save = ns.runner().run(List.of("iptables-save", "-t", "nat"), new byte[0], Duration.ofMinutes(5))
                .orThrow().stdout();
        Matcher m = NAT_TABLE.matcher(save);
        if (!m.find()) {
            throw new IllegalStateException("iptables-save -t nat printed no nat table");
        }
        return m.group(1);
    }

    /** N services of one TCP port with E ready endpoints each, and single-endpoint changes to them. */
    static final class Workload {
        final int n;
        final int perService;
        final SortedMap<ServicePortName, ServicePortInfo> services = new TreeMap<>();
        final List<ServicePortName> names = new ArrayList<>();
        final Map<ServicePortName, List<EndpointInfo>> endpoints = new HashMap<>();
        private int nextAddress;
        String lastAdded;
        String lastRemoved;

        Workload(int n, int perService) {
            if ((long) n * perService + 10_000 > 65_534) {
                throw new IllegalArgumentException(n + " x " + perService + " endpoints do not fit in 10.244.0.0/16");
            }
            this.n = n;
            this.perService = perService;
            for (int i = 0; i < n; i++) {
                ServicePortName name = new ServicePortName("ns-" + (i % 50), "svc-" + i, "http", "TCP");
                boolean nodePort = i % 10 == 0;
                boolean affinity = i % 50 == 1;
                services.put(name, new ServicePortInfo(name, nodePort ? "NodePort" : "ClusterIP", clusterIp(i), 80, "TCP",
                        nodePort ? 30000 + (i / 10) % 2768 : 0, List.of(), List.of(), affinity,
                        affinity ? ServicePortInfo.DEFAULT_STICKY_MAX_AGE_SECONDS : 0, nodePort && i % 100 == 0, false, 0));
                List<EndpointInfo> eps = new ArrayList<>();
                for (int j = 0; j < perService; j++) {
                    eps.add(endpoint(nextAddress++));
                }
                endpoints.put(name, List.copyOf(eps));
                names.add(name);
            }
        }

        int endpointCount() {
            return n * perService;
        }

        ProxyState state(Set<String> changed) {
            Map<String, Instant> triggers = new HashMap<>();
            changed.forEach(k -> triggers.put(k, Instant.now()));
            return new ProxyState(services, endpoints, changed, triggers);
        }

        /** Replaces one endpoint of one service (a different service each time) by a fresh pod IP. */
        String changeOneEndpoint(int iteration) {
            ServicePortName name = names.get((int) ((iteration * 7919L + 13) % n));
            List<EndpointInfo> eps = new ArrayList<>(endpoints.get(name));
            EndpointInfo fresh = endpoint(nextAddress++);
            lastRemoved = eps.get(0).ip();
            lastAdded = fresh.ip();
            eps.set(0, fresh);
            endpoints.put(name, List.copyOf(eps));
            return name.serviceKey();
        }

        private static EndpointInfo endpoint(int k) {
            String ip = "10.244." + (k >> 8) + "." + (k & 255);
            String node = "node-" + (k % 10);
            return new EndpointInfo(ip, 8080, true, true, false, node, node.equals("node-0"));
        }

        private static String clusterIp(int i) {
            int off = 10 + i;
            return "10." + (96 + (off >> 16)) + "." + ((off >> 8) & 255) + "." + (off & 255);
        }
    }
}
