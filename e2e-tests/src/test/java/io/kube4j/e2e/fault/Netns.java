package io.kube4j.e2e.fault;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace of a test's own joined to the host by a veth pair (a random {@code 10.250.X.Y/30}: the host's
 * end {@link #hostIp} {@code .Y+1}, the namespace's {@link #nsIp} {@code .Y+2}) with a default route through it and
 * its loopback up. A server listening on {@link #hostIp} is what a process in the namespace reaches, and only through
 * the pair, so {@link #linkDown()} cuts it off (no RST, no ICMP: packets are dropped, as on a pulled cable). Needs
 * root and {@code ip}; {@link #close()} deletes the namespace (and with it the pair), as does a shutdown hook when
 * the JVM ends first. Nothing here touches the host's netfilter tables.
 */
final class Netns implements AutoCloseable {

    final String name;
    final String hostIf;
    final String nsIf;
    final String hostIp;
    final String nsIp;
    private final Thread hook;

    private Netns(String name, String hostIf, String nsIf, String hostIp, String nsIp) {
        this.name = name;
        this.hostIf = hostIf;
        this.nsIf = nsIf;
        this.hostIp = hostIp;
        this.nsIp = nsIp;
        this.hook = new Thread(() -> quiet("ip", "netns", "del", name), "netns-del-" + name);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Creates {@code <prefix>-<random>} with its veth pair ({@code <ifPrefix>h<id>} / {@code <ifPrefix>n<id>}). */
    static Netns create(String prefix, String ifPrefix) {
        String id = Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffL);
        int block = ThreadLocalRandom.current().nextInt(64) * 4;
        int third = ThreadLocalRandom.current().nextInt(256);
        Netns ns = new Netns(prefix + "-" + id, ifPrefix + "h" + id, ifPrefix + "n" + id,
                "10.250." + third + "." + (block + 1), "10.250." + third + "." + (block + 2));
        sh("ip", "netns", "add", ns.name);
        try {
            sh("ip", "link", "add", ns.hostIf, "type", "veth", "peer", "name", ns.nsIf, "netns", ns.name);
            sh("ip", "addr", "add", ns.hostIp + "/30", "dev", ns.hostIf);
            sh("ip", "link", "set", ns.hostIf, "up");
            ns.exec("ip", "link", "set", "lo", "up");
            ns.exec("ip", "addr", "add", ns.nsIp + "/30", "dev", ns.nsIf);
            ns.exec("ip", "link", "set", ns.nsIf, "up");
            // a ClusterIP (or any other address) is routed before a nat table in the namespace rewrites it
            ns.exec("ip", "route", "add", "default", "via", ns.hostIp);
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /** The command prefix that runs a program in the namespace ({@code ip netns exec NAME}). */
    List<String> prefix() {
        return List.of("ip", "netns", "exec", name);
    }

    /** Runs {@code argv} in the namespace; fails when it exits non-zero. Returns its output. */
    String exec(String... argv) {
        List<String> cmd = new ArrayList<>(prefix());
        cmd.addAll(List.of(argv));
        return run(cmd);
    }

    /** The host's end of the pair down: the namespace is cut off from the host. */
    void linkDown() {
        sh("ip", "link", "set", hostIf, "down");
    }

    /** The host's end up again (its address stays; the namespace's default route never left). */
    void linkUp() {
        sh("ip", "link", "set", hostIf, "up");
    }

    @Override
    public void close() {
        quiet("ip", "netns", "del", name);
        // deleting the namespace deletes its end, and with it the pair; this is for a namespace left half made
        quiet("ip", "link", "del", hostIf);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // it runs anyway
        }
    }

    /** Runs {@code argv} on the host; fails when it exits non-zero. Returns its output. */
    static String sh(String... argv) {
        return run(List.of(argv));
    }

    /** Best effort, output discarded (cleanup, shutdown hooks). */
    static void quiet(String... argv) {
        try {
            new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException ignored) {
            // best effort
        }
    }

    private static String run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish in 20 s");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " exited with " + p.exitValue() + ": " + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
