package io.kube4j.controller.volume;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
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
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.PatchType;
import io.kube4j.client.ResourceClient;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import io.kube4j.controller.volume.persistentvolume.PersistentVolumeControllerFactory;
import io.kube4j.controller.volume.persistentvolume.PersistentVolumeControllerProperties;
import io.kube4j.controller.volume.protection.PvProtectionControllerFactory;
import io.kube4j.controller.volume.protection.PvcProtectionControllerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The PersistentVolume binder, the local-path provisioner and the two protection controllers on the real apiserver
 * (etcd), with the apiserver's DefaultStorageClass and StorageObjectInUseProtection admission: static binding and
 * both reclaim policies, WaitForFirstConsumer provisioning on the node the scheduler selected, a claim kept while a pod
 * uses it, kubectl's columns and describe, and 422s for invalid objects. No node agent: nodes are API objects here,
 * and each test's volumes carry a label its claims select, so parallel tests never take each other's volumes.
 */
class PersistentVolumeIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static KubeClient client;
    private static ResourceClient<PersistentVolume> pvs;
    private static ResourceClient<PersistentVolumeClaim> pvcs;
    private static ResourceClient<StorageClass> classes;
    private static ControllerManager manager;
    private static String ns;

    @BeforeAll
    static void start() {
        client = ControllerTestEnv.client();
        pvs = client.resources(PersistentVolume.class);
        pvcs = client.resources(PersistentVolumeClaim.class);
        classes = client.resources(StorageClass.class);
        manager = ControllerTestEnv.start(new PersistentVolumeControllerFactory(PersistentVolumeControllerProperties.defaults()),
                new PvcProtectionControllerFactory(), new PvProtectionControllerFactory());
        ns = ControllerTestEnv.namespace("pv-it");
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (manager != null) {
            manager.stop();
        }
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    private static PersistentVolume hostPathPv(String name, String size, String reclaim, String group) {
        return new PersistentVolumeBuilder().withNewMetadata().withName(name).withLabels(Map.of("pv-it", group)).endMetadata()
                .withNewSpec().withCapacity(Map.of("storage", new Quantity(size))).withAccessModes("ReadWriteOnce")
                .withPersistentVolumeReclaimPolicy(reclaim).withNewHostPath().withPath("/tmp/" + name).endHostPath()
                .endSpec().build();
    }

    private static PersistentVolumeClaim claim(String name, String size, String storageClass, String group) {
        PersistentVolumeClaimBuilder b = new PersistentVolumeClaimBuilder().withNewMetadata().withNamespace(ns)
                .withName(name).endMetadata().withNewSpec().withAccessModes("ReadWriteOnce")
                .withNewResources().withRequests(Map.of("storage", new Quantity(size))).endResources()
                .withStorageClassName(storageClass).endSpec();
        if (group != null) {
            b.editSpec().withNewSelector().withMatchLabels(Map.of("pv-it", group)).endSelector().endSpec();
        }
        return b.build();
    }

    private static <T extends HasMetadata> T get(ResourceClient<T> c, String namespace, String name) {
        try {
            return c.get(namespace, name).block(WAIT);
        } catch (ApiStatusException.NotFound e) {
            return null;
        }
    }

    private static PersistentVolumeClaim awaitClaimPhase(String name, String phase) {
        return await().atMost(WAIT).until(() -> get(pvcs, ns, name),
                c -> c != null && c.getStatus() != null && phase.equals(c.getStatus().getPhase()));
    }

    private static PersistentVolume awaitVolumePhase(String name, String phase) {
        return await().atMost(WAIT).until(() -> get(pvs, null, name),
                v -> v != null && v.getStatus() != null && phase.equals(v.getStatus().getPhase()));
    }

    private static List<String> events(String name) {
        return client.resources(Event.class).list(ns, ListOptions.all()).block(WAIT).getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName()))
                .map(e -> e.getReason() + ": " + e.getMessage()).toList();
    }

    @Test
    void staticVolumesBindTheSmallestFitAndReclaimByPolicy() {
        String group = unique("static");
        String small = unique("pv-small");
        String big = unique("pv-big");
        String deleting = unique("pv-del");
        pvs.create(hostPathPv(small, "1Gi", "Retain", group)).block(WAIT);
        pvs.create(hostPathPv(big, "5Gi", "Retain", group)).block(WAIT);
        PersistentVolume created = awaitVolumePhase(small, "Available");
        assertThat(created.getMetadata().getFinalizers()).containsExactly("kubernetes.io/pv-protection");
        assertThat(created.getSpec().getVolumeMode()).isEqualTo("Filesystem");

        pvcs.create(claim("data", "500Mi", "", group)).block(WAIT);
        PersistentVolumeClaim bound = awaitClaimPhase("data", "Bound");
        assertThat(bound.getSpec().getVolumeName()).isEqualTo(small);
        assertThat(bound.getStatus().getCapacity()).containsEntry("storage", new Quantity("1Gi"));
        assertThat(bound.getStatus().getAccessModes()).containsExactly("ReadWriteOnce");
        assertThat(bound.getMetadata().getAnnotations()).containsEntry("pv.kubernetes.io/bind-completed", "yes")
                .containsEntry("pv.kubernetes.io/bound-by-controller", "yes");
        assertThat(bound.getMetadata().getFinalizers()).containsExactly("kubernetes.io/pvc-protection");
        PersistentVolume pv = awaitVolumePhase(small, "Bound");
        assertThat(pv.getSpec().getClaimRef().getName()).isEqualTo("data");
        assertThat(pv.getSpec().getClaimRef().getUid()).isEqualTo(bound.getMetadata().getUid());
        assertThat(get(pvs, null, big).getStatus().getPhase()).isEqualTo("Available");

        // Retain: the claim goes, the volume stays Released with its claimRef (the data is kept for an administrator)
        pvcs.delete(ns, "data", DeleteOptions.defaults()).block(WAIT);
        await().atMost(WAIT).until(() -> get(pvcs, ns, "data") == null);
        PersistentVolume released = awaitVolumePhase(small, "Released");
        assertThat(released.getSpec().getClaimRef().getName()).isEqualTo("data");

        // Delete: the volume object goes with its claim
        pvs.create(hostPathPv(deleting, "2Gi", "Delete", group + "d")).block(WAIT);
        pvcs.create(claim("scratch", "2Gi", "", group + "d")).block(WAIT);
        assertThat(awaitClaimPhase("scratch", "Bound").getSpec().getVolumeName()).isEqualTo(deleting);
        pvcs.delete(ns, "scratch", DeleteOptions.defaults()).block(WAIT);
        await().atMost(WAIT).until(() -> get(pvs, null, deleting) == null);

        for (String name : List.of(small, big)) {
            pvs.delete(null, name, DeleteOptions.defaults()).block(WAIT); // not Bound: pv-protection lets them go
        }
        await().atMost(WAIT).until(() -> get(pvs, null, small) == null && get(pvs, null, big) == null);
    }

    @Test
    void preBindingFromEitherSideIsHonoured() {
        String group = unique("prebound");
        String byRef = unique("pv-ref");
        String byName = unique("pv-name");
        String tooSmall = unique("pv-tiny");
        PersistentVolume reserved = hostPathPv(byRef, "4Gi", "Retain", group);
        reserved.getSpec().setClaimRef(new io.fabric8.kubernetes.api.model.ObjectReferenceBuilder().withNamespace(ns)
                .withName("reserved").build());
        pvs.create(reserved).block(WAIT);
        pvs.create(hostPathPv(byName, "1Gi", "Retain", group)).block(WAIT);
        pvs.create(hostPathPv(tooSmall, "1Mi", "Retain", group)).block(WAIT);
        awaitVolumePhase(byRef, "Available"); // pre-bound, not bound yet

        pvcs.create(claim("reserved", "1Gi", "", null)).block(WAIT); // no selector: the claimRef decides
        assertThat(awaitClaimPhase("reserved", "Bound").getSpec().getVolumeName()).isEqualTo(byRef);
        PersistentVolume bound = awaitVolumePhase(byRef, "Bound");
        assertThat(bound.getMetadata().getAnnotations()).doesNotContainKey("pv.kubernetes.io/bound-by-controller");

        PersistentVolumeClaim named = claim("named", "1Gi", "", null);
        named.getSpec().setVolumeName(tooSmall);
        pvcs.create(named).block(WAIT);
        await().atMost(WAIT).until(() -> events("named").contains(
                "VolumeMismatch: Cannot bind to requested volume \"" + tooSmall + "\": requested PV is too small"));
        PersistentVolumeClaim fits = claim("named2", "1Gi", "", null);
        fits.getSpec().setVolumeName(byName);
        pvcs.create(fits).block(WAIT);
        PersistentVolumeClaim boundByName = awaitClaimPhase("named2", "Bound");
        assertThat(boundByName.getMetadata().getAnnotations()).doesNotContainKey("pv.kubernetes.io/bound-by-controller");
        assertThat(awaitVolumePhase(byName, "Bound").getSpec().getClaimRef().getUid()).isEqualTo(boundByName.getMetadata().getUid());

        for (String c : List.of("reserved", "named", "named2")) {
            pvcs.delete(ns, c, DeleteOptions.defaults()).block(WAIT);
        }
        awaitVolumePhase(byName, "Released");
        for (String v : List.of(byRef, byName, tooSmall)) {
            pvs.delete(null, v, DeleteOptions.defaults()).block(WAIT);
        }
    }

    @Test
    void aClaimWithoutAVolumeOrClassSaysSo() {
        pvcs.create(claim("orphan", "1Gi", "", unique("none"))).block(WAIT);
        await().atMost(WAIT).until(() -> events("orphan").contains(
                "FailedBinding: no persistent volumes available for this claim and no storage class is set"));
        assertThat(get(pvcs, ns, "orphan").getStatus().getPhase()).isEqualTo("Pending");
        pvcs.delete(ns, "orphan", DeleteOptions.defaults()).block(WAIT);
    }

    @Test
    void waitForFirstConsumerClaimsAreProvisionedOnTheSelectedNode() {
        // the controller ensured the local-path class at start; a claim naming no class gets it (DefaultStorageClass)
        StorageClass sc = get(classes, null, "local-path");
        assertThat(sc).isNotNull();
        assertThat(sc.getProvisioner()).isEqualTo("kube4j.io/local-path");
        assertThat(sc.getVolumeBindingMode()).isEqualTo("WaitForFirstConsumer");
        assertThat(sc.getReclaimPolicy()).isEqualTo("Delete");
        assertThat(sc.getMetadata().getAnnotations()).containsEntry("storageclass.kubernetes.io/is-default-class", "true");

        String node = unique("pv-it-node");
        String bare = unique("pv-it-bare");
        client.resources(Node.class).create(new NodeBuilder().withNewMetadata().withName(node)
                .withLabels(Map.of("kubernetes.io/hostname", node))
                .withAnnotations(Map.of("kube4j.io/local-path-dir", "/var/lib/kube4j/local-path")).endMetadata().build())
                .block(WAIT);
        client.resources(Node.class).create(new NodeBuilder().withNewMetadata().withName(bare).endMetadata().build()).block(WAIT);
        try {
            PersistentVolumeClaim created = pvcs.create(claim("www", "128Mi", null, null)).block(WAIT);
            assertThat(created.getSpec().getStorageClassName()).isEqualTo("local-path");
            await().atMost(WAIT).until(() -> events("www").contains(
                    "WaitForFirstConsumer: waiting for first consumer to be created before binding"));
            assertThat(get(pvcs, ns, "www").getStatus().getPhase()).isEqualTo("Pending");

            // a node whose agent serves no local-path directory: refused, with the reason
            pvcs.create(claim("stuck", "128Mi", null, null)).block(WAIT);
            pvcs.patch(ns, "stuck", PatchType.MERGE, "{\"metadata\":{\"annotations\":{\"volume.kubernetes.io/selected-node\":\""
                    + bare + "\"}}}").block(WAIT);
            await().atMost(WAIT).until(() -> events("stuck").stream().anyMatch(e -> e.startsWith("ProvisioningFailed: node \""
                    + bare + "\" has no kube4j.io/local-path-dir annotation")));

            pvcs.patch(ns, "www", PatchType.MERGE, "{\"metadata\":{\"annotations\":{\"volume.kubernetes.io/selected-node\":\""
                    + node + "\"}}}").block(WAIT);
            PersistentVolumeClaim bound = awaitClaimPhase("www", "Bound");
            String pvName = "pvc-" + bound.getMetadata().getUid();
            assertThat(bound.getSpec().getVolumeName()).isEqualTo(pvName);
            PersistentVolume pv = awaitVolumePhase(pvName, "Bound");
            assertThat(pv.getMetadata().getLabels()).containsEntry("kube4j.io/local-path-node", node);
            assertThat(pv.getMetadata().getAnnotations()).containsEntry("pv.kubernetes.io/provisioned-by", "kube4j.io/local-path");
            assertThat(pv.getSpec().getHostPath().getPath()).isEqualTo("/var/lib/kube4j/local-path/" + pvName + "_" + ns + "_www");
            assertThat(pv.getSpec().getHostPath().getType()).isEqualTo("DirectoryOrCreate");
            assertThat(pv.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms().get(0).getMatchExpressions().get(0))
                    .satisfies(r -> {
                        assertThat(r.getKey()).isEqualTo("kubernetes.io/hostname");
                        assertThat(r.getOperator()).isEqualTo("In");
                        assertThat(r.getValues()).containsExactly(node);
                    });
            assertThat(pv.getSpec().getCapacity()).containsEntry("storage", new Quantity("128Mi"));
            assertThat(pv.getSpec().getPersistentVolumeReclaimPolicy()).isEqualTo("Delete");
            assertThat(pv.getSpec().getStorageClassName()).isEqualTo("local-path");
            assertThat(events("www")).contains("ProvisioningSucceeded: Successfully provisioned volume " + pvName);

            pvcs.delete(ns, "www", DeleteOptions.defaults()).block(WAIT);
            await().atMost(WAIT).until(() -> get(pvs, null, pvName) == null);
            pvcs.delete(ns, "stuck", DeleteOptions.defaults()).block(WAIT);
        } finally {
            client.resources(Node.class).delete(null, node, DeleteOptions.defaults()).block(WAIT);
            client.resources(Node.class).delete(null, bare, DeleteOptions.defaults()).block(WAIT);
        }
    }

    @Test
    void aClaimInUseByAPodIsKeptUntilThePodIsGone() {
        String group = unique("inuse");
        String pvName = unique("pv-inuse");
        pvs.create(hostPathPv(pvName, "1Gi", "Delete", group)).block(WAIT);
        pvcs.create(claim("used", "1Gi", "", group)).block(WAIT);
        awaitClaimPhase("used", "Bound");
        ResourceClient<Pod> pods = client.resources(Pod.class);
        pods.create(new PodBuilder().withNewMetadata().withNamespace(ns).withName("user").endMetadata().withNewSpec()
                .withNodeName("pv-it-nowhere").addNewContainer().withName("c").withImage("busybox").endContainer()
                .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName("used").endPersistentVolumeClaim()
                .endVolume().endSpec().build()).block(WAIT);

        pvcs.delete(ns, "used", DeleteOptions.defaults()).block(WAIT);
        PersistentVolumeClaim terminating = get(pvcs, ns, "used");
        assertThat(terminating.getMetadata().getDeletionTimestamp()).isNotNull();
        await().during(Duration.ofSeconds(2)).atMost(WAIT).until(() -> {
            PersistentVolumeClaim c = get(pvcs, ns, "used");
            return c != null && c.getMetadata().getFinalizers().contains("kubernetes.io/pvc-protection");
        });
        assertThat(get(pvs, null, pvName).getStatus().getPhase()).isEqualTo("Bound");

        pods.delete(ns, "user", DeleteOptions.now()).block(WAIT);
        await().atMost(WAIT).until(() -> get(pvcs, ns, "used") == null);
        await().atMost(WAIT).until(() -> get(pvs, null, pvName) == null); // reclaim Delete, then pv-protection lets go
    }

    @Test
    void kubectlShowsVolumesClaimsAndClasses(@TempDir Path dir) throws Exception {
        Path binary = Requirements.requireBinary("kubectl");
        String group = unique("kubectl");
        String pvName = unique("pv-kubectl");
        pvs.create(hostPathPv(pvName, "3Gi", "Retain", group)).block(WAIT);
        pvcs.create(claim("shown", "3Gi", "", group)).block(WAIT);
        awaitClaimPhase("shown", "Bound");
        awaitVolumePhase(pvName, "Bound");
        KubectlRunner kubectl = new KubectlRunner(binary, ApiServerInstance.shared().url(), ns, dir, Duration.ofSeconds(30));

        String pv = kubectl.kubectl("get", "pv", pvName).ok().out();
        assertThat(pv.lines().findFirst().orElseThrow()).containsSubsequence("NAME", "CAPACITY", "ACCESS MODES",
                "RECLAIM POLICY", "STATUS", "CLAIM", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "REASON", "AGE");
        assertThat(pv).containsPattern(pvName + "\\s+3Gi\\s+RWO\\s+Retain\\s+Bound\\s+" + ns + "/shown\\s+<unset>");
        String pvc = kubectl.kubectl("get", "pvc", "shown", "-o", "wide").ok().out();
        assertThat(pvc.lines().findFirst().orElseThrow()).containsSubsequence("NAME", "STATUS", "VOLUME", "CAPACITY",
                "ACCESS MODES", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "AGE", "VOLUMEMODE");
        assertThat(pvc).containsPattern("shown\\s+Bound\\s+" + pvName + "\\s+3Gi\\s+RWO\\s+<unset>\\s+\\S+\\s+Filesystem");
        String sc = kubectl.kubectl("get", "sc", "local-path").ok().out();
        assertThat(sc.lines().findFirst().orElseThrow()).containsSubsequence("NAME", "PROVISIONER", "RECLAIMPOLICY",
                "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE");
        assertThat(sc).containsPattern("local-path \\(default\\)\\s+kube4j.io/local-path\\s+Delete\\s+WaitForFirstConsumer\\s+false");
        String describe = kubectl.kubectl("describe", "pvc", "shown").ok().out();
        assertThat(describe).containsPattern("Status:\\s+Bound").containsPattern("Volume:\\s+" + pvName)
                .containsPattern("Capacity:\\s+3Gi").containsPattern("Access Modes:\\s+RWO")
                .contains("kubernetes.io/pvc-protection");

        // kubectl apply twice: the second is a strategic merge patch of the existing volume
        Path manifest = dir.resolve("pv.yaml");
        String applied = unique("pv-applied");
        java.nio.file.Files.writeString(manifest, """
                apiVersion: v1
                kind: PersistentVolume
                metadata: {name: NAME, labels: {tier: TIER}}
                spec:
                  capacity: {storage: 1Gi}
                  accessModes: [ReadWriteOnce]
                  storageClassName: manual
                  hostPath: {path: /tmp/NAME}
                """.replace("NAME", applied).replace("TIER", "one"));
        kubectl.kubectl("apply", "-f", manifest.toString()).ok();
        java.nio.file.Files.writeString(manifest, java.nio.file.Files.readString(manifest).replace("tier: one", "tier: two"));
        assertThat(kubectl.kubectl("apply", "-f", manifest.toString()).ok().out()).contains("configured");
        assertThat(get(pvs, null, applied).getMetadata().getLabels()).containsEntry("tier", "two");
        kubectl.kubectl("delete", "pv", applied).ok();

        pvcs.delete(ns, "shown", DeleteOptions.defaults()).block(WAIT);
        await().atMost(WAIT).until(() -> get(pvcs, ns, "shown") == null);
        pvs.delete(null, pvName, DeleteOptions.defaults()).block(WAIT);
    }

    @Test
    void invalidObjectsAreRefusedWith422() {
        PersistentVolume noSource = hostPathPv(unique("pv-bad"), "1Gi", "Retain", "bad");
        noSource.getSpec().setHostPath(null);
        assertInvalid(() -> pvs.create(noSource).block(WAIT), "spec: Required value: must specify a volume type");

        PersistentVolume local = hostPathPv(unique("pv-local"), "1Gi", "Retain", "bad");
        local.getSpec().setHostPath(null);
        local.getSpec().setLocal(new io.fabric8.kubernetes.api.model.LocalVolumeSource(null, "/mnt/disk"));
        assertInvalid(() -> pvs.create(local).block(WAIT), "metadata.annotations: Required value: Local volume requires node affinity");

        PersistentVolumeClaim noModes = claim(unique("bad"), "1Gi", "", null);
        noModes.getSpec().setAccessModes(List.of());
        assertInvalid(() -> pvcs.create(noModes).block(WAIT), "spec.accessModes: Required value: at least 1 access mode is required");
        PersistentVolumeClaim noSize = claim(unique("bad"), "1Gi", "", null);
        noSize.getSpec().getResources().setRequests(Map.of());
        assertInvalid(() -> pvcs.create(noSize).block(WAIT), "spec.resources[storage]: Required value");

        assertInvalid(() -> classes.create(new StorageClassBuilder().withNewMetadata().withName(unique("sc-bad")).endMetadata()
                .build()).block(WAIT), "provisioner: Required value");

        String scName = unique("sc-it");
        classes.create(new StorageClassBuilder().withNewMetadata().withName(scName).endMetadata()
                .withProvisioner("example.com/nfs").build()).block(WAIT);
        StorageClass defaulted = get(classes, null, scName);
        assertThat(defaulted.getReclaimPolicy()).isEqualTo("Delete");
        assertThat(defaulted.getVolumeBindingMode()).isEqualTo("Immediate");
        assertInvalid(() -> classes.patch(null, scName, PatchType.MERGE, "{\"provisioner\":\"example.com/other\"}").block(WAIT),
                "provisioner: Forbidden: updates to provisioner are forbidden.");
        classes.delete(null, scName, DeleteOptions.defaults()).block(WAIT);

        String name = unique("immutable");
        pvcs.create(claim(name, "1Gi", "", unique("nothing"))).block(WAIT);
        assertInvalid(() -> pvcs.patch(ns, name, PatchType.MERGE, "{\"spec\":{\"accessModes\":[\"ReadWriteMany\"]}}").block(WAIT),
                "spec: Forbidden: spec is immutable after creation except resources.requests");
        pvcs.delete(ns, name, DeleteOptions.defaults()).block(WAIT);
    }

    private static void assertInvalid(Runnable call, String message) {
        assertThatThrownBy(call::run).isInstanceOf(ApiStatusException.Invalid.class)
                .satisfies(e -> assertThat(((ApiStatusException) e).code()).isEqualTo(422))
                .hasMessageContaining(message);
    }
}
