package io.kube4j.node.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupLimitsTest {

    @TempDir
    Path root;

    private void write(String rel, String content) throws IOException {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }

    @Test
    void v1WithLimits() throws IOException {
        write("memory/memory.limit_in_bytes", "2147483648\n");
        write("cpu/cpu.cfs_quota_us", "150000\n");
        write("cpu/cpu.cfs_period_us", "100000\n");
        CgroupLimits l = CgroupLimits.read(root);
        assertThat(l.memoryBytes()).hasValue(2L << 30);
        assertThat(l.cpuMillis()).hasValue(1500);
    }

    @Test
    void v1UnlimitedIsEmpty() throws IOException {
        write("memory/memory.limit_in_bytes", "9223372036854771712\n");
        write("cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
        write("cpu,cpuacct/cpu.cfs_period_us", "100000\n");
        CgroupLimits l = CgroupLimits.read(root);
        assertThat(l.memoryBytes()).isEmpty();
        assertThat(l.cpuMillis()).isEmpty();
    }

    @Test
    void v2WithLimits() throws IOException {
        write("cgroup.controllers", "cpuset cpu io memory pids\n");
        write("memory.max", "536870912\n");
        write("cpu.max", "50000 100000\n");
        CgroupLimits l = CgroupLimits.read(root);
        assertThat(l.memoryBytes()).hasValue(512L << 20);
        assertThat(l.cpuMillis()).hasValue(500);
    }

    @Test
    void v2MaxIsEmpty() throws IOException {
        write("cgroup.controllers", "cpu memory\n");
        write("memory.max", "max\n");
        write("cpu.max", "max 100000\n");
        assertThat(CgroupLimits.read(root)).isEqualTo(CgroupLimits.NONE);
    }

    @Test
    void missingFilesAreEmpty() {
        assertThat(CgroupLimits.read(root.resolve("nowhere"))).isEqualTo(
                new CgroupLimits(OptionalLong.empty(), OptionalLong.empty()));
    }
}
