package io.kube4j.node.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.node.agent.NodeContext;
import io.kube4j.node.env.ContainerConfigException;
import io.kube4j.node.env.KubeletEnvResolver;
import io.kube4j.node.runtime.ContainerSpec;
import io.kube4j.node.testsupport.ExecStubRuntime;
import io.kube4j.node.testsupport.TestNodeContexts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** configMap/secret volumes and env against a real apiserver: written, updated when the ConfigMap changes. */
class VolumesAndEnvIT {

    static final Duration T = Duration.ofSeconds(10);
    static KubeClient client;
    static String ns;
    static ScheduledExecutorService scheduler;

    @TempDir
    Path root;

    @BeforeAll
    static void startApiServer() {
        Requirements.requireBinary("etcd");
        client = KubeClient.create(ClientConfig.of(ApiServerInstance.shared().url()));
        ns = "volumes-it-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
        client.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata()
                .build()).block(T);
        client.resources(ConfigMap.class).create(new ConfigMapBuilder().withNewMetadata().withNamespace(ns)
                .withName("app-config").endMetadata().withData(Map.of("app.conf", "v1", "LEVEL", "info"))
                .build()).block(T);
        client.resources(Secret.class).create(new SecretBuilder().withNewMetadata().withNamespace(ns)
                .withName("app-secret").endMetadata().withStringData(Map.of("password", "s3cr3t")).build()).block(T);
        scheduler = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void cleanUp() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (client != null) {
            client.resources(Namespace.class).delete(null, ns, DeleteOptions.defaults()).onErrorComplete().block(T);
            client.close();
        }
    }

    private NodeContext ctx() {
        return TestNodeContexts.of(root, client, new ExecStubRuntime(), scheduler, null, null);
    }

    private static Pod pod(String uid, Container c, Volume... volumes) {
        return new PodBuilder().withNewMetadata().withName("p-" + uid).withNamespace(ns).withUid(uid).endMetadata()
                .withNewSpec().withContainers(c).withVolumes(volumes).endSpec().build();
    }

    @Test
    void persistentVolumeClaimVolumesResolveTheBoundVolumeAndAHollowNodeCreatesNothing() throws Exception {
        Path volumeDir = root.resolve("pv-dir");
        client.resources(io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class).create(
                new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder().withNewMetadata()
                        .withNamespace(ns).withName("claim").endMetadata().withNewSpec()
                        .withAccessModes("ReadWriteOnce").withVolumeName("pv-" + ns).withNewResources()
                        .addToRequests("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi"))
                        .endResources().endSpec().build()).block(T);
        client.resources(io.fabric8.kubernetes.api.model.PersistentVolume.class).create(
                new io.fabric8.kubernetes.api.model.PersistentVolumeBuilder().withNewMetadata()
                        .withName("pv-" + ns).endMetadata().withNewSpec().withAccessModes("ReadWriteOnce")
                        .addToCapacity("storage", new io.fabric8.kubernetes.api.model.Quantity("1Gi"))
                        .withNewHostPath().withPath(volumeDir.toString()).endHostPath().withNewClaimRef()
                        .withNamespace(ns).withName("claim").endClaimRef().endSpec().build()).block(T);
        Volume v = new VolumeBuilder().withName("data").withNewPersistentVolumeClaim().withClaimName("claim")
                .endPersistentVolumeClaim().build();
        Container c = new ContainerBuilder().withName("app").addNewVolumeMount().withName("data")
                .withMountPath("/data").endVolumeMount().build();
        Pod pod = pod("uid-pvc", c, v);
        var hollowRuntime = new io.kube4j.node.runtime.hollow.HollowRuntime("test-node", "192.0.2.10",
                "10.244.1.0/24", Duration.ZERO, io.kube4j.client.util.Clock.system(), null);
        try (HostVolumeManager hollow = new HostVolumeManager(TestNodeContexts.of(root, client, hollowRuntime,
                scheduler, null, null), null, Duration.ofSeconds(1));
             HostVolumeManager real = new HostVolumeManager(ctx(), null, Duration.ofSeconds(1))) {
            // the claim is not Bound yet: no volume, whatever the node
            assertThatThrownBy(() -> real.setUp(pod)).isInstanceOf(VolumeSetupException.class)
                    .hasMessageContaining("error processing PVC " + ns + "/claim: PVC is not bound");
            client.resources(io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class).updateWithRetry(ns,
                    "claim", o -> {
                        o.setStatus(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder()
                                .withPhase("Bound").build());
                        return o;
                    }, true).block(T);
            hollow.setUp(pod);
            assertThat(volumeDir).as("a hollow node mounts nothing").doesNotExist();
            real.setUp(pod);
            assertThat(volumeDir).isDirectory();
            assertThat(real.mounts(pod, c)).containsExactly(
                    ContainerSpec.Mount.bind(volumeDir.toString(), "/data", false));
        }
    }

    @Test
    void configMapAndSecretVolumesFollowTheObjects() throws Exception {
        List<String> changed = new CopyOnWriteArrayList<>();
        try (HostVolumeManager volumes = new HostVolumeManager(ctx(), changed::add, Duration.ofSeconds(1))) {
            Volume cm = new VolumeBuilder().withName("config").withNewConfigMap().withName("app-config")
                    .endConfigMap().build();
            Volume sec = new VolumeBuilder().withName("creds").withNewSecret().withSecretName("app-secret")
                    .endSecret().build();
            Volume optional = new VolumeBuilder().withName("opt").withNewConfigMap().withName("not-there")
                    .withOptional(true).endConfigMap().build();
            Container c = new ContainerBuilder().withName("app").addNewVolumeMount().withName("config")
                    .withMountPath("/etc/app").endVolumeMount().build();
            Pod pod = pod("uid-a", c, cm, sec, optional);
            volumes.setUp(pod);

            Path conf = volumes.volumeDir("uid-a", HostVolumeManager.CONFIG_MAP, "config").resolve("app.conf");
            assertThat(Files.readString(conf)).isEqualTo("v1");
            assertThat(Files.readString(volumes.volumeDir("uid-a", HostVolumeManager.SECRET, "creds")
                    .resolve("password"))).isEqualTo("s3cr3t");
            try (Stream<Path> s = Files.list(volumes.volumeDir("uid-a", HostVolumeManager.CONFIG_MAP, "opt"))) {
                assertThat(s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".."))).isEmpty();
            }
            assertThat(volumes.mounts(pod, c)).containsExactly(
                    ContainerSpec.Mount.bind(conf.getParent().toString(), "/etc/app", true));

            client.resources(ConfigMap.class).updateWithRetry(ns, "app-config", o -> {
                o.getData().put("app.conf", "v2");
                return o;
            }, false).block(T);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(Files.readString(conf)).isEqualTo("v2"));
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(changed).contains("uid-a"));

            Volume missing = new VolumeBuilder().withName("m").withNewConfigMap().withName("not-there")
                    .endConfigMap().build();
            assertThatThrownBy(() -> volumes.setUp(pod("uid-b", c, missing))).isInstanceOf(VolumeSetupException.class)
                    .hasMessage("MountVolume.SetUp failed for volume \"m\" : configmap \"not-there\" not found");

            volumes.tearDown("uid-a");
            assertThat(root.resolve("pods/uid-a")).doesNotExist();
        }
    }

    @Test
    void envFromRealObjects() {
        KubeletEnvResolver env = new KubeletEnvResolver(ctx());
        Container c = new ContainerBuilder().withName("app")
                .addNewEnvFrom().withPrefix("CFG_").withNewConfigMapRef().withName("app-config").endConfigMapRef()
                .endEnvFrom()
                .addNewEnv().withName("PASSWORD").withNewValueFrom().withNewSecretKeyRef().withName("app-secret")
                .withKey("password").endSecretKeyRef().endValueFrom().endEnv()
                .addNewEnv().withName("DSN").withValue("user:$(PASSWORD)@db?level=$(CFG_LEVEL)").endEnv()
                .build();
        Map<String, String> vars = new LinkedHashMap<>();
        env.resolve(pod("uid-c", c), c, "10.244.1.9", "192.0.2.10").forEach(v -> vars.put(v.name(), v.value()));
        assertThat(vars).containsEntry("CFG_LEVEL", "info").containsEntry("PASSWORD", "s3cr3t")
                .containsEntry("DSN", "user:s3cr3t@db?level=info");

        Container bad = new ContainerBuilder().withName("app").addNewEnv().withName("X").withNewValueFrom()
                .withNewConfigMapKeyRef().withName("app-config").withKey("nope").endConfigMapKeyRef().endValueFrom()
                .endEnv().build();
        assertThatThrownBy(() -> env.resolve(pod("uid-d", bad), bad, null, null))
                .isInstanceOf(ContainerConfigException.class)
                .hasMessage("couldn't find key nope in ConfigMap " + ns + "/app-config");
        Container gone = new ContainerBuilder().withName("app").addNewEnvFrom().withNewSecretRef().withName("nope")
                .endSecretRef().endEnvFrom().build();
        assertThatThrownBy(() -> env.resolve(pod("uid-e", gone), gone, null, null))
                .hasMessage("secret \"nope\" not found");
    }
}
