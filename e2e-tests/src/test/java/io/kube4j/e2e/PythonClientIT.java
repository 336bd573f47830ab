package io.kube4j.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Python client (Debian's {@code python3-kubernetes}, run by the system {@code /usr/bin/python3}, not a
 * pyenv one without it) against {@link E2eCluster} with the admin's kubeconfig: a script lists pods, watches them,
 * creates two, waits until one runs, deletes it and sees the watch's ADDED, MODIFIED and DELETED events. The test
 * checks the script's report against what the server holds.
 */
class PythonClientIT {

    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final Duration TIMEOUT = Duration.ofSeconds(180);

    @TempDir
    static Path dir;
    static E2eCluster cluster;
    static KubeClient api;
    static String ns;

    @BeforeAll
    static void setUp() throws Exception {
        Requirements.require(Files.isExecutable(PYTHON), PYTHON + " is not installed");
        Process check = new ProcessBuilder(PYTHON.toString(), "-c", "import kubernetes").redirectErrorStream(true)
                .start();
        Requirements.require(check.waitFor(60, TimeUnit.SECONDS) && check.exitValue() == 0,
                "the Kubernetes Python client is not installed for " + PYTHON + " (apt-get install python3-kubernetes)");
        cluster = E2eCluster.get();
        api = cluster.client();
        ns = "e2e-python-" + UUID.randomUUID().toString().substring(0, 5);
        api.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata()
                .build()).block(TIMEOUT);
        cluster.awaitDefaultServiceAccount(ns);
    }

    @AfterAll
    static void tearDown() {
        if (api != null && ns != null) {
            api.resources(Namespace.class).delete(null, ns, DeleteOptions.defaults()).onErrorComplete().block(TIMEOUT);
        }
    }

    @Test
    void listsCreatesWatchesAndDeletesPods() throws Exception {
        Path script = dir.resolve("pods.py");
        try (InputStream in = getClass().getResourceAsStream("/e2e/pods.py")) {
            Files.write(script, in.readAllBytes());
        }
        Path out = dir.resolve("out.txt");
        Process p = new ProcessBuilder(PYTHON.toString(), script.toString(), cluster.kubeconfig().toString(), ns,
                E2eCluster.webImage(1)).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the script did not finish within " + TIMEOUT + ":\n" + Files.readString(out));
        }
        String report = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(report).isZero();
        List<String> lines = report.lines().toList();

        assertThat(lines).as(report).contains("LISTED 0", "DELETED py-gone", "DONE")
                .contains("EVENT ADDED py-gone", "EVENT MODIFIED py-gone", "EVENT DELETED py-gone",
                        "EVENT ADDED py-kept");
        // ADDED before MODIFIED before DELETED, as the server sent them
        assertThat(lines.indexOf("EVENT ADDED py-gone")).isLessThan(lines.indexOf("EVENT MODIFIED py-gone"));
        assertThat(lines.lastIndexOf("EVENT MODIFIED py-gone")).isLessThan(lines.indexOf("EVENT DELETED py-gone"));

        // what the script created is on the server: the kept pod with the uid the client got back, running on a
        // node with the IP the script saw; the deleted one is gone
        String keptUid = field(lines, "CREATED py-kept ");
        assertThat(field(lines, "KEPT py-kept ")).isEqualTo(keptUid);
        Pod kept = await().atMost(TIMEOUT).until(() -> api.resources(Pod.class).get(ns, "py-kept").block(TIMEOUT),
                k -> k.getStatus() != null && "Running".equals(k.getStatus().getPhase()));
        assertThat(kept.getMetadata().getUid()).isEqualTo(keptUid);
        assertThat(kept.getSpec().getNodeName()).isNotBlank();
        assertThat(field(lines, "RUNNING py-gone ")).matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
        assertThat(gone("py-gone")).isTrue();

        api.resources(Pod.class).delete(ns, "py-kept", DeleteOptions.defaults()).block(TIMEOUT);
        await().atMost(TIMEOUT).until(() -> gone("py-kept"));
    }

    private static String field(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).findFirst()
                .orElseThrow(() -> new AssertionError("no line '" + prefix + "...' in " + lines));
    }

    private static boolean gone(String pod) {
        try {
            api.resources(Pod.class).get(ns, pod).block(TIMEOUT);
            return false;
        } catch (ApiStatusException e) {
            if (e.code() == 404) {
                return true;
            }
            throw e;
        }
    }
}
