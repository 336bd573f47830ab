package io.kube4j.benchmarks;

import io.kube4j.proxy.exec.CommandRunner;
import io.kube4j.proxy.exec.ProcessCommandRunner;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A network namespace of the benchmark's own ({@code ip netns add kube4j-bench-<random>}) and a {@link CommandRunner}
 * that runs every command inside it, so that a benchmark can program 10,000 services with the real iptables without
 * touching the host's netfilter tables. It also accounts for the commands it runs: wall time, and the CPU time
 * (user + sys) of the finished child processes read from {@code /proc/self/stat} — on a shared machine the CPU
 * time is the figure that does not depend on how busy the other processes keep the cores.
 *
 * <p>Unlike {@link ProcessCommandRunner}, whose timeout starts only once the whole input has been written, the
 * timeout here covers writing the input too: an {@code iptables-restore} that parses its input slowly (the nft
 * backend with tens of thousands of chains) is killed when it is due, so the benchmark always ends.
 */
final class BenchNetns implements AutoCloseable {

    private final String name;
    private final CommandRunner host = new ProcessCommandRunner();
    private final Thread cleanupHook;
    private final AtomicLong restoreNanos = new AtomicLong();
    private final AtomicLong restoreCalls = new AtomicLong();
    private final AtomicLong restoreBytes = new AtomicLong();
    private final AtomicLong otherNanos = new AtomicLong();
    private final AtomicLong otherCalls = new AtomicLong();
    private final Path dumpDir;
    private final String backend;

    private BenchNetns(String name, Path dumpDir, String backend) {
        this.name = name;
        this.dumpDir = dumpDir;
        this.backend = backend;
        this.cleanupHook = new Thread(() -> host.run("ip", "netns", "del", name), "netns-del-" + name);
        Runtime.getRuntime().addShutdownHook(cleanupHook);
    }

    /**
     * Creates the namespace (loopback up); needs root and iproute2. {@code dumpDir} (blank: none) receives a copy of
     * every iptables-restore input, as {@code <namespace>-<n>.txt}. {@code backend} (blank: whatever
     * {@code iptables} is on this host) runs {@code iptables}, {@code iptables-save} and {@code iptables-restore} as
     * {@code iptables-<backend>...} instead ({@code nft} or {@code legacy}), to compare the two with the same proxier.
     */
    static BenchNetns create(String dumpDir, String backend) {
        if (!backend.isBlank() && !backend.equals("nft") && !backend.equals("legacy")) {
            throw new IllegalArgumentException("backend must be nft or legacy (or empty for the host's iptables), got "
                    + backend);
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("the proxy benchmark needs root (network namespaces, iptables); running as "
                    + System.getProperty("user.name"));
        }
        String name = "kube4j-bench-" + UUID.randomUUID().toString().substring(0, 8);
        new ProcessCommandRunner().run("ip", "netns", "add", name).orThrow();
        Path dump = null;
        if (!dumpDir.isBlank()) {
            dump = Path.of(dumpDir);
            try {
                Files.createDirectories(dump);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create dump.dir " + dump, e);
            }
        }
        BenchNetns ns = new BenchNetns(name, dump, backend);
        ns.runner().run("ip", "link", "set", "lo", "up").orThrow();
        return ns;
    }

    String name() {
        return name;
    }

    /** Runs commands inside the namespace, timing them ({@code iptables-restore} apart from the rest). */
    CommandRunner runner() {
        return new CommandRunner() {
            @Override
            public Result run(List<String> argv, byte[] stdin, Duration timeout) {
                List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", name));
                cmd.addAll(argv);
                String exe = argv.get(0);
                if (!backend.isBlank() && (exe.equals("iptables") || exe.equals("iptables-save")
                        || exe.equals("iptables-restore"))) {
                    cmd.set(4, exe.replace("iptables", "iptables-" + backend));
                }
                long t0 = System.nanoTime();
                Result r = runBounded(cmd, stdin, timeout);
                long dt = System.nanoTime() - t0;
                if (argv.get(0).endsWith("-restore")) {
                    dump(stdin);
                    restoreNanos.addAndGet(dt);
                    restoreCalls.incrementAndGet();
                    restoreBytes.addAndGet(stdin == null ? 0 : stdin.length);
                } else {
                    otherNanos.addAndGet(dt);
                    otherCalls.incrementAndGet();
                }
                return new Result(argv, r.exitCode(), r.stdout(), r.stderr());
            }

            @Override
            public boolean available(String command) {
                return host.available(command);
            }
        };
    }

    private void dump(byte[] input) {
        if (dumpDir == null) {
            return;
        }
        try {
            Files.write(dumpDir.resolve(name + "-" + restoreCalls.get() + ".txt"), input == null ? new byte[0] : input);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write to dump.dir " + dumpDir, e);
        }
    }

    /** Runs {@code cmd}, feeding {@code stdin} from another thread; kills it when {@code timeout} has passed. */
    private static CommandRunner.Result runBounded(List<String> cmd, byte[] stdin, Duration timeout) {
        Process p;
        try {
            p = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            throw new CommandRunner.CommandException("cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        }
        CompletableFuture<byte[]> out = background(() -> p.getInputStream().readAllBytes());
        CompletableFuture<byte[]> err = background(() -> p.getErrorStream().readAllBytes());
        background(() -> {
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null && stdin.length > 0) {
                    in.write(stdin);
                }
            } catch (IOException closedEarly) {
                // the process exited (or was killed) before reading all of its input: its exit code tells why
            }
            return new byte[0];
        });
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new CommandRunner.CommandException(String.join(" ", cmd) + " did not finish within " + timeout + " (killed)");
            }
            return new CommandRunner.Result(cmd, p.exitValue(), new String(out.get(), StandardCharsets.UTF_8),
                    new String(err.get(), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CommandRunner.CommandException("interrupted while running " + String.join(" ", cmd), e);
        } catch (ExecutionException e) {
            throw new CommandRunner.CommandException("cannot read the output of " + String.join(" ", cmd), e.getCause());
        }
    }

    private interface IoSupplier {
        byte[] get() throws IOException;
    }

    private static CompletableFuture<byte[]> background(IoSupplier work) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(work.get());
            } catch (IOException e) {
                f.completeExceptionally(new UncheckedIOException(e));
            }
        }, "bench-command-io");
        t.setDaemon(true);
        t.start();
        return f;
    }

    /** What the runner has run so far. */
    Counters counters() {
        return new Counters(restoreNanos.get(), restoreCalls.get(), restoreBytes.get(), otherNanos.get(), otherCalls.get(),
                childCpuNanos());
    }

    /**
     * Running totals of the commands run in the namespace.
     *
     * @param restoreNanos  wall time spent in {@code iptables-restore}
     * @param restoreCalls  how many restores ran
     * @param restoreBytes  restore input size
     * @param otherNanos    wall time of every other command ({@code iptables -C/-I}, {@code iptables-save}, sysctl)
     * @param otherCalls    how many other commands ran
     * @param childCpuNanos CPU (user + sys) of every finished child process of this JVM
     */
    record Counters(long restoreNanos, long restoreCalls, long restoreBytes, long otherNanos, long otherCalls,
                    long childCpuNanos) {
        Counters minus(Counters o) {
            return new Counters(restoreNanos - o.restoreNanos, restoreCalls - o.restoreCalls, restoreBytes - o.restoreBytes,
                    otherNanos - o.otherNanos, otherCalls - o.otherCalls, childCpuNanos - o.childCpuNanos);
        }
    }

    /**
     * cutime + cstime of this process (fields 16 and 17 of /proc/self/stat, clock ticks of 10 ms): the CPU used by
     * children that have been waited for — here {@code ip netns exec}, which execs the iptables command itself.
     */
    static long childCpuNanos() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // f[0] is field 3 (state); cutime is field 16, cstime field 17
            long ticks = Long.parseLong(f[13]) + Long.parseLong(f[14]);
            return ticks * 10_000_000L;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the children's CPU time from /proc/self/stat", e);
        }
    }

    /** The 1-minute load average and the number of CPUs, for printing next to the figures. */
    static String load() {
        try {
            String[] l = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return "load average " + l[0] + " " + l[1] + " " + l[2] + " on " + Runtime.getRuntime().availableProcessors()
                    + " CPUs";
        } catch (Exception e) {
            return "load average unknown (" + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        host.run("ip", "netns", "del", name).orThrow();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: the namespace is gone either way
        }
    }
}
