package io.kube4j.proxy.e2e;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.kube4j.proxy.exec.CommandRunner;
import io.kube4j.proxy.exec.ProcessCommandRunner;
import io.kube4j.proxy.testsupport.PrivateNetns;

/**
 * "Another machine" on a link of its own: a {@link PrivateNetns} joined to the host by a veth pair in
 * 198.18.N.0/30 (RFC 2544's benchmarking range, routed nowhere). Traffic it sends to the host's end arrives on
 * the host from outside, so it goes through PREROUTING and FORWARD as a remote client's would (unlike traffic from
 * the host itself, which only sees OUTPUT), without leaving this machine.
 */
final class ExternalClient implements AutoCloseable {

    private final PrivateNetns netns;
    private final String hostIf;
    private final String hostAddress;
    private final CommandRunner host = new ProcessCommandRunner();

    private ExternalClient(PrivateNetns netns, String hostIf, String hostAddress) {
        this.netns = netns;
        this.hostIf = hostIf;
        this.hostAddress = hostAddress;
    }

    static ExternalClient create() {
        PrivateNetns ns = PrivateNetns.create("ext");
        CommandRunner host = new ProcessCommandRunner();
        String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        String hostIf = "k4jx" + suffix;
        String peer = "k4jy" + suffix;
        int n = ThreadLocalRandom.current().nextInt(1, 255);
        String hostAddr = "198.18." + n + ".1";
        try {
            host.run("ip", "link", "add", hostIf, "type", "veth", "peer", "name", peer).orThrow();
            host.run("ip", "link", "set", peer, "netns", ns.name()).orThrow();
            host.run("ip", "addr", "add", hostAddr + "/30", "dev", hostIf).orThrow();
            host.run("ip", "link", "set", hostIf, "up").orThrow();
            ns.runner().run("ip", "addr", "add", "198.18." + n + ".2/30", "dev", peer).orThrow();
            ns.runner().run("ip", "link", "set", peer, "up").orThrow();
            ns.runner().run("ip", "route", "add", "default", "via", hostAddr).orThrow();
            return new ExternalClient(ns, hostIf, hostAddr);
        } catch (RuntimeException e) {
            host.run("ip", "link", "del", hostIf);
            ns.close();
            throw e;
        }
    }

    /** The host's address on the client's link: a node address as far as NodePorts are concerned. */
    String hostAddress() {
        return hostAddress;
    }

    /** {@code GET http://host:port/} from the client (busybox {@code nc}), the body. */
    String get(String host, int port) throws IOException {
        CommandRunner.Result r = netns.runner().run(List.of("busybox", "sh", "-c",
                "printf 'GET / HTTP/1.0\\r\\nHost: " + host + "\\r\\n\\r\\n' | busybox nc -w 3 " + host + " " + port),
                new byte[0], Duration.ofSeconds(10));
        if (!r.ok() || r.stdout().isEmpty()) {
            throw new IOException("GET http://" + host + ":" + port + "/ from " + netns.name() + " failed (exit "
                    + r.exitCode() + "): " + r.stderr().strip());
        }
        return HttpProbe.body(r.stdout(), host + ":" + port + " (from " + netns.name() + ")");
    }

    @Override
    public void close() {
        try {
            host.run("ip", "link", "del", hostIf);
        } finally {
            netns.close();
        }
    }
}
