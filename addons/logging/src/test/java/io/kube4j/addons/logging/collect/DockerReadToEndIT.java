package io.kube4j.addons.logging.collect;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import io.kube4j.addons.logging.store.LogHit;
import io.kube4j.addons.logging.store.LogQuery;
import io.kube4j.addons.logging.store.LogStore;
import io.kube4j.node.testsupport.DockerTestSupport;
import io.kube4j.node.testsupport.TestImages;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The collector on the real engine, driven round by round: a container labelled as a node agent's is followed, then
 * writes 1,000 lines, exits and is removed ({@code docker rm}, its json-file unlinked) before the collector reads a
 * single one of them; the next round still reads all 1,000 from the file it holds open, then lets go.
 */
class DockerReadToEndIT {

    @TempDir
    Path dir;
    private final String node = DockerTestSupport.uniqueNodeName("logs-rte");

    @AfterEach
    void cleanup() {
        DockerTestSupport.cleanupNode(node);
    }

    @Test
    void linesOfAContainerRemovedBeforeTheyWereReadAreAllCollected() throws InterruptedException {
        long t0 = System.nanoTime();
        DockerClient docker = DockerTestSupport.client();
        String image = TestImages.busybox();
        long t1 = System.nanoTime();
        String id = docker.createContainerCmd(image)
                .withCmd("sh", "-c", "echo ready; while [ ! -e /tmp/go ]; do usleep 20000; done; "
                        + "i=1; while [ $i -le 1000 ]; do echo \"line $i\"; i=$((i+1)); done")
                .withLabels(Map.of("io.kube4j.node", node, "io.kubernetes.docker.type", "container",
                        "io.kubernetes.pod.namespace", "ns", "io.kubernetes.pod.name", "writer",
                        "io.kubernetes.pod.uid", "uid-1", "io.kubernetes.container.name", "main"))
                .exec().getId();
        docker.startContainerCmd(id).exec();

        DockerContainerDirectory engine = new DockerContainerDirectory(docker, node);
        try (LogStore store = new LogStore(dir.resolve("segments"), Duration.ofHours(1), 1 << 30, Clock.systemUTC())) {
            LogCollector collector = new LogCollector(node, engine, (ns, pod, uid) -> Optional.of(Map.of("app", "w")),
                    store, List.of(), new CheckpointFile(dir.resolve("checkpoints.json")), Duration.ofMillis(100),
                    Duration.ofSeconds(10), Duration.ofSeconds(5), new SimpleMeterRegistry(), Clock.systemUTC());
            // followed, and its first line read: the file is open
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                collector.wake();
                collector.pollOnce();
                return all(store).contains("ready");
            });
            long t2 = System.nanoTime();
            assertThat(collector.followedContainers()).isEqualTo(1);
            String logPath = docker.inspectContainerCmd(id).exec().getLogPath();

            // write, exit, remove: no collector round in between
            var exec = docker.execCreateCmd(id).withCmd("touch", "/tmp/go").exec();
            docker.execStartCmd(exec.getId()).start().awaitCompletion(10, TimeUnit.SECONDS);
            docker.waitContainerCmd(id).exec(new WaitContainerResultCallback()).awaitStatusCode(30, TimeUnit.SECONDS);
            docker.removeContainerCmd(id).exec();
            assertThat(Files.exists(Path.of(logPath))).as("docker rm deleted the json-file").isFalse();

            long t3 = System.nanoTime();
            collector.wake();
            collector.pollOnce();
            System.out.printf("DockerReadToEndIT: engine and image %.1f s, container followed %.1f s, written, exited "
                    + "and removed %.1f s, read to the end %.3f s%n", (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9,
                    (System.nanoTime() - t3) / 1e9);
            List<String> lines = all(store);
            List<String> expected = new ArrayList<>(List.of("ready"));
            for (int i = 1; i <= 1000; i++) {
                expected.add("line " + i);
            }
            assertThat(lines).containsExactlyElementsOf(expected);
            assertThat(collector.followedContainers()).as("let go after reading to the end").isZero();
            collector.close();
        }
    }

    private static List<String> all(LogStore store) {
        return store.search(LogQuery.all(Instant.EPOCH, Instant.now().plusSeconds(3600), 10_000)).map(LogHit::line)
                .collectList().block();
    }
}
