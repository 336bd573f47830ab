package io.kube4j.node.runtime.docker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Turns on hairpin mode on the host side of a pod's veth (kubelet's {@code --hairpin-mode=hairpin-veth},
 * pkg/kubelet/network/hairpin): with {@code br_netfilter} on, a pod reaching ITSELF through a Service has its packet
 * DNATed back to its own address and bridged out of the port it came in on, which a Linux bridge drops unless that
 * port is in hairpin mode. Docker sets it only when the engine runs with {@code userland-proxy: false}.
 *
 * <p>The sandbox's {@code eth0} names its peer by {@code iflink}; the host interface with that {@code ifindex} is the
 * bridge port whose {@code brport/hairpin_mode} is set. Read through {@code /proc/<pid>/root/sys} (the sysfs the
 * container mounted in its own network namespace), so this works only when the engine is local and we are root.
 */
final class HairpinMode {

    private final Path proc;
    private final Path hostNet;

    HairpinMode(Path proc, Path hostNet) {
        this.proc = proc;
        this.hostNet = hostNet;
    }

    /** On this host: {@code /proc} and {@code /sys/class/net}. */
    static HairpinMode host() {
        return new HairpinMode(Path.of("/proc"), Path.of("/sys/class/net"));
    }

    /**
     * Enables hairpin mode on the bridge port of the sandbox whose init process is {@code pid}.
     *
     * @return the host interface changed, or empty when its peer is not a bridge port here
     * @throws IOException when the sandbox's interface or the host's sysfs cannot be read or written
     */
    Optional<String> enable(long pid) throws IOException {
        Path iflink = proc.resolve(Long.toString(pid)).resolve("root/sys/class/net/eth0/iflink");
        String peerIndex = Files.readString(iflink).trim();
        try (Stream<Path> links = Files.list(hostNet)) {
            for (Path dev : (Iterable<Path>) links::iterator) {
                Path ifindex = dev.resolve("ifindex");
                if (Files.isReadable(ifindex) && Files.readString(ifindex).trim().equals(peerIndex)) {
                    Path mode = dev.resolve("brport/hairpin_mode");
                    if (!Files.exists(mode)) {
                        return Optional.empty();
                    }
                    Files.writeString(mode, "1");
                    return Optional.of(dev.getFileName().toString());
                }
            }
        }
        return Optional.empty();
    }
}
