package io.kube4j.node.status;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * What the Node reports about the machine beyond the runtime's view: machine id, system UUID, boot id and the
 * cgroup limits that bound capacity. {@link #host()} reads them from the host; {@link #hollow(String)} makes stable
 * fake ones for a simulated node (which advertises its runtime's resources unbounded).
 */
public record HostFacts(String machineId, String systemUuid, String bootId, CgroupLimits cgroupLimits) {

    /** The real host's facts. */
    public static HostFacts host() {
        String machineId = firstLine(Path.of("/etc/machine-id"));
        if (machineId == null) {
            machineId = firstLine(Path.of("/var/lib/dbus/machine-id"));
        }
        // product_uuid is usually readable by root only; the kubelet falls back to an empty value.
        String systemUuid = firstLine(Path.of("/sys/class/dmi/id/product_uuid"));
        String bootId = firstLine(Path.of("/proc/sys/kernel/random/boot_id"));
        return new HostFacts(machineId == null ? "" : machineId, systemUuid == null ? "" : systemUuid.toLowerCase(),
                bootId == null ? "" : bootId, CgroupLimits.readHost());
    }

    /** Stable, distinct ids derived from the node name; no cgroup limits. */
    public static HostFacts hollow(String nodeName) {
        UUID u = UUID.nameUUIDFromBytes(("kube4j-hollow/" + nodeName).getBytes(StandardCharsets.UTF_8));
        return new HostFacts(u.toString().replace("-", ""), u.toString(),
                UUID.nameUUIDFromBytes(("boot/" + nodeName).getBytes(StandardCharsets.UTF_8)).toString(),
                CgroupLimits.NONE);
    }

    private static String firstLine(Path p) {
        try {
            String s = Files.readString(p).trim();
            int nl = s.indexOf('\n');
            return s.isEmpty() ? null : nl < 0 ? s : s.substring(0, nl).trim();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }
}
