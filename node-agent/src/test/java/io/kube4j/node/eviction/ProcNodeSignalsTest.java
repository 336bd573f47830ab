package io.kube4j.node.eviction;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcNodeSignalsTest {

    @TempDir
    Path dir;

    private void write(String rel, String content) throws IOException {
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    @Test
    void readsMeminfoPidsAndTheRootFilesystem() throws IOException {
        write("proc/meminfo", "MemTotal:       16384000 kB\nMemFree:  100 kB\nMemAvailable:    4096000 kB\n");
        write("proc/sys/kernel/pid_max", "32768\n");
        write("proc/loadavg", "0.52 0.58 0.59 3/812 12345\n");
        NodeSignals.Observation o = new ProcNodeSignals(dir.resolve("root/not/yet"), dir.resolve("proc"),
                dir.resolve("cgroup")).observe();
        assertThat(o.memoryCapacityBytes()).isEqualTo(16384000L * 1024);
        assertThat(o.memoryAvailableBytes()).isEqualTo(4096000L * 1024);
        assertThat(o.pidMax()).isEqualTo(32768);
        assertThat(o.pidsInUse()).isEqualTo(812);
        assertThat(o.nodefsCapacityBytes()).isPositive();
        assertThat(o.nodefsAvailableBytes()).isBetween(0L, o.nodefsCapacityBytes());
    }

    @Test
    void aSmallerCgroupLimitIsTheCapacityAndItsWorkingSetTheUsage() throws IOException {
        write("proc/meminfo", "MemTotal:       16384000 kB\nMemAvailable:    8000000 kB\n");
        write("cgroup/memory/memory.limit_in_bytes", Long.toString(1L << 30));
        write("cgroup/memory/memory.usage_in_bytes", Long.toString(900L << 20));
        write("cgroup/memory/memory.stat", "cache 100\ntotal_inactive_file " + (100L << 20) + "\n");
        NodeSignals.Observation o = new ProcNodeSignals(dir, dir.resolve("proc"), dir.resolve("cgroup")).observe();
        assertThat(o.memoryCapacityBytes()).isEqualTo(1L << 30);
        assertThat(o.memoryAvailableBytes()).isEqualTo((1L << 30) - (800L << 20));
        assertThat(o.pidMax()).isEqualTo(-1);
    }
}
