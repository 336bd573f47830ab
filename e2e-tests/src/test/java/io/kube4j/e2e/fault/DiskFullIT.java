package io.kube4j.e2e.fault;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.watch.WatchEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Issue 15, disk: the embedded store's disk fills up. The apiserver runs on the embedded store with its data directory
 * on a small loop-mounted ext4 filesystem; after some objects are written, a filler file takes the rest of the space.
 * Then creates, updates and deletes fail with a Kubernetes Status <b>507 InsufficientStorage</b> ("the storage backend
 * is out of space ... disk is full"), promptly; gets, lists and watches keep working and show what was written before;
 * once the filler is deleted, writes succeed again without a restart; and every acknowledged object is there, before
 * and after a restart on the same data directory.
 *
 * <p>Needs root (mount), {@code mkfs.ext4} and loop devices: skipped without them (failed under KUBE4J_REQUIRE_ALL=1).
 */
class DiskFullIT {

    private static final String NS = "diskfull";
    private static final int OBJECTS = 40;
    private static final long FS_SIZE = 48L << 20;
    /** Big enough that no write squeezes into a block the store file already has. */
    private static final String BIG = "x".repeat(256 * 1024);

    private static Path tmp;
    private static Path mountPoint;
    private static boolean mounted;
    private static ApiServerInstance api;
    private static KubeClient client;

    @BeforeAll
    static void mountSmallFilesystem() throws Exception {
        Requirements.require(uid() == 0, "DiskFullIT loop-mounts a filesystem, which needs root (uid is " + uid() + ")");
        Path mkfs = Requirements.requireBinary("mkfs.ext4");
        Path mount = Requirements.requireBinary("mount");
        Requirements.requireBinary("umount");
        Requirements.require(Files.exists(Path.of("/dev/loop-control")), "no loop device support (/dev/loop-control)");
        tmp = Files.createTempDirectory("kube4j-diskfull");
        Path image = tmp.resolve("disk.img");
        mountPoint = Files.createDirectory(tmp.resolve("mnt"));
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(FS_SIZE);
        }
        String mkfsOut = run(mkfs.toString(), "-q", "-F", "-m", "0", image.toString());
        Requirements.require(mkfsOut == null, "mkfs.ext4 failed: " + mkfsOut);
        String mountOut = run(mount.toString(), "-o", "loop", image.toString(), mountPoint.toString());
        Requirements.require(mountOut == null, "mount -o loop failed (no loop devices in this container?): " + mountOut);
        mounted = true;
    }

    @AfterAll
    static void cleanUp() throws Exception {
        try {
            if (client != null) {
                client.close();
            }
        } finally {
            try {
                if (api != null) {
                    api.close();
                }
            } finally {
                if (mounted && run("umount", mountPoint.toString()) != null) {
                    run("umount", "-l", mountPoint.toString()); // something still holds it: detach lazily
                }
                if (tmp != null) {
                    try (var paths = Files.walk(tmp)) {
                        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    }
                }
            }
        }
    }

    @Test
    void fullDiskFailsWritesKeepsReadsAndRecoversWithoutLosingData() throws Exception {
        Path dataDir = mountPoint.resolve("store");
        // freed file space is not reused during the test: every commit needs new blocks, so on the full disk every
        // write fails (with the default 10 s a small write could still land in the store file's own free space)
        api = ApiServerInstance.start("http://127.0.0.1:1", "kube4j.apiserver.store=embedded",
                "kube4j.apiserver.embedded.data-dir=" + dataDir, "kube4j.apiserver.embedded.retention-time=1h");
        client = KubeClient.create(ClientConfig.of(api.url()).withRequestTimeout(Duration.ofSeconds(20)));
        ResourceClient<ConfigMap> configMaps = client.resources(ConfigMap.class);
        client.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata()
                .build()).block();

        // acknowledged writes: creates, some updates, some deletes
        for (int i = 0; i < OBJECTS; i++) {
            configMaps.create(configMap("cm-" + i, "v" + i)).block();
        }
        String afterCreates = configMaps.list(NS, ListOptions.all()).block().getMetadata().getResourceVersion();
        for (int i = 0; i < OBJECTS; i += 4) {
            ConfigMap cm = configMaps.get(NS, "cm-" + i).block();
            cm.setData(Map.of("value", "updated-" + i));
            configMaps.update(cm).block();
        }
        for (int i = 1; i < OBJECTS; i += 8) {
            configMaps.delete(NS, "cm-" + i, DeleteOptions.defaults()).block();
        }
        var before = configMaps.list(NS, ListOptions.all()).block();
        Map<String, String> written = contents(before.getItems());
        String listRv = before.getMetadata().getResourceVersion();
        List<WatchEvent<ConfigMap>> watched = new CopyOnWriteArrayList<>();
        Disposable watch = configMaps.watch(NS, ListOptions.all(), listRv).subscribe(watched::add);
        long filler = fill(mountPoint.resolve("filler"));
        System.out.printf("[DiskFullIT] %d configmaps written (%d acknowledged writes), filesystem %d MB, filler %d MB,"
                + " store file %d KB%n", written.size(), OBJECTS + OBJECTS / 4 + OBJECTS / 8, FS_SIZE >> 20,
                filler >> 20, Files.size(dataDir.resolve("kube4j.mv.db")) >> 10);

        try {
            // writes fail promptly with 507 and a Status that says why
            List<String> codes = new ArrayList<>();
            codes.add(expectFull("create", () -> configMaps.create(configMap("new-0", BIG)).block()));
            ConfigMap cm0 = configMaps.get(NS, "cm-0").block();
            cm0.setData(Map.of("value", BIG));
            codes.add(expectFull("update", () -> configMaps.update(cm0).block()));
            codes.add(expectFull("delete", () -> configMaps.delete(NS, "cm-2", DeleteOptions.defaults()).block()));
            codes.add(rawCreateIsStatus507());
            codes.add(kubectlCreateFails());
            System.out.println("[DiskFullIT] writes on the full disk answered: " + codes);

            // reads go on and show exactly what was acknowledged
            assertThat(contents(configMaps.list(NS, ListOptions.all()).block().getItems())).isEqualTo(written);
            for (String name : written.keySet()) {
                assertThat(configMaps.get(NS, name).block().getData().get("value")).isEqualTo(
                        written.get(name).substring(0, written.get(name).indexOf('@')));
            }
            // a new watch from before the updates replays them and the deletes
            List<WatchEvent<ConfigMap>> replay = configMaps.watch(NS, ListOptions.all(), afterCreates)
                    .filter(e -> e.type() != WatchEvent.Type.BOOKMARK)
                    .take(OBJECTS / 4 + OBJECTS / 8).collectList().block(Duration.ofSeconds(30));
            assertThat(replay).extracting(WatchEvent::type).containsOnly(WatchEvent.Type.MODIFIED,
                    WatchEvent.Type.DELETED).hasSize(OBJECTS / 4 + OBJECTS / 8);
            assertThat(watched).filteredOn(e -> e.type() != WatchEvent.Type.BOOKMARK).isEmpty();
        } finally {
            Files.deleteIfExists(mountPoint.resolve("filler"));
        }

        // space is back: writes work again without a restart
        long freed = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                .until(() -> configMaps.create(configMap("new-0", "after")).block() != null);
        long recoveredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - freed);
        ConfigMap cm0 = configMaps.get(NS, "cm-0").block();
        cm0.setData(Map.of("value", "after-full"));
        configMaps.update(cm0).block();
        configMaps.delete(NS, "cm-2", DeleteOptions.defaults()).block();
        System.out.printf("[DiskFullIT] writes succeed again %d ms after the filler was deleted (no restart)%n",
                recoveredMs);

        Map<String, String> expected = contents(configMaps.list(NS, ListOptions.all()).block().getItems());
        Map<String, String> survivors = new TreeMap<>(written);
        survivors.remove("cm-2");
        survivors.put("new-0", "");
        assertThat(expected.keySet()).isEqualTo(survivors.keySet());
        for (String name : written.keySet()) {
            if (!name.equals("cm-0") && !name.equals("cm-2")) {
                assertThat(expected.get(name)).as(name).isEqualTo(written.get(name)); // same value and resourceVersion
            }
        }
        // the watch opened before the disk filled saw the three writes after it, nothing of the failed ones
        await().atMost(Duration.ofSeconds(20)).until(() -> watched.stream()
                .filter(e -> e.type() != WatchEvent.Type.BOOKMARK).count() == 3);
        assertThat(watched).filteredOn(e -> e.type() != WatchEvent.Type.BOOKMARK)
                .extracting(e -> e.type() + " " + e.object().getMetadata().getName()
                        + (e.type() == WatchEvent.Type.DELETED ? "" : "=" + e.object().getData().get("value")))
                .containsExactly("ADDED new-0=after", "MODIFIED cm-0=after-full", "DELETED cm-2");
        watch.dispose();

        // a restart on the same data directory finds every object as it was: no damage from the failed writes
        long restart = System.nanoTime();
        api.restart();
        System.out.printf("[DiskFullIT] restart on the same data dir took %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restart));
        assertThat(contents(configMaps.list(NS, ListOptions.all()).block().getItems())).isEqualTo(expected);
        configMaps.create(configMap("after-restart", "ok")).block();
    }

    /** Runs the write, which must fail with 507 InsufficientStorage saying the disk is full, within the timeout. */
    private static String expectFull(String what, Supplier<Object> write) {
        long start = System.nanoTime();
        try {
            write.get();
            return fail(what + " on a full disk succeeded");
        } catch (ApiStatusException e) {
            assertThat(e.code()).as(what + ": " + e.getMessage()).isEqualTo(507);
            assertThat(e.reason()).isEqualTo("InsufficientStorage");
            assertThat(e.status().getMessage()).contains("disk is full").doesNotContain("Exception");
            return what + "=" + e.code() + " in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms";
        }
    }

    /** The raw answer: a Status document, not a stack trace. */
    private static String rawCreateIsStatus507() throws Exception {
        String body = JsonMapper.shared().writeValueAsString(configMap("raw", "x"));
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(api.url() + "/api/v1/namespaces/" + NS + "/configmaps"))
                .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(507);
        JsonNode status = JsonMapper.shared().readTree(r.body());
        assertThat(status.path("kind").asString()).isEqualTo("Status");
        assertThat(status.path("code").asInt()).isEqualTo(507);
        assertThat(status.path("reason").asString()).isEqualTo("InsufficientStorage");
        assertThat(r.body()).doesNotContain("\tat ").doesNotContain("Exception");
        return "http-post=" + r.statusCode();
    }

    /** kubectl reports the failure (when kubectl is installed). */
    private static String kubectlCreateFails() throws Exception {
        var kubectl = Requirements.findBinary("kubectl");
        if (kubectl.isEmpty()) {
            return "kubectl=not installed";
        }
        Path kubeconfig = Files.writeString(tmp.resolve("kubeconfig"), "apiVersion: v1\nkind: Config\n");
        Process p = new ProcessBuilder(kubectl.get().toString(), "--kubeconfig", kubeconfig.toString(),
                "--server", api.url(), "--request-timeout", "20s", "-n", NS, "create", "configmap", "by-kubectl",
                "--from-literal=value=x").redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return fail("kubectl create hung on a full disk");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.exitValue()).as(out).isNotZero();
        assertThat(out).contains("disk is full");
        return "kubectl=exit " + p.exitValue();
    }

    /** name → value@resourceVersion. */
    private static Map<String, String> contents(List<ConfigMap> items) {
        Map<String, String> m = new TreeMap<>();
        for (ConfigMap cm : items) {
            m.put(cm.getMetadata().getName(), cm.getData().get("value") + "@" + cm.getMetadata().getResourceVersion());
        }
        return m;
    }

    private static ConfigMap configMap(String name, String value) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                .withData(Map.of("value", value)).build();
    }

    /** Writes {@code file} until the filesystem has no space left; returns its size. */
    private static long fill(Path file) throws IOException {
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            try {
                while (true) {
                    out.write(chunk);
                }
            } catch (IOException full) {
                // the last megabyte did not fit: go on in blocks
            }
            byte[] block = new byte[4096];
            try {
                while (true) {
                    out.write(block);
                }
            } catch (IOException full) {
                // full
            }
        } catch (IOException closeFailed) {
            // flushing the last bytes on close can fail too: the disk is full either way
        }
        return Files.size(file);
    }

    private static int uid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException e) {
            return -1;
        }
    }

    /** Runs a command; null on success, else its output. */
    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return String.join(" ", command) + ": timed out";
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return p.exitValue() == 0 ? null : out + " (exit " + p.exitValue() + ")";
    }
}
