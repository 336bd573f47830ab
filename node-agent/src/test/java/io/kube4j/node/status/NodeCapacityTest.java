package io.kube4j.node.status;

import static io.kube4j.node.testsupport.NodeTestSupport.properties;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Quantity;
import io.kube4j.node.runtime.RuntimeInfo;

class NodeCapacityTest {

    private static final long GI = 1L << 30;
    private static final RuntimeInfo INFO = new RuntimeInfo("docker", "20.10.24", "1.41", "linux", "6.1", "Debian",
            "x86_64", 4, 16 * GI, 100 * GI, "cgroupfs");

    @Test
    void allocatableIsCapacityMinusReservationsAndHardEvictionThresholds() {
        NodeCapacity c = NodeCapacity.compute(INFO, CgroupLimits.NONE, properties(
                "reserved.cpu=500m", "reserved.memory=1Gi", "reserved.ephemeral-storage=2Gi",
                "eviction.memory-available=100MB", "eviction.nodefs-available-percent=10", "max-pods=50"));
        assertThat(c.capacity().get("cpu")).isEqualTo(new Quantity("4"));
        assertThat(c.capacity().get("memory")).isEqualTo(new Quantity(16 * GI / 1024 + "Ki"));
        assertThat(c.capacity().get("ephemeral-storage")).isEqualTo(new Quantity(Long.toString(100 * GI)));
        assertThat(c.capacity().get("pods")).isEqualTo(new Quantity("50"));
        assertThat(c.allocatable().get("cpu")).isEqualTo(new Quantity("3500m"));
        long mem = 16 * GI - GI - 100L * 1024 * 1024;
        assertThat(c.allocatable().get("memory")).isEqualTo(new Quantity(mem / 1024 + "Ki"));
        assertThat(c.allocatable().get("ephemeral-storage"))
                .isEqualTo(new Quantity(Long.toString(100 * GI - 2 * GI - 10 * GI)));
        assertThat(c.allocatable().get("pods")).isEqualTo(new Quantity("50"));
    }

    @Test
    void cgroupLimitsBoundCapacityOnlyWhenSmaller() {
        NodeCapacity smaller = NodeCapacity.compute(INFO,
                new CgroupLimits(OptionalLong.of(2 * GI), OptionalLong.of(1500)), properties());
        assertThat(smaller.capacity().get("cpu")).isEqualTo(new Quantity("1500m"));
        assertThat(smaller.capacity().get("memory")).isEqualTo(new Quantity(2 * GI / 1024 + "Ki"));

        NodeCapacity larger = NodeCapacity.compute(INFO,
                new CgroupLimits(OptionalLong.of(64 * GI), OptionalLong.of(8000)), properties());
        assertThat(larger.capacity().get("cpu")).isEqualTo(new Quantity("4"));
        assertThat(larger.capacity().get("memory")).isEqualTo(new Quantity(16 * GI / 1024 + "Ki"));
    }

    @Test
    void allocatableNeverGoesNegative() {
        NodeCapacity c = NodeCapacity.compute(INFO, new CgroupLimits(OptionalLong.of(GI / 2), OptionalLong.of(100)),
                properties("reserved.cpu=2", "reserved.memory=1Gi"));
        assertThat(c.allocatable().get("cpu")).isEqualTo(new Quantity("0"));
        assertThat(c.allocatable().get("memory")).isEqualTo(new Quantity("0Ki"));
    }

    @Test
    void badReservationIsAClearError() {
        assertThatThrownBy(() -> NodeCapacity.compute(INFO, CgroupLimits.NONE, properties("reserved.memory=lots")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kube4j.node.reserved.memory").hasMessageContaining("lots");
    }
}
