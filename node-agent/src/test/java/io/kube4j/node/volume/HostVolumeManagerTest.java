package io.kube4j.node.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.kube4j.client.util.Clock;
import io.kube4j.client.util.FakeClock;
import io.kube4j.node.runtime.ContainerSpec;
import io.kube4j.node.testsupport.ExecStubRuntime;
import io.kube4j.node.testsupport.InMemoryConfigObjects;
import io.kube4j.node.testsupport.TestNodeContexts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostVolumeManagerTest {

    @TempDir
    Path root;
    final ExecStubRuntime runtime = new ExecStubRuntime();
    final InMemoryConfigObjects objects = new InMemoryConfigObjects()
            .configMap("ns", "cfg", Map.of("app.conf", "v1", "other", "o"))
            .secret("ns", "creds", Map.of("password", "s3cr3t"));
    final List<String> changed = new CopyOnWriteArrayList<>();
    ScheduledExecutorService scheduler;
    HostVolumeManager volumes;

    @BeforeEach
    void setUp() {
        volumes = new HostVolumeManager(TestNodeContexts.of(root, null, runtime, null, null, null), changed::add,
                Duration.ofSeconds(10), objects);
    }

    @AfterEach
    void tearDown() {
        volumes.close();
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    static Pod pod(String uid, Map<String, String> labels, Container container, Volume... volumes) {
        return new PodBuilder().withNewMetadata().withName("p").withNamespace("ns").withUid(uid).withLabels(labels)
                .endMetadata().withNewSpec().withContainers(container).withVolumes(volumes).endSpec().build();
    }

    static Container container(String... mounts) {
        ContainerBuilder b = new ContainerBuilder().withName("app").withNewResources()
                .withLimits(Map.of("memory", new Quantity("64Mi"))).endResources();
        for (String m : mounts) {
            String[] p = m.split(":");
            b.addNewVolumeMount().withName(p[0]).withMountPath(p[1]).withSubPath(p.length > 2 ? p[2] : null)
                    .endVolumeMount();
        }
        return b.build();
    }

    Path dir(String uid, String plugin, String name) {
        return root.resolve("pods").resolve(uid).resolve("volumes").resolve(plugin).resolve(name);
    }

    static int mode(Path p) throws IOException {
        return AtomicWriter.mode(Files.getPosixFilePermissions(p));
    }

    @Test
    void configMapAndSecretVolumes() throws IOException {
        Volume cm = new VolumeBuilder().withName("config").withNewConfigMap().withName("cfg").withDefaultMode(0640)
                .addNewItem().withKey("app.conf").withPath("conf/app.conf").endItem()
                .addNewItem().withKey("other").withPath("o.txt").withMode(0600).endItem().endConfigMap().build();
        Volume all = new VolumeBuilder().withName("all").withNewConfigMap().withName("cfg").endConfigMap().build();
        Volume sec = new VolumeBuilder().withName("sec").withNewSecret().withSecretName("creds").endSecret().build();
        Pod pod = pod("u1", Map.of(), container("config:/etc/app", "sec:/secret", "all:/all"), cm, sec, all);
        volumes.setUp(pod);

        Path cmDir = dir("u1", "kubernetes.io~configmap", "config");
        assertThat(Files.readString(cmDir.resolve("conf/app.conf"))).isEqualTo("v1");
        assertThat(mode(cmDir.resolve("conf/app.conf"))).isEqualTo(0640);
        assertThat(mode(cmDir.resolve("o.txt"))).isEqualTo(0600);
        assertThat(Files.exists(cmDir.resolve("other"))).isFalse();
        Path allDir = dir("u1", "kubernetes.io~configmap", "all");
        assertThat(Files.readString(allDir.resolve("other"))).isEqualTo("o");
        assertThat(mode(allDir.resolve("app.conf"))).isEqualTo(0644);
        Path secDir = dir("u1", "kubernetes.io~secret", "sec");
        assertThat(Files.readString(secDir.resolve("password"))).isEqualTo("s3cr3t");

        assertThat(volumes.mounts(pod, pod.getSpec().getContainers().get(0))).containsExactly(
                ContainerSpec.Mount.bind(cmDir.toString(), "/etc/app", true),
                ContainerSpec.Mount.bind(secDir.toString(), "/secret", true),
                ContainerSpec.Mount.bind(allDir.toString(), "/all", true));
        assertThat(volumes.podsWithVolumes()).containsExactly("u1");
    }

    @Test
    void binaryDataIsDecoded() throws IOException {
        objects.put(new ConfigMapBuilder().withNewMetadata().withNamespace("ns").withName("bin").endMetadata()
                .withBinaryData(Map.of("blob", Base64.getEncoder().encodeToString(new byte[] {0, 1, 2, (byte) 255})))
                .build());
        Volume v = new VolumeBuilder().withName("b").withNewConfigMap().withName("bin").endConfigMap().build();
        volumes.setUp(pod("u1", Map.of(), container(), v));
        assertThat(Files.readAllBytes(dir("u1", "kubernetes.io~configmap", "b").resolve("blob")))
                .containsExactly(0, 1, 2, 255);
    }

    @Test
    void missingObjectsAndKeys() {
        Volume missing = new VolumeBuilder().withName("m").withNewConfigMap().withName("nope").endConfigMap().build();
        assertThatThrownBy(() -> volumes.setUp(pod("u1", Map.of(), container(), missing)))
                .isInstanceOf(VolumeSetupException.class)
                .hasMessage("MountVolume.SetUp failed for volume \"m\" : configmap \"nope\" not found");

        Volume missingSecret = new VolumeBuilder().withName("s").withNewSecret().withSecretName("nope").endSecret()
                .build();
        assertThatThrownBy(() -> volumes.setUp(pod("u2", Map.of(), container(), missingSecret)))
                .hasMessage("MountVolume.SetUp failed for volume \"s\" : secret \"nope\" not found");

        Volume missingKey = new VolumeBuilder().withName("k").withNewConfigMap().withName("cfg").addNewItem()
                .withKey("absent").withPath("a").endItem().endConfigMap().build();
        assertThatThrownBy(() -> volumes.setUp(pod("u3", Map.of(), container(), missingKey)))
                .hasMessage("MountVolume.SetUp failed for volume \"k\" : configmap references non-existent config key: absent");
    }

    @Test
    void optionalMissingConfigMapIsAnEmptyVolumeFilledWhenItAppears() throws IOException {
        Volume v = new VolumeBuilder().withName("opt").withNewConfigMap().withName("later").withOptional(true)
                .endConfigMap().build();
        Pod pod = pod("u1", Map.of(), container("opt:/opt"), v);
        volumes.setUp(pod);
        Path d = dir("u1", "kubernetes.io~configmap", "opt");
        assertThat(d).isDirectory();
        try (Stream<Path> s = Files.list(d)) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".."))).isEmpty();
        }
        objects.configMap("ns", "later", Map.of("k", "v"));
        volumes.setUp(pod);
        assertThat(Files.readString(d.resolve("k"))).isEqualTo("v");
    }

    @Test
    void downwardApiFollowsLabelChanges() throws IOException {
        Volume v = new VolumeBuilder().withName("info").withNewDownwardAPI()
                .addNewItem().withPath("labels").withNewFieldRef().withFieldPath("metadata.labels").endFieldRef().endItem()
                .addNewItem().withPath("name").withNewFieldRef().withFieldPath("metadata.name").endFieldRef().endItem()
                .addNewItem().withPath("mem").withNewResourceFieldRef().withContainerName("app")
                .withResource("limits.memory").withDivisor(new Quantity("1Mi")).endResourceFieldRef().endItem()
                .endDownwardAPI().build();
        volumes.setUp(pod("u1", Map.of("app", "web"), container(), v));
        Path d = dir("u1", "kubernetes.io~downward-api", "info");
        assertThat(Files.readString(d.resolve("labels"))).isEqualTo("app=\"web\"");
        assertThat(Files.readString(d.resolve("name"))).isEqualTo("p");
        assertThat(Files.readString(d.resolve("mem"))).isEqualTo("64");
        Path before = Files.readSymbolicLink(d.resolve("..data"));

        volumes.setUp(pod("u1", Map.of("app", "web"), container(), v));
        assertThat(Files.readSymbolicLink(d.resolve("..data"))).isEqualTo(before); // nothing changed

        volumes.setUp(pod("u1", Map.of("app", "web", "tier", "front"), container(), v));
        assertThat(Files.readString(d.resolve("labels"))).isEqualTo("app=\"web\"\ntier=\"front\"");
    }

    /** The volume the ServiceAccount admission plugin adds ({@code kube-api-access-*}), with a second token. */
    static Volume serviceAccountVolume() {
        return new VolumeBuilder().withName("kube-api-access").withNewProjected().withDefaultMode(0644)
                .addNewSource().withNewServiceAccountToken().withPath("token").withExpirationSeconds(3607L)
                .endServiceAccountToken().endSource()
                .addNewSource().withNewConfigMap().withName("kube-root-ca.crt").addNewItem().withKey("ca.crt")
                .withPath("ca.crt").endItem().endConfigMap().endSource()
                .addNewSource().withNewDownwardAPI().addNewItem().withPath("namespace").withNewFieldRef()
                .withApiVersion("v1").withFieldPath("metadata.namespace").endFieldRef().endItem().endDownwardAPI()
                .endSource()
                .addNewSource().withNewServiceAccountToken().withPath("vault/token").withAudience("vault")
                .endServiceAccountToken().endSource()
                .endProjected().build();
    }

    @Test
    void projectedVolumeWithConfigMapSecretAndDownwardApi() throws IOException {
        Volume v = new VolumeBuilder().withName("proj").withNewProjected().withDefaultMode(0440)
                .addNewSource().withNewConfigMap().withName("cfg").addNewItem().withKey("app.conf").withPath("app.conf")
                .endItem().endConfigMap().endSource()
                .addNewSource().withNewSecret().withName("creds").endSecret().endSource()
                .addNewSource().withNewDownwardAPI().addNewItem().withPath("ns").withNewFieldRef()
                .withFieldPath("metadata.namespace").endFieldRef().endItem().endDownwardAPI().endSource()
                .endProjected().build();
        volumes.setUp(pod("u1", Map.of(), container(), v));
        Path d = dir("u1", "kubernetes.io~projected", "proj");
        assertThat(Files.readString(d.resolve("app.conf"))).isEqualTo("v1");
        assertThat(Files.readString(d.resolve("password"))).isEqualTo("s3cr3t");
        assertThat(Files.readString(d.resolve("ns"))).isEqualTo("ns");
        assertThat(mode(d.resolve("ns"))).isEqualTo(0440);
    }

    @Test
    void projectedServiceAccountTokensAreBoundToThePodAndRefreshed() throws IOException {
        FakeClock clock = new FakeClock(Instant.parse("2026-11-27T10:00:00Z"));
        FakeTokenRequester api = new FakeTokenRequester(clock);
        ServiceAccountTokenManager tokens = new ServiceAccountTokenManager(api, clock);
        volumes.close();
        volumes = new HostVolumeManager(TestNodeContexts.of(root, null, runtime, null, null, null), changed::add,
                Duration.ofSeconds(10), objects, tokens);
        objects.configMap("ns", "kube-root-ca.crt", Map.of("ca.crt", "-----BEGIN CERTIFICATE-----\n"));
        Pod pod = new PodBuilder(pod("u1", Map.of(), container(), serviceAccountVolume())).editSpec()
                .withServiceAccountName("robot").endSpec().build();

        volumes.setUp(pod);
        Path d = dir("u1", "kubernetes.io~projected", "kube-api-access");
        assertThat(Files.readString(d.resolve("token"))).isEqualTo("token-1-robot");
        assertThat(Files.readString(d.resolve("vault/token"))).isEqualTo("token-2-robot");
        assertThat(Files.readString(d.resolve("ca.crt"))).isEqualTo("-----BEGIN CERTIFICATE-----\n");
        assertThat(Files.readString(d.resolve("namespace"))).isEqualTo("ns");
        assertThat(mode(d.resolve("token"))).isEqualTo(0644);
        assertThat(api.calls).hasSize(2);
        var first = api.calls.get(0);
        assertThat(first.namespace()).isEqualTo("ns");
        assertThat(first.request().getSpec().getExpirationSeconds()).isEqualTo(3607L);
        assertThat(first.request().getSpec().getAudiences()).isEmpty();
        assertThat(first.request().getSpec().getBoundObjectRef().getKind()).isEqualTo("Pod");
        assertThat(first.request().getSpec().getBoundObjectRef().getName()).isEqualTo("p");
        assertThat(first.request().getSpec().getBoundObjectRef().getUid()).isEqualTo("u1");
        assertThat(api.calls.get(1).request().getSpec().getAudiences()).containsExactly("vault");
        assertThat(api.calls.get(1).request().getSpec().getExpirationSeconds())
                .isEqualTo(HostVolumeManager.DEFAULT_TOKEN_EXPIRATION_SECONDS);

        Path data = Files.readSymbolicLink(d.resolve("..data"));
        volumes.setUp(pod);
        volumes.refreshAll();
        assertThat(Files.readSymbolicLink(d.resolve("..data"))).isEqualTo(data); // cached: nothing rewritten
        assertThat(api.calls).hasSize(2);

        clock.advance(Duration.ofMinutes(49)); // past 80% of both tokens' lifetimes
        volumes.refreshAll();
        assertThat(Files.readString(d.resolve("token"))).isEqualTo("token-3-robot");
        assertThat(Files.readSymbolicLink(d.resolve("..data"))).isNotEqualTo(data);
        assertThat(changed).contains("u1");

        volumes.tearDown("u1");
        assertThat(tokens.size()).isZero();
    }

    @Test
    void aTokenThatCannotBeFetchedFailsTheMount() {
        FakeTokenRequester api = new FakeTokenRequester(Clock.system());
        api.failure = new IllegalStateException("serviceaccounts \"default\" not found");
        volumes.close();
        volumes = new HostVolumeManager(TestNodeContexts.of(root, null, runtime, null, null, null), changed::add,
                Duration.ofSeconds(10), objects, new ServiceAccountTokenManager(api, Clock.system()));
        Volume v = new VolumeBuilder().withName("tok").withNewProjected().addNewSource().withNewServiceAccountToken()
                .withPath("token").endServiceAccountToken().endSource().endProjected().build();
        assertThatThrownBy(() -> volumes.setUp(pod("u1", Map.of(), container(), v)))
                .isInstanceOf(VolumeSetupException.class)
                .hasMessage("MountVolume.SetUp failed for volume \"tok\" : failed to fetch token: serviceaccounts "
                        + "\"default\" not found");
        assertThat(api.calls.get(0).serviceAccount()).isEqualTo("default");
    }

    @Test
    void emptyDirsOnDiskAndInMemory() throws IOException {
        Volume disk = new VolumeBuilder().withName("scratch").withNewEmptyDir().endEmptyDir().build();
        Volume mem = new VolumeBuilder().withName("cache").withNewEmptyDir().withMedium("Memory")
                .withSizeLimit(new Quantity("16Mi")).endEmptyDir().build();
        Pod pod = pod("u1", Map.of(), container("scratch:/scratch", "cache:/cache", "scratch:/logs:app/logs"),
                disk, mem);
        volumes.setUp(pod);
        volumes.setUp(pod);

        Path d = dir("u1", "kubernetes.io~empty-dir", "scratch");
        assertThat(d).isDirectory();
        assertThat(mode(d)).isEqualTo(0777);
        assertThat(runtime.tmpfsVolumes).containsExactly("k8s-u1-cache:16777216:u1"); // once
        assertThat(volumes.mounts(pod, pod.getSpec().getContainers().get(0))).containsExactly(
                ContainerSpec.Mount.bind(d.toString(), "/scratch", false),
                ContainerSpec.Mount.volume("k8s-u1-cache", "/cache", false),
                ContainerSpec.Mount.bind(d.resolve("app/logs").toRealPath().toString(), "/logs", false));
        assertThat(d.resolve("app/logs")).isDirectory();
    }

    @Test
    void hostPathTypesAreChecked() throws IOException {
        Path created = root.resolve("host/data");
        Volume ok = new VolumeBuilder().withName("h").withNewHostPath().withPath(created.toString())
                .withType("DirectoryOrCreate").endHostPath().build();
        Pod pod = pod("u1", Map.of(), container("h:/data"), ok);
        volumes.setUp(pod);
        assertThat(created).isDirectory();
        assertThat(volumes.mounts(pod, pod.getSpec().getContainers().get(0)))
                .containsExactly(ContainerSpec.Mount.bind(created.toString(), "/data", false));

        Path file = Files.writeString(root.resolve("f"), "x");
        Volume bad = new VolumeBuilder().withName("h").withNewHostPath().withPath(file.toString())
                .withType("Directory").endHostPath().build();
        assertThatThrownBy(() -> volumes.setUp(pod("u2", Map.of(), container(), bad)))
                .hasMessage("MountVolume.SetUp failed for volume \"h\" : hostPath type check failed: " + file
                        + " is not a directory");
    }

    @Test
    void mountErrors() {
        Volume v = new VolumeBuilder().withName("scratch").withNewEmptyDir().endEmptyDir().build();
        Pod unknown = pod("u1", Map.of(), container("nope:/x"), v);
        volumes.setUp(unknown);
        assertThatThrownBy(() -> volumes.mounts(unknown, unknown.getSpec().getContainers().get(0)))
                .isInstanceOf(VolumeSetupException.class)
                .hasMessage("cannot find volume \"nope\" to mount into container \"app\"");

        Pod escape = pod("u1", Map.of(), container("scratch:/x:a/../../.."), v);
        assertThatThrownBy(() -> volumes.mounts(escape, escape.getSpec().getContainers().get(0)))
                .hasMessageContaining("must not contain '..'");

        Volume nfs = new VolumeBuilder().withName("share").withNewNfs().withServer("s").withPath("/x")
                .endNfs().build();
        assertThatThrownBy(() -> volumes.setUp(pod("u2", Map.of(), container(), nfs)))
                .hasMessageContaining("volume \"share\" : unsupported volume type");
        Volume pvc = new VolumeBuilder().withName("claim").withNewPersistentVolumeClaim().withClaimName("c")
                .endPersistentVolumeClaim().build();
        Pod withClaim = pod("u3", Map.of(), container("claim:/data"), pvc);
        // not set up (no claim could be read): the container never gets a mount of something else
        assertThatThrownBy(() -> volumes.mounts(withClaim, withClaim.getSpec().getContainers().get(0)))
                .hasMessageContaining("persistentVolumeClaim \"c\" is not set up");
    }

    @Test
    void symlinkEscapingTheVolumeIsRefused() throws IOException {
        Volume v = new VolumeBuilder().withName("scratch").withNewEmptyDir().endEmptyDir().build();
        Pod pod = pod("u1", Map.of(), container("scratch:/x:link"), v);
        volumes.setUp(pod);
        Files.createSymbolicLink(dir("u1", "kubernetes.io~empty-dir", "scratch").resolve("link"), Path.of("/etc"));
        assertThatThrownBy(() -> volumes.mounts(pod, pod.getSpec().getContainers().get(0)))
                .hasMessageContaining("not within volume path");
    }

    @Test
    void refreshRewritesChangedObjectsAndKeepsContentOfDeletedOnes() throws IOException {
        Volume v = new VolumeBuilder().withName("config").withNewConfigMap().withName("cfg").endConfigMap().build();
        volumes.setUp(pod("u1", Map.of(), container(), v));
        Path f = dir("u1", "kubernetes.io~configmap", "config").resolve("app.conf");

        volumes.refreshAll();
        assertThat(changed).isEmpty();

        objects.configMap("ns", "cfg", Map.of("app.conf", "v2"));
        volumes.refreshAll();
        assertThat(Files.readString(f)).isEqualTo("v2");
        assertThat(Files.exists(f.resolveSibling("other"))).isFalse();
        assertThat(changed).containsExactly("u1");

        objects.removeConfigMap("ns", "cfg");
        volumes.refreshAll();
        assertThat(Files.readString(f)).isEqualTo("v2");
    }

    @Test
    void refresherRunsOnTheScheduler() throws IOException {
        scheduler = Executors.newSingleThreadScheduledExecutor();
        volumes = new HostVolumeManager(TestNodeContexts.of(root, null, runtime, scheduler, null, null),
                changed::add, Duration.ofMillis(200), objects);
        Volume v = new VolumeBuilder().withName("config").withNewConfigMap().withName("cfg").endConfigMap().build();
        volumes.setUp(pod("u1", Map.of(), container(), v));
        Path f = dir("u1", "kubernetes.io~configmap", "config").resolve("app.conf");
        objects.configMap("ns", "cfg", Map.of("app.conf", "v3"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Files.readString(f)).isEqualTo("v3"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(changed).contains("u1"));
    }

    @Test
    void tearDownRemovesEverything() {
        Volume v = new VolumeBuilder().withName("config").withNewConfigMap().withName("cfg").endConfigMap().build();
        volumes.setUp(pod("u1", Map.of(), container(), v));
        volumes.setUp(pod("u2", Map.of(), container(), v));
        assertThat(volumes.podsWithVolumes()).containsExactly("u1", "u2");
        volumes.tearDown("u1");
        volumes.tearDown("u1");
        assertThat(root.resolve("pods/u1")).doesNotExist();
        assertThat(volumes.podsWithVolumes()).containsExactly("u2");
        assertThat(runtime.removedPodVolumes).containsExactly("u1", "u1");
    }

    @Test
    void tmpfsVolumeNamesFitDocker() {
        String uid = "0b0e6a8c-3c3e-4f4e-9f0a-1234567890ab";
        String longName = "a-very-long-volume-name-that-goes-on-and-on";
        String n = HostVolumeManager.tmpfsVolumeName(uid, longName);
        assertThat(n).hasSizeLessThanOrEqualTo(63).matches("[a-zA-Z0-9][a-zA-Z0-9_.-]+").startsWith("k8s-" + uid);
        assertThat(n).isNotEqualTo(HostVolumeManager.tmpfsVolumeName(uid, longName + "2"));
        assertThat(HostVolumeManager.tmpfsVolumeName(uid, "cache")).isEqualTo("k8s-" + uid + "-cache");
    }
}
