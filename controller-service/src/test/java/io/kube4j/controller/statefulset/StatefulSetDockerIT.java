package io.kube4j.controller.statefulset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.client.util.Clock;
import io.kube4j.client.watch.WatchEvent;
import io.kube4j.controller.common.Pods;
import io.kube4j.controller.garbagecollector.GarbageCollectorFactory;
import io.kube4j.controller.garbagecollector.GarbageCollectorProperties;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import io.kube4j.controller.volume.persistentvolume.PersistentVolumeControllerFactory;
import io.kube4j.controller.volume.persistentvolume.PersistentVolumeControllerProperties;
import io.kube4j.controller.volume.protection.PvcProtectionControllerFactory;
import io.kube4j.node.agent.NodeAgentHarness;
import io.kube4j.scheduler.Scheduler;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.FrameworkHandle;
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.plugins.DefaultPlugins;
import io.kube4j.scheduler.plugins.defaultbinder.DefaultBinder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

/**
 * The StatefulSet end to end, every part real: the apiserver on etcd, the StatefulSet controller with the
 * garbage collector and the PV controllers (local-path provisioning), an in-process scheduler serving its own
 * schedulerName, a node agent on Docker and the real kubectl. {@code web} (3 replicas, OrderedReady, a
 * volumeClaimTemplate, whenScaled: Delete) comes up in order 0, 1, 2, each pod writing its name to its own volume;
 * a deleted web-1 comes back as web-1 on the same volume; a template change rolls 2, 1, 0; {@code kubectl rollout
 * history/undo} go back; {@code kubectl scale} to 2 removes web-2 and, by the retention policy, its claim.
 */
class StatefulSetDockerIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    @TempDir
    static Path dir;
    private static NodeAgentHarness node;
    private static KubeClient client;
    private static ControllerManager manager;
    private static Parallelizer parallelizer;
    private static EventRecorder events;
    private static Scheduler scheduler;
    private static String schedulerName;
    private static KubectlRunner kubectl;
    private static final List<String> seen = new CopyOnWriteArrayList<>();
    private static Disposable watch;

    @BeforeAll
    static void start() throws Exception {
        Path binary = Requirements.requireBinary("kubectl");
        node = NodeAgentHarness.docker("sts");
        client = ControllerTestEnv.client();
        manager = ControllerTestEnv.start(new StatefulSetControllerFactory(StatefulSetControllerProperties.defaults()),
                new GarbageCollectorFactory(GarbageCollectorProperties.defaults()),
                new PersistentVolumeControllerFactory(PersistentVolumeControllerProperties.defaults()),
                new PvcProtectionControllerFactory());
        schedulerName = "sts-it-" + UUID.randomUUID().toString().substring(0, 6);
        parallelizer = new Parallelizer(2);
        events = new EventRecorder(client.resources(Event.class), schedulerName, null);
        SharedInformerFactory informers = SharedInformerFactory.forClient(client, Duration.ZERO);
        FrameworkHandle handle = new FrameworkHandle.SimpleHandle(client, events, informers, parallelizer,
                Clock.system());
        Framework fw = new Framework(DefaultPlugins.profile(schedulerName, new DefaultBinder(client,
                Duration.ofSeconds(10)), 0, handle), parallelizer, new Random());
        scheduler = new Scheduler(client, informers, List.of(fw), events, Clock.system(), new Scheduler.Settings(
                Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofSeconds(30), 2));
        scheduler.start(WAIT);
        kubectl = new KubectlRunner(binary, ApiServerInstance.shared().url(), node.namespace(), dir, WAIT)
                .withRequestTimeout(Duration.ofSeconds(30));
        // what happened to the pods, in order: "+web-0" created, "ready web-0", "-web-2" deletion started
        watch = client.resources(Pod.class).watch(node.namespace(), ListOptions.all(), null).subscribe(StatefulSetDockerIT::record);
    }

    private static void record(WatchEvent<Pod> e) {
        Pod p = e.object();
        if (p == null || p.getMetadata() == null) {
            return;
        }
        String name = p.getMetadata().getName();
        String uid = p.getMetadata().getUid();
        if (e.type() == WatchEvent.Type.ADDED && !seen.contains("+" + name + " " + uid)) {
            seen.add("+" + name + " " + uid);
        }
        if (Pods.isReady(p) && p.getMetadata().getDeletionTimestamp() == null && !seen.contains("ready " + name + " " + uid)) {
            seen.add("ready " + name + " " + uid);
        }
        if (p.getMetadata().getDeletionTimestamp() != null && !seen.contains("-" + name + " " + uid)) {
            seen.add("-" + name + " " + uid);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (watch != null) {
            watch.dispose();
        }
        if (scheduler != null) {
            scheduler.close();
        }
        if (events != null) {
            events.close();
        }
        if (parallelizer != null) {
            parallelizer.close();
        }
        if (manager != null) {
            manager.stop();
        }
        if (node != null) {
            node.close();
        }
    }

    private static Path manifest(String greeting) throws Exception {
        Path f = dir.resolve("web-" + greeting + ".yaml");
        Files.writeString(f, """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: web}
                spec:
                  serviceName: web
                  replicas: 3
                  selector: {matchLabels: {app: web}}
                  persistentVolumeClaimRetentionPolicy: {whenScaled: Delete, whenDeleted: Retain}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      schedulerName: SCHEDULER
                      nodeSelector: {kubernetes.io/hostname: NODE}
                      terminationGracePeriodSeconds: 1
                      containers:
                      - name: main
                        image: IMAGE
                        env: [{name: GREETING, value: GREETING_VALUE}]
                        command: [sh, -c, 'echo $HOSTNAME >> /data/names; exec sleep 1d']
                        volumeMounts: [{name: www, mountPath: /data}]
                  volumeClaimTemplates:
                  - metadata: {name: www}
                    spec:
                      accessModes: [ReadWriteOnce]
                      resources: {requests: {storage: 16Mi}}
                """.replace("SCHEDULER", schedulerName).replace("NODE", node.nodeName())
                .replace("IMAGE", node.busyboxImage()).replace("GREETING_VALUE", greeting));
        return f;
    }

    /** The names written into web-N's volume, read from the node's directory of its PV. */
    private static List<String> namesOnVolume(int ordinal) throws Exception {
        PersistentVolumeClaim c = client.resources(PersistentVolumeClaim.class)
                .get(node.namespace(), "www-web-" + ordinal).block(WAIT);
        PersistentVolume pv = client.resources(PersistentVolume.class).get(null, c.getSpec().getVolumeName())
                .block(WAIT);
        return Files.readAllLines(Path.of(pv.getSpec().getHostPath().getPath()).resolve("names"));
    }

    private static StatefulSet web() {
        return client.resources(StatefulSet.class).get(node.namespace(), "web").block(WAIT);
    }

    private static Pod pod(String name) {
        try {
            return client.resources(Pod.class).get(node.namespace(), name).block(WAIT);
        } catch (ApiStatusException.NotFound e) {
            return null;
        }
    }

    /** The indexes in {@link #seen} of the first entries starting with each prefix. */
    private static List<Integer> order(String... prefixes) {
        List<Integer> out = new ArrayList<>();
        for (String p : prefixes) {
            int idx = -1;
            for (int i = 0; i < seen.size(); i++) {
                if (seen.get(i).startsWith(p + " ")) {
                    idx = i;
                    break;
                }
            }
            assertThat(idx).as("%s in %s", p, seen).isNotNegative();
            out.add(idx);
        }
        return out;
    }

    @Test
    void orderedIdentityVolumesRollingUpdateUndoAndScale() throws Exception {
        String ns = node.namespace();
        kubectl.kubectl("apply", "-f", manifest("hello").toString()).ok();
        kubectl.kubectl("rollout", "status", "statefulset/web", "--timeout=90s").ok();
        // OrderedReady: each pod is created only after the previous one is Ready
        assertThat(order("+web-0", "ready web-0", "+web-1", "ready web-1", "+web-2", "ready web-2"))
                .isSorted();
        for (int i = 0; i < 3; i++) {
            Pod p = pod("web-" + i);
            assertThat(p.getSpec().getHostname()).isEqualTo("web-" + i);
            assertThat(p.getSpec().getSubdomain()).isEqualTo("web");
            assertThat(p.getMetadata().getLabels()).containsEntry("statefulset.kubernetes.io/pod-name", "web-" + i)
                    .containsEntry("apps.kubernetes.io/pod-index", Integer.toString(i))
                    .containsKey("controller-revision-hash");
            assertThat(p.getSpec().getVolumes().get(0).getPersistentVolumeClaim().getClaimName())
                    .isEqualTo("www-web-" + i);
            int ord = i;
            await().atMost(WAIT).untilAsserted(() -> assertThat(namesOnVolume(ord)).containsExactly("web-" + ord));
        }
        StatefulSet set = web();
        assertThat(set.getStatus().getReadyReplicas()).isEqualTo(3);
        assertThat(set.getStatus().getCurrentRevision()).isEqualTo(set.getStatus().getUpdateRevision());
        String revision1 = set.getStatus().getCurrentRevision();
        await().atMost(WAIT).untilAsserted(() -> assertThat(client.resources(Event.class).list(ns, ListOptions.all())
                .block(WAIT).getItems()).filteredOn(e -> "web".equals(e.getInvolvedObject().getName()))
                .extracting(e -> e.getReason() + ": " + e.getMessage())
                .contains("SuccessfulCreate: create Claim www-web-0 Pod web-0 in StatefulSet web success",
                        "SuccessfulCreate: create Pod web-0 in StatefulSet web successful",
                        "SuccessfulCreate: create Pod web-2 in StatefulSet web successful"));

        // a deleted pod comes back under its name, on its volume
        String oldUid = pod("web-1").getMetadata().getUid();
        kubectl.kubectl("delete", "pod", "web-1").ok();
        await().atMost(WAIT).untilAsserted(() -> {
            Pod p = pod("web-1");
            assertThat(p).isNotNull();
            assertThat(p.getMetadata().getUid()).isNotEqualTo(oldUid);
            assertThat(Pods.isReady(p)).isTrue();
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(namesOnVolume(1)).containsExactly("web-1", "web-1"));

        // a template change rolls the pods in reverse ordinal order
        seen.clear();
        kubectl.kubectl("apply", "-f", manifest("bonjour").toString()).ok();
        kubectl.kubectl("rollout", "status", "statefulset/web", "--timeout=90s").ok();
        assertThat(order("-web-2", "-web-1", "-web-0")).isSorted();
        set = web();
        String revision2 = set.getStatus().getUpdateRevision();
        assertThat(revision2).isNotEqualTo(revision1);
        assertThat(set.getStatus().getCurrentRevision()).isEqualTo(revision2);
        assertThat(set.getStatus().getUpdatedReplicas()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            assertThat(pod("web-" + i).getMetadata().getLabels()).containsEntry("controller-revision-hash", revision2);
        }
        List<ControllerRevision> revisions = client.resources(ControllerRevision.class).list(ns, ListOptions.all())
                .block(WAIT).getItems();
        assertThat(revisions).extracting(r -> r.getMetadata().getName()).contains(revision1, revision2);

        KubectlRunner.Result history = kubectl.kubectl("rollout", "history", "statefulset/web").ok();
        assertThat(history.out()).contains("REVISION").containsPattern("(?m)^1 ").containsPattern("(?m)^2 ");
        kubectl.kubectl("rollout", "undo", "statefulset/web").ok();
        kubectl.kubectl("rollout", "status", "statefulset/web", "--timeout=90s").ok();
        set = web();
        assertThat(set.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().get(0).getValue())
                .isEqualTo("hello");
        assertThat(set.getStatus().getCurrentRevision()).isEqualTo(revision1); // revision 1 is now number 3
        history = kubectl.kubectl("rollout", "history", "statefulset/web").ok();
        assertThat(history.out()).containsPattern("(?m)^2 ").containsPattern("(?m)^3 ").doesNotContainPattern("(?m)^1 ");

        // scaling down removes the highest ordinal and, whenScaled: Delete, its claim
        seen.clear();
        kubectl.kubectl("scale", "statefulset/web", "--replicas=2").ok();
        await().atMost(WAIT).until(() -> pod("web-2") == null);
        assertThat(pod("web-1").getMetadata().getDeletionTimestamp()).isNull();
        await().atMost(WAIT).until(() -> client.resources(PersistentVolumeClaim.class).get(ns, "www-web-2")
                .onErrorResume(ApiStatusException.NotFound.class, e -> reactor.core.publisher.Mono.empty())
                .block(WAIT) == null);
        assertThat(client.resources(PersistentVolumeClaim.class).get(ns, "www-web-1").block(WAIT)).isNotNull();
        await().atMost(WAIT).untilAsserted(() -> assertThat(web().getStatus().getReplicas()).isEqualTo(2));
        client.resources(StatefulSet.class).delete(ns, "web", DeleteOptions.defaults()).block(WAIT);
    }
}
