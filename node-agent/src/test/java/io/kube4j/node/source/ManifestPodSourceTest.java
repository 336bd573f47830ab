package io.kube4j.node.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Pod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestPodSourceTest {

    private static final String WEB = """
            apiVersion: v1
            kind: Pod
            metadata: {name: web}
            spec:
              containers: [{name: main, image: 'busybox:1'}]
            """;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    /** Keeps the last snapshot. */
    static final class Snapshots implements PodSourceListener {
        final AtomicReference<List<Pod>> last = new AtomicReference<>();

        @Override
        public void upsert(String source, Pod pod) {
        }

        @Override
        public void remove(String source, Pod pod) {
        }

        @Override
        public void snapshot(String source, Collection<Pod> pods) {
            last.set(new ArrayList<>(pods));
        }
    }

    @Test
    void aDirectoryGivesNodeNamedDefaultedStaticPodsWithStableUids() throws IOException {
        Files.writeString(dir.resolve("web.yaml"), WEB);
        Files.writeString(dir.resolve(".hidden.yaml"), WEB.replace("web", "hidden"));
        Files.writeString(dir.resolve("notes.txt"), "not a manifest");
        Files.writeString(dir.resolve("broken.yaml"), "kind: Service\nmetadata: {name: x}\n");
        ManifestPodSource source = ManifestPodSource.directory(dir, "node-1", Duration.ofHours(1), timer, Runnable::run);
        Snapshots s = new Snapshots();
        source.poll(s);
        assertThat(source.ready()).isTrue();
        assertThat(s.last.get()).hasSize(1);
        Pod p = s.last.get().get(0);
        assertThat(p.getMetadata().getName()).isEqualTo("web-node-1");
        assertThat(p.getMetadata().getNamespace()).isEqualTo("default");
        assertThat(p.getSpec().getNodeName()).isEqualTo("node-1");
        assertThat(p.getSpec().getRestartPolicy()).isEqualTo("Always"); // defaulted as the apiserver would
        assertThat(p.getMetadata().getAnnotations()).containsEntry(StaticPods.CONFIG_SOURCE, "file")
                .containsEntry(StaticPods.CONFIG_HASH, p.getMetadata().getUid());
        assertThat(StaticPods.isStatic(p)).isTrue();

        source.poll(s); // the same manifest keeps its UID (an agent restart adopts the pod)
        assertThat(s.last.get().get(0).getMetadata().getUid()).isEqualTo(p.getMetadata().getUid());
        Files.writeString(dir.resolve("web.yaml"), WEB.replace("busybox:1", "busybox:2"));
        source.poll(s); // a changed manifest is another pod
        assertThat(s.last.get().get(0).getMetadata().getUid()).isNotEqualTo(p.getMetadata().getUid());
        Files.delete(dir.resolve("web.yaml"));
        source.poll(s);
        assertThat(s.last.get()).isEmpty();
    }

    @Test
    void aUrlServesAPodListAndAFailedFetchKeepsThePods() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicReference<String> body = new AtomicReference<>("""
                apiVersion: v1
                kind: PodList
                items:
                - {metadata: {name: a}, spec: {containers: [{name: c, image: 'x:1'}]}}
                - {metadata: {name: b, namespace: kube-system}, spec: {containers: [{name: c, image: 'x:1'}]}}
                """);
        http.createContext("/pods", ex -> {
            String b = body.get();
            if (b == null) {
                ex.sendResponseHeaders(500, -1);
            } else {
                byte[] bytes = b.getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, bytes.length);
                ex.getResponseBody().write(bytes);
            }
            ex.close();
        });
        http.start();
        try {
            ManifestPodSource source = ManifestPodSource.url(URI.create("http://127.0.0.1:" + http.getAddress().getPort()
                    + "/pods"), "n", Duration.ofHours(1), timer, Runnable::run);
            Snapshots s = new Snapshots();
            source.poll(s);
            assertThat(s.last.get()).extracting(p -> p.getMetadata().getNamespace() + "/" + p.getMetadata().getName())
                    .containsExactlyInAnyOrder("default/a-n", "kube-system/b-n");
            assertThat(s.last.get().get(0).getMetadata().getAnnotations()).containsEntry(StaticPods.CONFIG_SOURCE, "http");
            body.set(null);
            s.last.set(null);
            source.poll(s); // the server failing is not "no pods": nothing is reported, the pods stay
            assertThat(s.last.get()).isNull();
        } finally {
            http.stop(0);
        }
    }

    @Test
    void manifestsMustHoldNamedPodsWithContainers() {
        assertThatThrownBy(() -> StaticPods.parse("kind: Deployment\n", "m.yaml"))
                .hasMessageContaining("is not a Pod");
        Pod unnamed = StaticPods.parse("kind: Pod\nspec: {containers: [{name: c, image: i}]}\n", "m.yaml").get(0);
        assertThatThrownBy(() -> StaticPods.prepare(unnamed, "n", "file", "m.yaml")).hasMessageContaining("metadata.name");
    }
}
