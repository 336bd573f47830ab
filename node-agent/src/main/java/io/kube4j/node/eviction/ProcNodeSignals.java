package io.kube4j.node.eviction;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

import io.kube4j.node.status.CgroupLimits;

/**
 * Node signals from the host: memory from {@code /proc/meminfo} (MemTotal − MemAvailable is the working set), or —
 * when the host cgroup's memory limit is below MemTotal — the cgroup's usage minus its inactive file pages against
 * that limit; nodefs from the {@link FileStore} of the agent's root directory; PIDs from
 * {@code /proc/sys/kernel/pid_max} and {@code /proc/loadavg}. Inodes are not observed (Java has no statvfs).
 */
public final class ProcNodeSignals implements NodeSignals {

    private final Path rootDir;
    private final Path proc;
    private final Path cgroup;

    public ProcNodeSignals(Path rootDir) {
        this(rootDir, Path.of("/proc"), Path.of("/sys/fs/cgroup"));
    }

    /** With the {@code /proc} and cgroup mount points given (tests point them at sample files). */
    public ProcNodeSignals(Path rootDir, Path proc, Path cgroup) {
        this.rootDir = rootDir;
        this.proc = proc;
        this.cgroup = cgroup;
    }

    @Override
    public Observation observe() {
        long memTotal = meminfo("MemTotal:");
        long memAvailable = meminfo("MemAvailable:");
        long capacity = memTotal;
        long available = memTotal >= 0 && memAvailable >= 0 ? memAvailable : -1;
        OptionalLong limit = CgroupLimits.read(cgroup).memoryBytes();
        if (limit.isPresent() && (memTotal < 0 || limit.getAsLong() < memTotal)) {
            long ws = cgroupWorkingSet();
            capacity = limit.getAsLong();
            available = ws >= 0 ? Math.max(0, capacity - ws) : -1;
        }
        long fsCap = -1;
        long fsAvail = -1;
        Path p = existing(rootDir);
        if (p != null) {
            try {
                FileStore fs = Files.getFileStore(p);
                fsCap = fs.getTotalSpace();
                fsAvail = fs.getUsableSpace();
            } catch (IOException e) {
                // unknown: no disk pressure is reported from a filesystem we cannot read
            }
        }
        return new Observation(capacity, available, fsCap, fsAvail, number(line(proc.resolve("sys/kernel/pid_max"))),
                loadavgTotal(line(proc.resolve("loadavg"))));
    }

    /** A {@code /proc/meminfo} value in bytes (the file says kB), -1 when absent. */
    private long meminfo(String key) {
        try {
            for (String l : Files.readAllLines(proc.resolve("meminfo"))) {
                if (l.startsWith(key)) {
                    String[] parts = l.substring(key.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }

    /** usage − inactive_file of the cgroup (v2 memory.current/memory.stat; v1 memory.usage_in_bytes/memory.stat). */
    private long cgroupWorkingSet() {
        boolean v2 = Files.exists(cgroup.resolve("cgroup.controllers"));
        Path dir = v2 ? cgroup : cgroup.resolve("memory");
        long usage = number(line(dir.resolve(v2 ? "memory.current" : "memory.usage_in_bytes")));
        if (usage < 0) {
            return -1;
        }
        long inactive = statValue(dir.resolve("memory.stat"), v2 ? "inactive_file" : "total_inactive_file");
        return Math.max(0, usage - Math.max(0, inactive));
    }

    static long statValue(Path file, String key) {
        try {
            for (String l : Files.readAllLines(file)) {
                String[] kv = l.trim().split("\\s+");
                if (kv.length == 2 && kv[0].equals(key)) {
                    return Long.parseLong(kv[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return -1;
    }

    /** The total of "running/total" in {@code /proc/loadavg}. */
    static long loadavgTotal(String loadavg) {
        if (loadavg == null) {
            return -1;
        }
        String[] f = loadavg.trim().split("\\s+");
        if (f.length < 4 || !f[3].contains("/")) {
            return -1;
        }
        return number(f[3].substring(f[3].indexOf('/') + 1));
    }

    private static long number(String s) {
        if (s == null) {
            return -1;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String line(Path p) {
        try {
            List<String> lines = Files.readAllLines(p);
            return lines.isEmpty() ? null : lines.get(0);
        } catch (IOException | SecurityException e) {
            return null;
        }
    }

    private static Path existing(Path p) {
        Path c = p == null ? null : p.toAbsolutePath();
        while (c != null && !Files.exists(c)) {
            c = c.getParent();
        }
        return c;
    }
}
