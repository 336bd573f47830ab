package io.kube4j.scheduler;

import static io.kube4j.scheduler.testsupport.TestObjects.node;
import static io.kube4j.scheduler.testsupport.TestObjects.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.client.util.Clock;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.FrameworkHandle;
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.plugins.DefaultPlugins;
import io.kube4j.scheduler.plugins.defaultbinder.DefaultBinder;
import io.kube4j.scheduler.plugins.volumebinding.VolumeBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * VolumeBinding in the default profile against the real apiserver on etcd, with two plain Node objects of this run
 * (only {@code with-dir} advertises a local-path directory). No PV controller runs here: where a claim waits for one,
 * the test plays it (creates the PV and binds), so what is checked is the scheduler's half of the protocol. The
 * scheduler serves its own schedulerName and the pods select this run's nodes.
 */
class VolumeBindingIT {

    private static final String RUN = UUID.randomUUID().toString().substring(0, 6);
    private static final String NS = "vb-it-" + RUN;
    private static final String SCHEDULER = "volume-binding-it-" + RUN;
    private static final String WFFC = "wffc-" + RUN;
    private static final String IMMEDIATE = "immediate-" + RUN;
    private static final String MANUAL = "manual-" + RUN;
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String WITH_DIR = "with-dir-" + RUN;
    private static final String WITHOUT_DIR = "without-dir-" + RUN;

    private static KubeClient client;
    private static Parallelizer parallelizer;
    private static EventRecorder events;
    private static Scheduler scheduler;
    private static final List<String> pvs = new ArrayList<>();

    @BeforeAll
    static void start() {
        Requirements.requireBinary("etcd");
        client = KubeClient.create(ClientConfig.of(ApiServerInstance.shared().url()));
        client.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata()
                .build()).block(WAIT);
        for (String name : List.of(WITH_DIR, WITHOUT_DIR)) {
            var b = node(name, "8", "16Gi").editMetadata().addToLabels("kubernetes.io/hostname", name)
                    .addToLabels("it-run", RUN).endMetadata();
            if (name.equals(WITH_DIR)) {
                b.editMetadata().addToAnnotations(VolumeBinding.LOCAL_PATH_DIR_ANNOTATION, "/var/lib/x/local-path")
                        .endMetadata();
            }
            Node n = b.build();
            Node created = client.resources(Node.class).create(n).block(WAIT);
            created.setStatus(n.getStatus());
            client.resources(Node.class).updateStatus(created).block(WAIT);
        }
        storageClass(WFFC, VolumeBinding.LOCAL_PATH_PROVISIONER, "WaitForFirstConsumer");
        storageClass(IMMEDIATE, "example.com/immediate", "Immediate");
        storageClass(MANUAL, VolumeBinding.NO_PROVISIONER, "WaitForFirstConsumer");
        parallelizer = new Parallelizer(2);
        events = new EventRecorder(client.resources(Event.class), SCHEDULER, null);
        SharedInformerFactory informers = SharedInformerFactory.forClient(client, Duration.ZERO);
        FrameworkHandle handle = new FrameworkHandle.SimpleHandle(client, events, informers, parallelizer,
                Clock.system());
        Framework fw = new Framework(DefaultPlugins.profile(SCHEDULER, new DefaultBinder(client,
                Duration.ofSeconds(10)), 0, handle), parallelizer, new Random());
        scheduler = new Scheduler(client, informers, List.of(fw), events, Clock.system(), new Scheduler.Settings(
                Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofSeconds(30), 4));
        scheduler.start(WAIT);
    }

    @AfterAll
    static void stop() throws Exception {
        if (scheduler != null) {
            scheduler.close();
        }
        if (events != null) {
            events.close();
        }
        if (parallelizer != null) {
            parallelizer.close();
        }
        if (client != null) {
            for (String n : List.of(WITH_DIR, WITHOUT_DIR)) {
                client.resources(Node.class).delete(null, n, DeleteOptions.defaults()).onErrorComplete().block(WAIT);
            }
            for (String sc : List.of(WFFC, IMMEDIATE, MANUAL)) {
                client.resources(StorageClass.class).delete(null, sc, DeleteOptions.defaults()).onErrorComplete()
                        .block(WAIT);
            }
            for (String pv : pvs) {
                client.resources(PersistentVolume.class).delete(null, pv, DeleteOptions.defaults()).onErrorComplete()
                        .block(WAIT);
                // no protection controller runs here to drop kubernetes.io/pv-protection
                client.resources(PersistentVolume.class).updateWithRetry(null, pv, o -> {
                    o.getMetadata().setFinalizers(null);
                    return o;
                }, false).onErrorComplete().block(WAIT);
            }
            client.resources(Namespace.class).delete(null, NS, DeleteOptions.defaults()).onErrorComplete()
                    .block(WAIT);
            client.close();
        }
    }

    @Test
    void waitForFirstConsumerClaimGetsTheNodeThatCanProvisionAndThePodWaitsForTheBinding() {
        PersistentVolumeClaim claim = claim("wffc-data", WFFC);
        createPod("wffc-pod", "wffc-data");
        // the only node with a local-path directory is selected for provisioning
        await().atMost(WAIT).until(() -> selectedNode("wffc-data") != null);
        assertThat(selectedNode("wffc-data")).isEqualTo(WITH_DIR);
        assertThat(nodeOf("wffc-pod")).as("not bound before its claim is").isNull();
        // play provisioner and PV controller: a PV pinned to the node, bound to the claim
        String pvName = "pvc-" + claim.getMetadata().getUid();
        createVolume(pvName, WFFC, WITH_DIR, claim);
        bind(claim, pvName);
        await().atMost(WAIT).until(() -> WITH_DIR.equals(nodeOf("wffc-pod")));
    }

    @Test
    void boundVolumeWithNodeAffinityPutsThePodOnItsNodeOnly() {
        PersistentVolumeClaim claim = claim("static-data", MANUAL);
        String pvName = "static-" + RUN;
        createVolume(pvName, MANUAL, WITHOUT_DIR, claim);
        bind(claim, pvName);
        for (int i = 0; i < 3; i++) {
            createPod("static-pod-" + i, "static-data");
        }
        for (int i = 0; i < 3; i++) {
            String p = "static-pod-" + i;
            await().atMost(WAIT).until(() -> nodeOf(p) != null);
            assertThat(nodeOf(p)).isEqualTo(WITHOUT_DIR);
        }
    }

    @Test
    void availableStaticVolumeIsPreBoundByTheScheduler() {
        PersistentVolumeClaim claim = claim("prebind-data", MANUAL);
        String pvName = "available-" + RUN;
        createVolume(pvName, MANUAL, WITH_DIR, null);
        createPod("prebind-pod", "prebind-data");
        await().atMost(WAIT).until(() -> {
            PersistentVolume pv = client.resources(PersistentVolume.class).get(null, pvName).block(WAIT);
            return pv.getSpec().getClaimRef() != null;
        });
        PersistentVolume pv = client.resources(PersistentVolume.class).get(null, pvName).block(WAIT);
        assertThat(pv.getSpec().getClaimRef().getName()).isEqualTo("prebind-data");
        assertThat(pv.getSpec().getClaimRef().getUid()).isEqualTo(claim.getMetadata().getUid());
        bind(claim, pvName);
        await().atMost(WAIT).until(() -> WITH_DIR.equals(nodeOf("prebind-pod")));
    }

    @Test
    void missingAndImmediateUnboundClaimsKeepThePodPendingWithKubernetesMessages() {
        createPod("missing-pod", "not-yet");
        await().atMost(WAIT).until(() -> scheduledMessage("missing-pod") != null);
        assertThat(scheduledMessage("missing-pod")).contains("persistentvolumeclaim \"not-yet\" not found");

        claim("immediate-data", IMMEDIATE);
        createPod("immediate-pod", "immediate-data");
        await().atMost(WAIT).until(() -> scheduledMessage("immediate-pod") != null);
        assertThat(scheduledMessage("immediate-pod")).contains(VolumeBinding.ERR_UNBOUND_IMMEDIATE);

        // the claim appears (bound to a PV on the node without a directory): the parked pod is retried at once
        PersistentVolumeClaim late = claim("not-yet", MANUAL);
        String pvName = "late-" + RUN;
        createVolume(pvName, MANUAL, WITHOUT_DIR, late);
        bind(late, pvName);
        await().atMost(WAIT).until(() -> WITHOUT_DIR.equals(nodeOf("missing-pod")));
    }

    // ---- helpers ----

    private static void storageClass(String name, String provisioner, String mode) {
        client.resources(StorageClass.class).create(new StorageClassBuilder().withNewMetadata().withName(name)
                .endMetadata().withProvisioner(provisioner).withVolumeBindingMode(mode).withReclaimPolicy("Delete")
                .build()).block(WAIT);
    }

    private static PersistentVolumeClaim claim(String name, String sc) {
        return client.resources(PersistentVolumeClaim.class).create(new PersistentVolumeClaimBuilder()
                .withNewMetadata().withNamespace(NS).withName(name).endMetadata().withNewSpec()
                .withStorageClassName(sc).withAccessModes("ReadWriteOnce").withNewResources()
                .addToRequests("storage", new Quantity("1Gi")).endResources().endSpec().build()).block(WAIT);
    }

    private static void createVolume(String name, String sc, String node, PersistentVolumeClaim claimRef) {
        var b = new PersistentVolumeBuilder().withNewMetadata().withName(name).endMetadata().withNewSpec()
                .withStorageClassName(sc).withAccessModes("ReadWriteOnce")
                .addToCapacity("storage", new Quantity("1Gi")).withPersistentVolumeReclaimPolicy("Retain")
                .withNewHostPath().withPath("/tmp/" + name).endHostPath()
                .withNewNodeAffinity().withNewRequired().addNewNodeSelectorTerm().addNewMatchExpression()
                .withKey("kubernetes.io/hostname").withOperator("In").withValues(node).endMatchExpression()
                .endNodeSelectorTerm().endRequired().endNodeAffinity().endSpec();
        if (claimRef != null) {
            b.editSpec().withClaimRef(new ObjectReferenceBuilder().withKind("PersistentVolumeClaim")
                    .withApiVersion("v1").withNamespace(NS).withName(claimRef.getMetadata().getName())
                    .withUid(claimRef.getMetadata().getUid()).build()).endSpec();
        }
        client.resources(PersistentVolume.class).create(b.build()).block(WAIT);
        pvs.add(name);
    }

    /** What the PV controller does: PV Bound, claim's volumeName and Bound phase. */
    private static void bind(PersistentVolumeClaim claim, String pvName) {
        client.resources(PersistentVolume.class).updateWithRetry(null, pvName, pv -> {
            pv.setStatus(new io.fabric8.kubernetes.api.model.PersistentVolumeStatusBuilder().withPhase("Bound")
                    .build());
            return pv;
        }, true).block(WAIT);
        String name = claim.getMetadata().getName();
        client.resources(PersistentVolumeClaim.class).updateWithRetry(NS, name, c -> {
            c.getSpec().setVolumeName(pvName);
            return c;
        }, false).block(WAIT);
        client.resources(PersistentVolumeClaim.class).updateWithRetry(NS, name, c -> {
            c.setStatus(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder().withPhase("Bound")
                    .addToCapacity("storage", new Quantity("1Gi")).withAccessModes("ReadWriteOnce").build());
            return c;
        }, true).block(WAIT);
    }

    private static void createPod(String name, String claimName) {
        Pod p = pod(name).editMetadata().withNamespace(NS).withUid(null).endMetadata().editSpec()
                .withSchedulerName(SCHEDULER).addToNodeSelector("it-run", RUN).addNewVolume().withName("data")
                .withNewPersistentVolumeClaim().withClaimName(claimName).endPersistentVolumeClaim().endVolume()
                .endSpec().build();
        client.resources(Pod.class).create(p).block(WAIT);
    }

    private static String selectedNode(String claim) {
        var a = client.resources(PersistentVolumeClaim.class).get(NS, claim).block(WAIT).getMetadata()
                .getAnnotations();
        return a == null ? null : a.get(VolumeBinding.SELECTED_NODE_ANNOTATION);
    }

    private static String nodeOf(String pod) {
        return client.resources(Pod.class).get(NS, pod).block(WAIT).getSpec().getNodeName();
    }

    private static String scheduledMessage(String pod) {
        Pod p = client.resources(Pod.class).get(NS, pod).block(WAIT);
        if (p.getStatus() == null || p.getStatus().getConditions() == null) {
            return null;
        }
        return p.getStatus().getConditions().stream().filter(c -> "PodScheduled".equals(c.getType())
                && "False".equals(c.getStatus())).map(c -> c.getMessage()).findFirst().orElse(null);
    }
}
