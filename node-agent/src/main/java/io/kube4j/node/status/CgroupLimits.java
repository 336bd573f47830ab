package io.kube4j.node.status;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * The CPU and memory limits the host's cgroup puts on this process (a node agent in a container, or under a
 * systemd slice): cgroup v2 {@code memory.max} / {@code cpu.max}, or v1 {@code memory/memory.limit_in_bytes} and
 * {@code cpu/cpu.cfs_quota_us} + {@code cpu.cfs_period_us}. Absent or "max"/unlimited values are empty.
 *
 * @param memoryBytes   the memory limit, when set
 * @param cpuMillis     the CPU quota in millicores, when set
 */
public record CgroupLimits(OptionalLong memoryBytes, OptionalLong cpuMillis) {

    public static final CgroupLimits NONE = new CgroupLimits(OptionalLong.empty(), OptionalLong.empty());
    /** v1 reports "no limit" as a huge page-aligned number (LONG_MAX rounded down to the page size). */
    static final long V1_UNLIMITED_THRESHOLD = 1L << 62;

    /** Reads the limits under {@code /sys/fs/cgroup}. */
    public static CgroupLimits readHost() {
        return read(Path.of("/sys/fs/cgroup"));
    }

    /** Reads the limits of a cgroup filesystem mounted at {@code root} (v2 when {@code cgroup.controllers} exists). */
    public static CgroupLimits read(Path root) {
        if (Files.exists(root.resolve("cgroup.controllers"))) {
            return new CgroupLimits(v2Memory(readFirstLine(root.resolve("memory.max"))),
                    v2Cpu(readFirstLine(root.resolve("cpu.max"))));
        }
        OptionalLong mem = v1Memory(readFirstLine(root.resolve("memory/memory.limit_in_bytes")));
        Path cpu = Files.isDirectory(root.resolve("cpu")) ? root.resolve("cpu") : root.resolve("cpu,cpuacct");
        OptionalLong cpuMillis = v1Cpu(readFirstLine(cpu.resolve("cpu.cfs_quota_us")),
                readFirstLine(cpu.resolve("cpu.cfs_period_us")));
        return new CgroupLimits(mem, cpuMillis);
    }

    static OptionalLong v2Memory(String text) {
        if (text == null || text.equals("max")) {
            return OptionalLong.empty();
        }
        return positive(text);
    }

    /** {@code cpu.max} is {@code "<quota|max> <period>"}. */
    static OptionalLong v2Cpu(String text) {
        if (text == null) {
            return OptionalLong.empty();
        }
        String[] p = text.trim().split("\\s+");
        if (p.length != 2 || p[0].equals("max")) {
            return OptionalLong.empty();
        }
        return millis(positive(p[0]), positive(p[1]));
    }

    static OptionalLong v1Memory(String text) {
        OptionalLong v = positive(text);
        return v.isPresent() && v.getAsLong() >= V1_UNLIMITED_THRESHOLD ? OptionalLong.empty() : v;
    }

    /** A quota of -1 means no limit. */
    static OptionalLong v1Cpu(String quota, String period) {
        return millis(positive(quota), positive(period));
    }

    private static OptionalLong millis(OptionalLong quota, OptionalLong period) {
        if (quota.isEmpty() || period.isEmpty()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Math.max(1, quota.getAsLong() * 1000 / period.getAsLong()));
    }

    private static OptionalLong positive(String text) {
        if (text == null) {
            return OptionalLong.empty();
        }
        try {
            long v = Long.parseLong(text.trim());
            return v > 0 ? OptionalLong.of(v) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static String readFirstLine(Path p) {
        try {
            List<String> lines = Files.readAllLines(p);
            return lines.isEmpty() ? null : lines.get(0).trim();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }
}
