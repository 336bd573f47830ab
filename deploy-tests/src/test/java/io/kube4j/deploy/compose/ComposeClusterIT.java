package io.kube4j.deploy.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.node.testsupport.TestImages;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The docker-compose demo cluster for real: builds the images on the locally made base ({@code ./kube4j images
 * --no-build}), brings {@code docker-compose.yml} up as project {@code kube4j-it}, deploys a Deployment and a Service
 * through the gateway with kubectl, scales it, stops one apiserver and the leading scheduler, checks the cluster
 * still schedules and runs a new pod, then {@code down -v} and removes the pods' containers. Prints each step's time.
 */
class ComposeClusterIT {

    static final String PROJECT = "kube4j-it";
    static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    static final Path HOME = ROOT.resolve("deploy-tests/target/compose-home");
    static final Map<String, Long> timings = new LinkedHashMap<>();

    static KubectlRunner kubectl;

    @BeforeAll
    static void up() throws Exception {
        Requirements.requireDocker();
        Requirements.requireBinary("docker-compose");
        Requirements.requireBinary("kubectl");
        Requirements.require(Files.isExecutable(Path.of("/usr/sbin/debootstrap")) || Files.isExecutable(Path.of("/usr/bin/debootstrap")),
                "debootstrap is missing (apt-get install debootstrap): it makes the images' local base");
        Requirements.require(Files.exists(ROOT.resolve("apiserver-service/target/apiserver-service-0.1.0-SNAPSHOT-exec.jar")),
                "the roles' exec jars are missing: run './mvnw -DskipTests package' first");
        compose("down", "-v", "--remove-orphans");
        removePods();
        deleteRecursively(HOME);
        Files.createDirectories(HOME);
        timed("images (base cached after the first run)", () -> run(Duration.ofMinutes(20), ROOT.resolve("kube4j").toString(), "images", "--no-build"));
        timed("docker-compose up -d", () -> compose("up", "-d"));
        kubectl = KubectlRunner.withKubeconfig(Requirements.requireBinary("kubectl"), HOME.resolve("admin.kubeconfig"),
                Files.createDirectories(HOME.resolve("kubectl")), Duration.ofSeconds(60));
        timed("ready: 2 nodes Ready through the gateway", () -> await().atMost(Duration.ofMinutes(10))
                .pollInterval(Duration.ofSeconds(3)).ignoreExceptions().untilAsserted(() ->
                        assertThat(kubectl.kubectl("get", "nodes", "-o",
                                "jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type==\"Ready\")].status} {end}")
                                .ok().out()).contains("compose-1=True", "compose-2=True")));
    }

    @AfterAll
    static void down() throws Exception {
        try {
            timed("docker-compose down -v", () -> compose("down", "-v", "--remove-orphans"));
            removePods();
        } finally {
            timings.forEach((step, ms) -> System.out.printf("ComposeClusterIT %-45s %6.1f s%n", step, ms / 1000.0));
        }
    }

    @Test
    void deploymentAndServiceSurviveLosingAnApiserverAndTheLeadingScheduler() throws Exception {
        String image = TestImages.busybox();
        Path manifest = HOME.resolve("web.yaml");
        Files.writeString(manifest, """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web, namespace: default}
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec:
                      containers:
                      - name: httpd
                        image: %s
                        imagePullPolicy: Never
                        command: ["sh", "-c", "echo hello-from-$(hostname) > /tmp/index.html && exec httpd -f -p 8080 -h /tmp"]
                        ports: [{containerPort: 8080}]
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: default}
                spec:
                  selector: {app: web}
                  ports: [{port: 80, targetPort: 8080}]
                """.formatted(image));
        timed("deploy + Service answers via both nodes' proxies", () -> {
            kubectl.kubectl("apply", "-f", manifest.toString()).ok();
            awaitAvailable(1);
            for (String proxy : List.of("127.0.31.1", "127.0.31.2")) {
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                        .untilAsserted(() -> assertThat(get("http://" + proxy + ":80/")).startsWith("hello-from-"));
            }
        });
        timed("scale to 3", () -> {
            kubectl.kubectl("scale", "deployment", "web", "--replicas=3").ok();
            awaitAvailable(3);
        });
        timed("stop apiserver-1 and the leading scheduler", () -> {
            String holder = kubectl.kubectl("get", "lease", "-n", "kube-system", "kube-scheduler", "-o",
                    "jsonpath={.spec.holderIdentity}").ok().out().trim();
            String leader = holder.substring(0, holder.indexOf('_'));
            assertThat(leader).isIn("scheduler-1", "scheduler-2");
            compose("stop", "apiserver-1", leader);
        });
        timed("after failover: kubectl answers, a new pod is scheduled and runs", () -> {
            kubectl.kubectl("scale", "deployment", "web", "--replicas=4").ok();
            awaitAvailable(4);
            assertThat(kubectl.kubectl("get", "pods", "-l", "app=web", "-o",
                    "jsonpath={range .items[*]}{.spec.nodeName} {end}").ok().out()).contains("compose-");
        });
    }

    static void awaitAvailable(int replicas) {
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).ignoreExceptions()
                .untilAsserted(() -> assertThat(kubectl.kubectl("get", "deployment", "web", "-o",
                        "jsonpath={.status.availableReplicas}").ok().out().trim()).isEqualTo(String.valueOf(replicas)));
    }

    static String get(String url) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    static void compose(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("docker-compose", "-p", PROJECT, "-f", ROOT.resolve("docker-compose.yml").toString()));
        cmd.addAll(List.of(args));
        run(Duration.ofMinutes(10), cmd.toArray(String[]::new));
    }

    /** The pods' containers and networks of both nodes (the node agents made them on the host's engine). */
    static void removePods() throws Exception {
        for (String node : List.of("compose-1", "compose-2")) {
            String ids = run(Duration.ofMinutes(1), "docker", "ps", "-aq", "--filter", "label=io.kube4j.node=" + node);
            if (!ids.isBlank()) {
                List<String> cmd = new ArrayList<>(List.of("docker", "rm", "-f", "-v"));
                cmd.addAll(List.of(ids.trim().split("\\s+")));
                run(Duration.ofMinutes(1), cmd.toArray(String[]::new));
            }
            String nets = run(Duration.ofMinutes(1), "docker", "network", "ls", "-q", "--filter", "name=kube4j-" + node);
            for (String net : nets.trim().split("\\s+")) {
                if (!net.isBlank()) {
                    run(Duration.ofMinutes(1), "docker", "network", "rm", net);
                }
            }
        }
    }

    static String run(Duration timeout, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().put("KUBE4J_COMPOSE_HOME", HOME.toString());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ":\n" + text);
        }
        return text;
    }

    interface Step {
        void run() throws Exception;
    }

    static void timed(String step, Step body) throws Exception {
        long start = System.nanoTime();
        body.run();
        timings.put(step, (System.nanoTime() - start) / 1_000_000);
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
