package io.kube4j.proxy.testsupport;

import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.proxy.exec.CommandRunner;
import io.kube4j.proxy.exec.ProcessCommandRunner;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A network namespace of a test's own ({@code ip netns add}), and a {@link CommandRunner} whose commands
 * (iptables-restore, iptables-save, ipset, ip, ...) run inside it. Tests that only check what rules end up in the
 * kernel use it, so that they neither touch the host's netfilter tables nor see each other's chains; tests that
 * send traffic to Docker pods must use the host's namespace instead.
 *
 * <p>Needs root and {@code ip} (iproute2): skips, or fails under {@code KUBE4J_REQUIRE_ALL=1}, without them.
 */
public final class PrivateNetns implements AutoCloseable {

    private final String name;
    private final CommandRunner host = new ProcessCommandRunner();
    private final CommandRunner inside;

    private PrivateNetns(String name) {
        this.name = name;
        this.inside = new CommandRunner() {
            @Override
            public Result run(List<String> argv, byte[] stdin, Duration timeout) {
                List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", PrivateNetns.this.name));
                cmd.addAll(argv);
                Result r = host.run(cmd, stdin, timeout);
                return new Result(argv, r.exitCode(), r.stdout(), r.stderr());
            }

            @Override
            public boolean available(String command) {
                return host.available(command);
            }
        };
    }

    /** Creates a fresh namespace named {@code kube4j-<prefix>-<random>} (loopback up). */
    public static PrivateNetns create(String prefix) {
        Requirements.require("root".equals(System.getProperty("user.name")),
                "network namespaces and netfilter need root (running as " + System.getProperty("user.name") + ")");
        Requirements.requireBinary("ip");
        String name = "kube4j-" + prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        new ProcessCommandRunner().run("ip", "netns", "add", name).orThrow();
        PrivateNetns ns = new PrivateNetns(name);
        ns.runner().run("ip", "link", "set", "lo", "up").orThrow();
        return ns;
    }

    public String name() {
        return name;
    }

    /** Runs commands inside the namespace. */
    public CommandRunner runner() {
        return inside;
    }

    @Override
    public void close() {
        host.run("ip", "netns", "del", name);
    }
}
