package io.kube4j.proxy.config;

import io.kube4j.proxy.Proxier;
import io.kube4j.proxy.exec.CommandRunner;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * kube-proxy's {@code --cleanup}: runs every mode's {@link Proxier#cleanup()} (iptables, IPVS where its tools exist,
 * userspace) without contacting the apiserver, prints what went (the difference between a
 * {@link NodeNetworkSnapshot} before and after) and sets the exit code: 0, or 1 when a mode could not clean up or the
 * agent is not root (only root can have programmed anything, or remove it).
 */
public class ProxyCleanup implements ApplicationRunner, ExitCodeGenerator {

    private final ProxyModeSelector selector;
    private final ProxierFactory factory;
    private final CommandRunner runner;
    private final PrintStream out;
    private volatile int exitCode = 1;

    public ProxyCleanup(ProxyModeSelector selector, ProxierFactory factory, CommandRunner runner, PrintStream out) {
        this.selector = selector;
        this.factory = factory;
        this.runner = runner;
        this.out = out;
    }

    @Override
    public void run(ApplicationArguments args) {
        exitCode = cleanup();
    }

    /** Cleans up; returns the exit code. */
    public int cleanup() {
        long uid = selector.uid();
        if (uid != 0) {
            out.println("cleanup failed: removing netfilter rules, IPVS and interfaces needs root, but this runs as uid "
                    + uid);
            return 1;
        }
        NodeNetworkSnapshot before = NodeNetworkSnapshot.take(runner);
        List<String> failures = new ArrayList<>();
        List<String> modes = new ArrayList<>();
        for (Proxier p : factory.forCleanup()) {
            modes.add(p.mode());
            try {
                p.cleanup();
            } catch (RuntimeException e) {
                failures.add(p.mode() + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            }
        }
        List<String> removed = NodeNetworkSnapshot.take(runner).removedSince(before);
        removed.forEach(out::println);
        if (removed.isEmpty()) {
            out.println("nothing to remove: no chains, rules, ipsets, IPVS servers or kube-ipvs0 of a proxy agent here");
        }
        if (!failures.isEmpty()) {
            failures.forEach(f -> out.println("cleanup failed: " + f));
            return 1;
        }
        out.println("cleanup done (modes " + String.join(", ", modes) + ")");
        return 0;
    }

    @Override
    public int getExitCode() {
        return exitCode;
    }
}
