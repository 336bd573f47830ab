package io.kube4j.scheduler.plugins.volumebinding;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.Status;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VolumeBindingTest {

    private final Map<String, PersistentVolumeClaim> claims = new HashMap<>();
    private final Map<String, PersistentVolume> volumes = new HashMap<>();
    private final Map<String, StorageClass> classes = new HashMap<>();
    private VolumeBinding plugin;

    private final NodeInfo nodeA = NodeInfo.of(node("a", "/var/lib/a/local-path"));
    private final NodeInfo nodeB = NodeInfo.of(node("b", null));

    @BeforeEach
    void setUp() {
        plugin = new VolumeBinding(new VolumeObjects() {
            @Override
            public PersistentVolumeClaim claim(String namespace, String name) {
                return claims.get(namespace + "/" + name);
            }

            @Override
            public PersistentVolume volume(String name) {
                return volumes.get(name);
            }

            @Override
            public List<PersistentVolume> volumes() {
                return new ArrayList<>(volumes.values());
            }

            @Override
            public StorageClass storageClass(String name) {
                return classes.get(name);
            }
        }, null, Duration.ofSeconds(1));
        sc("local-path", "kube4j.io/local-path", "WaitForFirstConsumer");
        sc("manual", "kubernetes.io/no-provisioner", "WaitForFirstConsumer");
        sc("fast", "example.com/fast", "Immediate");
    }

    @Test
    void podWithoutClaimsIsSkipped() {
        assertThat(plugin.preFilter(new CycleState(), pod()).isSkip()).isTrue();
    }

    @Test
    void missingClaimIsUnresolvable() {
        Status s = plugin.preFilter(new CycleState(), pod("data"));
        assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
        assertThat(s.message()).isEqualTo("persistentvolumeclaim \"data\" not found");
    }

    @Test
    void unboundImmediateClaimIsUnresolvable() {
        claim("data", "fast", null, "1Gi");
        Status s = plugin.preFilter(new CycleState(), pod("data"));
        assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
        assertThat(s.message()).isEqualTo(VolumeBinding.ERR_UNBOUND_IMMEDIATE);
    }

    @Test
    void boundVolumeNodeAffinityRestrictsNodes() {
        volume("pv1", "manual", "1Gi", "a");
        claim("data", "manual", "pv1", "1Gi");
        CycleState st = new CycleState();
        assertThat(plugin.preFilter(st, pod("data")).isSuccess()).isTrue();
        assertThat(plugin.filter(st, pod("data"), nodeA).isSuccess()).isTrue();
        Status s = plugin.filter(st, pod("data"), nodeB);
        assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
        assertThat(s.message()).isEqualTo(VolumeBinding.ERR_REASON_NODE_CONFLICT);
    }

    @Test
    void localPathNeedsTheNodeAnnotation() {
        claim("data", "local-path", null, "1Gi");
        CycleState st = new CycleState();
        assertThat(plugin.preFilter(st, pod("data")).isSuccess()).isTrue();
        assertThat(plugin.filter(st, pod("data"), nodeA).isSuccess()).isTrue();
        assertThat(plugin.filter(st, pod("data"), nodeB).message()).isEqualTo(VolumeBinding.ERR_REASON_BIND_CONFLICT);
    }

    @Test
    void selectedNodeAnnotationPinsTheClaim() {
        claim("data", "local-path", null, "1Gi").getMetadata()
                .setAnnotations(Map.of(VolumeBinding.SELECTED_NODE_ANNOTATION, "b"));
        CycleState st = new CycleState();
        plugin.preFilter(st, pod("data"));
        assertThat(plugin.filter(st, pod("data"), nodeA).message()).isEqualTo(VolumeBinding.ERR_REASON_BIND_CONFLICT);
    }

    @Test
    void staticVolumeMustFitSizeModeAndNode() {
        volume("small", "manual", "500Mi", "a");
        volume("onb", "manual", "5Gi", "b");
        volume("big", "manual", "10Gi", "a");
        volume("right", "manual", "2Gi", "a");
        claim("data", "manual", null, "1Gi");
        CycleState st = new CycleState();
        plugin.preFilter(st, pod("data"));
        assertThat(plugin.filter(st, pod("data"), nodeA).isSuccess()).isTrue();
        assertThat(plugin.filter(st, pod("data"), nodeB).isSuccess()).isTrue();
        assertThat(plugin.reserve(st, pod("data"), "a").isSuccess()).isTrue();
        // the smallest fitting PV on node a is chosen and assumed
        assertThat(plugin.assumedVolumes()).containsEntry("right", "ns/data");
        plugin.unreserve(st, pod("data"), "a");
        assertThat(plugin.assumedVolumes()).isEmpty();
    }

    @Test
    void assumedVolumeIsNotOfferedToAnotherClaim() {
        volume("only", "manual", "2Gi", "a");
        claim("one", "manual", null, "1Gi");
        claim("two", "manual", null, "1Gi");
        CycleState first = new CycleState();
        plugin.preFilter(first, pod("one"));
        assertThat(plugin.filter(first, pod("one"), nodeA).isSuccess()).isTrue();
        plugin.reserve(first, pod("one"), "a");
        CycleState second = new CycleState();
        plugin.preFilter(second, pod("two"));
        assertThat(plugin.filter(second, pod("two"), nodeA).message())
                .isEqualTo(VolumeBinding.ERR_REASON_BIND_CONFLICT);
    }

    @Test
    void noProvisionerWithoutVolumeIsUnschedulable() {
        claim("data", "manual", null, "1Gi");
        CycleState st = new CycleState();
        plugin.preFilter(st, pod("data"));
        assertThat(plugin.filter(st, pod("data"), nodeA).code())
                .isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
    }

    @Test
    void twoClaimsNeverShareAStaticVolume() {
        volume("only", "manual", "2Gi", "a");
        claim("one", "manual", null, "1Gi");
        claim("two", "manual", null, "1Gi");
        CycleState st = new CycleState();
        plugin.preFilter(st, pod("one", "two"));
        assertThat(plugin.filter(st, pod("one", "two"), nodeA).isRejected()).isTrue();
    }

    private void sc(String name, String provisioner, String mode) {
        classes.put(name, new StorageClassBuilder().withNewMetadata().withName(name).endMetadata()
                .withProvisioner(provisioner).withVolumeBindingMode(mode).build());
    }

    private PersistentVolumeClaim claim(String name, String sc, String volumeName, String size) {
        PersistentVolumeClaim c = new PersistentVolumeClaimBuilder().withNewMetadata().withNamespace("ns")
                .withName(name).withUid("uid-" + name).endMetadata().withNewSpec().withStorageClassName(sc)
                .withVolumeName(volumeName).withAccessModes("ReadWriteOnce").withNewResources()
                .addToRequests("storage", new Quantity(size)).endResources().endSpec().build();
        claims.put("ns/" + name, c);
        return c;
    }

    private void volume(String name, String sc, String size, String node) {
        volumes.put(name, new PersistentVolumeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withStorageClassName(sc).withAccessModes("ReadWriteOnce").addToCapacity("storage", new Quantity(size))
                .withNewHostPath().withPath("/tmp/" + name).endHostPath()
                .withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm().addNewMatchExpression()
                .withKey("kubernetes.io/hostname").withOperator("In").withValues(node).endMatchExpression()
                .endNodeSelectorTerm().endRequired().endNodeAffinity().endSpec()
                .withNewStatus().withPhase("Available").endStatus().build());
    }

    private static Pod pod(String... claimNames) {
        PodBuilder b = new PodBuilder().withNewMetadata().withNamespace("ns").withName("p").endMetadata()
                .withNewSpec().endSpec();
        for (String c : claimNames) {
            b.editSpec().addNewVolume().withName(c).withNewPersistentVolumeClaim().withClaimName(c)
                    .endPersistentVolumeClaim().endVolume().endSpec();
        }
        return b.build();
    }

    private static Node node(String name, String localPathDir) {
        NodeBuilder b = new NodeBuilder().withNewMetadata().withName(name)
                .addToLabels("kubernetes.io/hostname", name).endMetadata();
        if (localPathDir != null) {
            b.editMetadata().addToAnnotations(VolumeBinding.LOCAL_PATH_DIR_ANNOTATION, localPathDir).endMetadata();
        }
        return b.build();
    }
}
