package io.kube4j.scheduler.plugins.volumerestrictions;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** VolumeRestrictions, with the disk-conflict cases of kube-scheduler's volume_restrictions_test.go. */
class VolumeRestrictionsTest {

    static Pod withVolumes(String name, Volume... volumes) {
        Pod p = pod(name).build();
        p.getSpec().setVolumes(List.of(volumes));
        return p;
    }

    static Volume gce(String pd, boolean ro) {
        return new VolumeBuilder().withName("v").withNewGcePersistentDisk().withPdName(pd).withReadOnly(ro)
                .endGcePersistentDisk().build();
    }

    static Volume ebs(String id, boolean ro) {
        return new VolumeBuilder().withName("v").withNewAwsElasticBlockStore().withVolumeID(id).withReadOnly(ro)
                .endAwsElasticBlockStore().build();
    }

    static Volume iscsi(String iqn, boolean ro) {
        return new VolumeBuilder().withName("v").withNewIscsi().withTargetPortal("127.0.0.1:3260").withIqn(iqn)
                .withLun(0).withReadOnly(ro).endIscsi().build();
    }

    static Volume rbd(List<String> monitors, String pool, String image, boolean ro) {
        return new VolumeBuilder().withName("v").withNewRbd().withMonitors(monitors).withPool(pool).withImage(image)
                .withReadOnly(ro).endRbd().build();
    }

    static Volume hostPath(String path) {
        return new VolumeBuilder().withName("v").withNewHostPath().withPath(path).endHostPath().build();
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("nothing on the node", withVolumes("p", gce("foo", false)), List.of(), true),
                Arguments.of("gce: other disk", withVolumes("p", gce("foo", false)),
                        List.of(withVolumes("e", gce("bar", false))), true),
                Arguments.of("gce: same disk read-write", withVolumes("p", gce("foo", false)),
                        List.of(withVolumes("e", gce("foo", false))), false),
                Arguments.of("gce: same disk, one read-only", withVolumes("p", gce("foo", true)),
                        List.of(withVolumes("e", gce("foo", false))), false),
                Arguments.of("gce: same disk, both read-only", withVolumes("p", gce("foo", true)),
                        List.of(withVolumes("e", gce("foo", true))), true),
                Arguments.of("ebs: same volume even read-only", withVolumes("p", ebs("foo", true)),
                        List.of(withVolumes("e", ebs("foo", true))), false),
                Arguments.of("ebs: other volume", withVolumes("p", ebs("foo", false)),
                        List.of(withVolumes("e", ebs("bar", false))), true),
                Arguments.of("iscsi: same iqn", withVolumes("p", iscsi("iqn.2016-12.server:storage.target01", false)),
                        List.of(withVolumes("e", iscsi("iqn.2016-12.server:storage.target01", false))), false),
                Arguments.of("iscsi: same iqn, both read-only",
                        withVolumes("p", iscsi("iqn.2016-12.server:storage.target01", true)),
                        List.of(withVolumes("e", iscsi("iqn.2016-12.server:storage.target01", true))), true),
                Arguments.of("iscsi: other iqn", withVolumes("p", iscsi("iqn.2016-12.server:storage.target01", false)),
                        List.of(withVolumes("e", iscsi("iqn.2017-12.server:storage.target01", false))), true),
                Arguments.of("rbd: overlapping monitors, same pool and image",
                        withVolumes("p", rbd(List.of("a", "b"), "foo", "bar", false)),
                        List.of(withVolumes("e", rbd(List.of("b", "c"), "foo", "bar", false))), false),
                Arguments.of("rbd: other image", withVolumes("p", rbd(List.of("a", "b"), "foo", "bar", false)),
                        List.of(withVolumes("e", rbd(List.of("a", "b"), "foo", "baz", false))), true),
                Arguments.of("rbd: disjoint monitors", withVolumes("p", rbd(List.of("a"), "foo", "bar", false)),
                        List.of(withVolumes("e", rbd(List.of("b"), "foo", "bar", false))), true),
                Arguments.of("rbd: both read-only", withVolumes("p", rbd(List.of("a"), "foo", "bar", true)),
                        List.of(withVolumes("e", rbd(List.of("a"), "foo", "bar", true))), true),
                Arguments.of("hostPath is shared, never a conflict", withVolumes("p", hostPath("/data")),
                        List.of(withVolumes("e", hostPath("/data"))), true),
                Arguments.of("different kinds do not conflict", withVolumes("p", gce("foo", false)),
                        List.of(withVolumes("e", ebs("foo", false))), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void filter(String name, Pod pod, List<Pod> existing, boolean fits) {
        VolumeRestrictions plugin = new VolumeRestrictions();
        CycleState state = new CycleState();
        plugin.preFilter(state, pod);
        Status s = plugin.filter(state, pod, NodeInfo.of(node("n"), existing.toArray(Pod[]::new)));
        if (fits) {
            assertThat(s.isSuccess()).as(s.toString()).isTrue();
        } else {
            assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE);
            assertThat(s.reasons()).containsExactly(VolumeRestrictions.ERR_REASON_DISK_CONFLICT);
        }
    }

    @Test
    void preFilterSkipsPodsWithoutConflictingVolumeKinds() {
        assertThat(new VolumeRestrictions().preFilter(new CycleState(), withVolumes("p", hostPath("/x")))
                .isSkip()).isTrue();
        assertThat(new VolumeRestrictions().preFilter(new CycleState(), withVolumes("p", gce("x", false)))
                .isSuccess()).isTrue();
    }
}
