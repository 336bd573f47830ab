package io.kube4j.node.runtime.docker;

import com.github.dockerjava.api.exception.NotFoundException;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.node.runtime.ContainerSpec;
import io.kube4j.node.runtime.ContainerStats;
import io.kube4j.node.runtime.ContainerStatus;
import io.kube4j.node.runtime.ExecResult;
import io.kube4j.node.runtime.ImagePullException;
import io.kube4j.node.runtime.LogRequest;
import io.kube4j.node.runtime.OutputSink;
import io.kube4j.node.runtime.RuntimeInfo;
import io.kube4j.node.runtime.RuntimeLabels;
import io.kube4j.node.runtime.RuntimeOperationException;
import io.kube4j.node.runtime.Sandbox;
import io.kube4j.node.runtime.SandboxSpec;
import io.kube4j.node.runtime.StreamHandle;
import io.kube4j.node.runtime.StreamIo;
import io.kube4j.node.testsupport.DockerTestSupport;
import io.kube4j.node.testsupport.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@link DockerRuntime} against the real engine: one node (network, pause image) for the class. */
class DockerRuntimeIT {

    private static String node;
    private static String cidr;
    private static String pauseTag;
    private static String busybox;
    private static DockerRuntime runtime;
    private static Path messageDir;

    @BeforeAll
    static void startRuntime() {
        Requirements.requireDocker();
        busybox = TestImages.busybox();
        node = DockerTestSupport.uniqueNodeName("it-docker");
        cidr = DockerTestSupport.freePodCidr();
        // a pause tag of its own, absent, so start() has to build it from busybox
        pauseTag = "kube4j-test/pause:it-" + node;
        try {
            messageDir = Files.createTempDirectory("kube4j-it-termination");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        runtime = DockerRuntime.connect(node, DockerTestSupport.dockerConfig(pauseTag), cidr, messageDir);
    }

    @AfterAll
    static void cleanup() {
        if (runtime != null) {
            runtime.close();
        }
        if (node != null) {
            DockerTestSupport.cleanupNode(node);
        }
        if (messageDir != null) {
            try (var files = Files.walk(messageDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (java.io.IOException e) {
                // best effort: a temp dir
            }
        }
        if (pauseTag != null) {
            try {
                DockerTestSupport.client().removeImageCmd(pauseTag).withForce(true).exec();
            } catch (NotFoundException e) {
                // never built
            }
        }
    }

    private static SandboxSpec sandboxSpec(String pod, List<SandboxSpec.PortMapping> ports) {
        return new SandboxSpec(UUID.randomUUID().toString(), pod, "default", 0, pod, false, ports,
                List.of("10.96.0.10"), List.of("default.svc.cluster.local"), List.of("ndots:5"),
                Map.of("app", pod));
    }

    private static ContainerSpec spec(Sandbox sb, String name, List<ContainerSpec.Mount> mounts, long memory,
                                      int attempt, String... command) {
        return new ContainerSpec(sb.podUid(), sb.podName(), sb.namespace(), name, busybox, List.of(command),
                List.of(), List.of(new ContainerSpec.EnvVar("GREETING", "hi")), "/tmp", mounts, 100, 500, memory,
                false, false, false, attempt, "hash-" + name, null, null, false,
                Map.of(RuntimeLabels.TERMINATION_GRACE, "30"));
    }

    private static String run(Sandbox sb, String name, String... command) {
        String id = runtime.createContainer(sb, spec(sb, name, List.of(), 0, 0, command));
        runtime.startContainer(id);
        return id;
    }

    private static ContainerStatus awaitExited(String id) {
        await().atMost(Duration.ofSeconds(60)).until(
                () -> runtime.inspectContainer(id).map(s -> s.state() == ContainerStatus.State.EXITED).orElse(false));
        return runtime.inspectContainer(id).orElseThrow();
    }

    private static String logsOf(String id) {
        Collecting sink = new Collecting();
        StreamHandle h = runtime.logs(id, LogRequest.all(), sink);
        h.completion().orTimeout(30, TimeUnit.SECONDS).join();
        return sink.out();
    }

    /** An OutputSink that keeps what it got. */
    static final class Collecting implements OutputSink {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();

        @Override
        public synchronized void stdout(byte[] data) {
            out.writeBytes(data);
        }

        @Override
        public synchronized void stderr(byte[] data) {
            err.writeBytes(data);
        }

        synchronized String out() {
            return out.toString(StandardCharsets.UTF_8);
        }

        synchronized String err() {
            return err.toString(StandardCharsets.UTF_8);
        }

        synchronized int size() {
            return out.size() + err.size();
        }
    }

    @Test
    void sandboxGetsAnIpFromTheNodeCidrAndIsListed() {
        Sandbox sb = runtime.runSandbox(sandboxSpec("ip-pod", List.of()));
        assertThat(sb.ready()).isTrue();
        assertThat(sb.ip()).isNotNull();
        assertThat(DockerSpecs.Cidr.parse(cidr).contains(sb.ip())).as("%s in %s", sb.ip(), cidr).isTrue();
        assertThat(sb.ip()).isNotEqualTo(DockerSpecs.Cidr.parse(cidr).firstHost());
        assertThat(runtime.listSandboxes()).anySatisfy(s -> {
            assertThat(s.id()).isEqualTo(sb.id());
            assertThat(s.ip()).isEqualTo(sb.ip());
            assertThat(s.ready()).isTrue();
            assertThat(s.podName()).isEqualTo("ip-pod");
            assertThat(s.labels()).containsEntry(RuntimeLabels.CONTAINER_TYPE, RuntimeLabels.TYPE_SANDBOX)
                    .containsEntry(RuntimeLabels.NODE, node).containsEntry("app", "ip-pod");
        });
        assertThat(runtime.listContainers()).noneMatch(c -> c.id().equals(sb.id()));
        var inspect = runtime.client().inspectContainerCmd(sb.id()).exec();
        assertThat(inspect.getName()).isEqualTo("/" + DockerSpecs.sandboxName("ip-pod", "default", sb.podUid(), 0));
        assertThat(inspect.getConfig().getHostName()).isEqualTo("ip-pod");
        assertThat(inspect.getHostConfig().getDns()).containsExactly("10.96.0.10");

        String app = run(sb, "app", "sh", "-c", "cat /etc/resolv.conf; hostname; sleep 3600");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(logsOf(app))
                .contains("nameserver 10.96.0.10").contains("search default.svc.cluster.local")
                .contains("ndots:5").contains("ip-pod"));

        runtime.stopContainer(app, Duration.ofSeconds(1));
        runtime.stopSandbox(sb.id());
        await().atMost(Duration.ofSeconds(30)).until(() -> runtime.listSandboxes().stream()
                .anyMatch(s -> s.id().equals(sb.id()) && !s.ready()));
        runtime.removeContainer(app);
        runtime.removeSandbox(sb.id());
        runtime.removeSandbox(sb.id()); // idempotent
        assertThat(runtime.listSandboxes()).noneMatch(s -> s.id().equals(sb.id()));
    }

    @Test
    void containersOfOneSandboxShareLocalhostAndHostPortsReachTheSandbox() throws Exception {
        int hostPort;
        try (ServerSocket s = new ServerSocket(0)) {
            hostPort = s.getLocalPort();
        }
        Sandbox sb = runtime.runSandbox(sandboxSpec("web", List.of(
                new SandboxSpec.PortMapping("TCP", 8080, hostPort, "127.0.0.1"))));
        String server = run(sb, "server", "sh", "-c",
                "mkdir -p /www && echo hello-from-httpd > /www/index.html && exec httpd -f -p 8080 -h /www");
        String client = run(sb, "client", "sh", "-c",
                "for i in $(seq 100); do wget -qO- http://127.0.0.1:8080/index.html && exit 0; sleep 0.2; done;"
                        + " exit 1");
        ContainerStatus done = awaitExited(client);
        assertThat(done.exitCode()).isZero();
        assertThat(done.reason()).isEqualTo("Completed");
        assertThat(logsOf(client)).contains("hello-from-httpd");

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + hostPort + "/index.html")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.body()).contains("hello-from-httpd");

        var inspect = runtime.client().inspectContainerCmd(server).exec();
        assertThat(inspect.getHostConfig().getNetworkMode()).isEqualTo("container:" + sb.id());
        assertThat(inspect.getHostConfig().getIpcMode()).isEqualTo("container:" + sb.id());
        assertThat(inspect.getHostConfig().getCpuShares()).isEqualTo(102);
        assertThat(inspect.getHostConfig().getCpuQuota()).isEqualTo(50_000L);
        assertThat(inspect.getHostConfig().getCpuPeriod()).isEqualTo(100_000L);
        assertThat(inspect.getConfig().getEnv()).contains("GREETING=hi");
        assertThat(inspect.getName()).isEqualTo("/k8s_server_web_default_" + sb.podUid() + "_0");
    }

    @Test
    void execSyncReturnsOutputExitCodeAndTimesOut() {
        Sandbox sb = runtime.runSandbox(sandboxSpec("exec-pod", List.of()));
        String id = run(sb, "main", "sleep", "3600");
        ExecResult r = runtime.execSync(id, List.of("sh", "-c", "echo out; echo err >&2; exit 7"),
                Duration.ofSeconds(20));
        assertThat(r.timedOut()).isFalse();
        assertThat(r.exitCode()).isEqualTo(7);
        assertThat(r.stdoutText()).isEqualTo("out\n");
        assertThat(r.stderrText()).isEqualTo("err\n");

        assertThat(runtime.execSync(id, List.of("true"), Duration.ofSeconds(20)).exitCode()).isZero();

        ExecResult slow = runtime.execSync(id, List.of("sh", "-c", "echo started; sleep 30"), Duration.ofSeconds(1));
        assertThat(slow.timedOut()).isTrue();
        assertThat(slow.exitCode()).isEqualTo(-1);

        runtime.stopContainer(id, Duration.ZERO);
        assertThatThrownBy(() -> runtime.execSync(id, List.of("true"), Duration.ofSeconds(5)))
                .isInstanceOf(RuntimeOperationException.class).hasMessageContaining("not running");
    }

    @Test
    void logsFollowTailTimestampsLimitAndStreams() {
        Sandbox sb = runtime.runSandbox(sandboxSpec("logs-pod", List.of()));
        String fixed = run(sb, "fixed", "sh", "-c", "for i in 1 2 3 4 5; do echo line$i; done");
        String mixed = run(sb, "mixed", "sh", "-c", "echo out; echo oops >&2");
        awaitExited(fixed);
        awaitExited(mixed);

        Collecting all = new Collecting();
        runtime.logs(fixed, LogRequest.all(), all).completion().orTimeout(30, TimeUnit.SECONDS).join();
        assertThat(all.out()).isEqualTo("line1\nline2\nline3\nline4\nline5\n");
        Collecting both = new Collecting();
        runtime.logs(mixed, LogRequest.all(), both).completion().orTimeout(30, TimeUnit.SECONDS).join();
        assertThat(both.out()).isEqualTo("out\n");
        assertThat(both.err()).isEqualTo("oops\n");

        Collecting tail = new Collecting();
        runtime.logs(fixed, new LogRequest(false, 2, null, false, null), tail).completion()
                .orTimeout(30, TimeUnit.SECONDS).join();
        assertThat(tail.out()).isEqualTo("line4\nline5\n");

        Collecting stamped = new Collecting();
        runtime.logs(fixed, new LogRequest(false, null, null, true, null), stamped).completion()
                .orTimeout(30, TimeUnit.SECONDS).join();
        assertThat(stamped.out().lines().toList()).hasSize(5)
                .allMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z line\\d"));

        Collecting limited = new Collecting();
        runtime.logs(fixed, new LogRequest(false, null, null, false, 8L), limited).completion()
                .orTimeout(30, TimeUnit.SECONDS).join();
        assertThat(limited.out()).isEqualTo("line1\nli");

        String ticking = run(sb, "ticking", "sh", "-c", "while :; do echo tick; sleep 0.2; done");
        Collecting follow = new Collecting();
        StreamHandle h = runtime.logs(ticking, new LogRequest(true, null, null, false, null), follow);
        await().atMost(Duration.ofSeconds(30)).until(() -> follow.out().split("tick", -1).length > 3);
        assertThat(h.completion()).isNotDone();
        h.close();
        assertThat(h.completion()).succeedsWithin(Duration.ofSeconds(10));
        int size = follow.size();
        // still ticking in the container, but nothing more arrives here
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).until(() -> follow.size() == size);
        runtime.stopContainer(ticking, Duration.ZERO);
    }

    @Test
    void stopSendsSigtermFirstAndIsIdempotent(@TempDir Path dir) throws Exception {
        Sandbox sb = runtime.runSandbox(sandboxSpec("stop-pod", List.of()));
        String id = runtime.createContainer(sb, spec(sb, "graceful",
                List.of(ContainerSpec.Mount.bind(dir.toString(), "/out", false)), 0, 0, "sh", "-c",
                "trap 'echo term > /out/signal; exit 0' TERM; touch /out/ready;"
                        + " while :; do sleep 1 & wait $!; done"));
        runtime.startContainer(id);
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(dir.resolve("ready")));
        runtime.stopContainer(id, Duration.ofSeconds(20));
        assertThat(Files.readString(dir.resolve("signal"))).isEqualTo("term\n");
        ContainerStatus s = runtime.inspectContainer(id).orElseThrow();
        assertThat(s.state()).isEqualTo(ContainerStatus.State.EXITED);
        assertThat(s.exitCode()).isZero();
        assertThat(s.reason()).isEqualTo("Completed");
        assertThat(s.finishedAt()).isAfterOrEqualTo(s.startedAt());

        runtime.stopContainer(id, Duration.ofSeconds(1)); // already stopped
        runtime.removeContainer(id);
        runtime.removeContainer(id); // already gone
        runtime.stopContainer(id, Duration.ofSeconds(1)); // gone
        assertThat(runtime.inspectContainer(id)).isEmpty();
    }

    @Test
    void exitCodesBecomeReasons() {
        Sandbox sb = runtime.runSandbox(sandboxSpec("exit-pod", List.of()));
        String ok = run(sb, "ok", "sh", "-c", "exit 0");
        String bad = run(sb, "bad", "sh", "-c", "exit 3");
        String oom = runtime.createContainer(sb, spec(sb, "oom", List.of(), 8L << 20, 0, "sh", "-c",
                "head -c 300m /dev/zero | tail; exit 0"));
        runtime.startContainer(oom);

        ContainerStatus okStatus = awaitExited(ok);
        assertThat(okStatus.exitCode()).isZero();
        assertThat(okStatus.reason()).isEqualTo("Completed");
        assertThat(okStatus.startedAt()).isNotNull();
        assertThat(okStatus.finishedAt()).isNotNull();
        ContainerStatus badStatus = awaitExited(bad);
        assertThat(badStatus.exitCode()).isEqualTo(3);
        assertThat(badStatus.reason()).isEqualTo("Error");
        // the default path on /dev (tmpfs) works through the bind-mounted host file
        ContainerSpec b = spec(sb, "msg", List.of(), 0, 0, "sh", "-c",
                "echo -n 'disk on fire' > /dev/termination-log; exit 2");
        String msg = runtime.createContainer(sb, new ContainerSpec(b.podUid(), b.podName(), b.namespace(), b.name(),
                b.image(), b.command(), b.args(), b.env(), b.workingDir(), b.mounts(), 0, 0, 0, false, false, false,
                0, b.hash(), "/dev/termination-log", 1000L, false, Map.of()));
        runtime.startContainer(msg);
        ContainerStatus msgStatus = awaitExited(msg);
        assertThat(msgStatus.reason()).isEqualTo("Error");
        assertThat(msgStatus.message()).isEqualTo("disk on fire");
        assertThat(runtime.listContainers()).filteredOn(c -> c.id().equals(msg)).singleElement()
                .satisfies(c -> assertThat(c.message()).isEqualTo("disk on fire"));
        assertThat(okStatus.message()).isNull();
        String hostFile = runtime.inspectContainer(msg).orElseThrow().labels()
                .get(DockerRuntime.TERMINATION_MESSAGE_HOST_PATH);
        runtime.removeContainer(msg);
        assertThat(Path.of(hostFile)).doesNotExist();

        // without a host directory, the file is copied out of the stopped container
        try (DockerRuntime noDir = DockerRuntime.connect(node, DockerTestSupport.dockerConfig(pauseTag), cidr)) {
            ContainerSpec c = spec(sb, "msg2", List.of(), 0, 0, "sh", "-c", "echo -n copied > /tmp/msg");
            String msg2 = noDir.createContainer(sb, new ContainerSpec(c.podUid(), c.podName(), c.namespace(),
                    c.name(), c.image(), c.command(), c.args(), c.env(), c.workingDir(), c.mounts(), 0, 0, 0, false,
                    false, false, 0, c.hash(), "/tmp/msg", null, false, Map.of()));
            noDir.startContainer(msg2);
            await().atMost(Duration.ofSeconds(60)).until(() -> noDir.inspectContainer(msg2)
                    .map(s -> s.state() == ContainerStatus.State.EXITED).orElse(false));
            assertThat(noDir.inspectContainer(msg2).orElseThrow().message()).isEqualTo("copied");
            assertThat(noDir.inspectContainer(msg2).orElseThrow().reason()).isEqualTo("Completed");
        }

        ContainerStatus oomStatus = awaitExited(oom);
        assertThat(oomStatus.reason()).isEqualTo("OOMKilled");
    }

    @Test
    void listContainersTracksStateAndSurvivesARestartOfTheRuntime() {
        Sandbox sb = runtime.runSandbox(sandboxSpec("relist-pod", List.of()));
        String id = runtime.createContainer(sb, spec(sb, "worker", List.of(), 0, 4, "sh", "-c",
                "while [ ! -f /tmp/stop ]; do sleep 0.1; done; exit 5"));
        assertThat(runtime.listContainers()).filteredOn(c -> c.id().equals(id)).singleElement()
                .satisfies(c -> assertThat(c.state()).isEqualTo(ContainerStatus.State.CREATED));
        runtime.startContainer(id);
        await().atMost(Duration.ofSeconds(30)).until(() -> runtime.listContainers().stream()
                .anyMatch(c -> c.id().equals(id) && c.running()));

        try (DockerRuntime again = DockerRuntime.connect(node, DockerTestSupport.dockerConfig(pauseTag), cidr)) {
            assertThat(again.listSandboxes()).anyMatch(s -> s.id().equals(sb.id()) && s.ready());
            ContainerStatus c = again.listContainers().stream().filter(s -> s.id().equals(id)).findFirst()
                    .orElseThrow();
            assertThat(c.attempt()).isEqualTo(4);
            assertThat(c.hash()).isEqualTo("hash-worker");
            assertThat(c.containerName()).isEqualTo("worker");
            assertThat(c.podUid()).isEqualTo(sb.podUid());
            assertThat(c.sandboxId()).isEqualTo(sb.id());
            assertThat(c.labels()).containsEntry(RuntimeLabels.TERMINATION_GRACE, "30");
            assertThat(c.imageId()).startsWith("sha256:");
            assertThat(c.running()).isTrue();

            assertThat(again.execSync(id, List.of("touch", "/tmp/stop"), Duration.ofSeconds(10)).exitCode())
                    .isZero();
            await().atMost(Duration.ofSeconds(30)).until(() -> again.listContainers().stream()
                    .anyMatch(s -> s.id().equals(id) && s.state() == ContainerStatus.State.EXITED
                            && s.exitCode() == 5 && "Error".equals(s.reason())));
        }
        // the first runtime's cache sees the change too (its cached entry was "running")
        assertThat(runtime.listContainers()).filteredOn(c -> c.id().equals(id)).singleElement()
                .satisfies(c -> assertThat(c.exitCode()).isEqualTo(5));
        runtime.removeContainer(id);
        assertThat(runtime.listContainers()).noneMatch(c -> c.id().equals(id));
    }

    @Test
    void anotherNodeSeesNoneOfThisNodesObjects() {
        Sandbox sb = runtime.runSandbox(sandboxSpec("mine", List.of()));
        run(sb, "mine", "sleep", "3600");
        String other = DockerTestSupport.uniqueNodeName("it-docker-other");
        try (DockerRuntime otherRuntime = DockerRuntime.connect(other,
                DockerTestSupport.dockerConfig(pauseTag), DockerTestSupport.freePodCidr())) {
            assertThat(otherRuntime.listSandboxes()).isEmpty();
            assertThat(otherRuntime.listContainers()).isEmpty();
        } finally {
            DockerTestSupport.cleanupNode(other);
        }
    }

    @Test
    void aConflictingNetworkIsAClearError() {
        String other = DockerTestSupport.uniqueNodeName("it-docker-clash");
        try {
            assertThatThrownBy(() -> DockerRuntime.connect(other, DockerTestSupport.dockerConfig(pauseTag), cidr))
                    .isInstanceOf(RuntimeOperationException.class).hasMessageContaining("overlaps")
                    .hasMessageContaining(runtime.networkName());
            var cfg = DockerTestSupport.dockerConfig(pauseTag);
            var sameNetwork = new io.kube4j.node.config.NodeAgentProperties.Docker(cfg.host(),
                    runtime.networkName(), cfg.pauseImage(), cfg.busybox(), "");
            assertThatThrownBy(() -> DockerRuntime.connect(other, sameNetwork, DockerTestSupport.freePodCidr()))
                    .isInstanceOf(RuntimeOperationException.class).hasMessageContaining("exists with subnet");
            var nowhere = new io.kube4j.node.config.NodeAgentProperties.Docker("tcp://127.0.0.1:1", "",
                    cfg.pauseImage(), cfg.busybox(), "");
            assertThatThrownBy(() -> DockerRuntime.connect(other, nowhere, DockerTestSupport.freePodCidr()))
                    .isInstanceOf(RuntimeOperationException.class).hasMessageContaining("tcp://127.0.0.1:1");
        } finally {
            DockerTestSupport.cleanupNode(other);
        }
    }

    @Test
    void imagesInspectAndPullFailuresAreClear() {
        assertThat(runtime.inspectImage(busybox)).hasValueSatisfying(i -> {
            assertThat(i.id()).startsWith("sha256:");
            assertThat(i.repoTags()).contains(busybox);
            assertThat(i.sizeBytes()).isPositive();
        });
        assertThat(runtime.inspectImage("kube4j-test/no-such-image:0")).isEmpty();
        assertThatThrownBy(() -> runtime.pullImage("127.0.0.1:1/kube4j-test/no-such-image:0"))
                .isInstanceOf(ImagePullException.class)
                .hasMessageContaining("127.0.0.1:1/kube4j-test/no-such-image:0");
    }

    @Test
    void tmpfsVolumeIsSharedByTheContainersOfAPod() {
        Sandbox sb = runtime.runSandbox(sandboxSpec("tmpfs-pod", List.of()));
        String volume = "kube4j-" + sb.podUid() + "-cache";
        runtime.ensureTmpfsVolume(volume, 16L << 20, sb.podUid());
        runtime.ensureTmpfsVolume(volume, 16L << 20, sb.podUid()); // exists: no error
        var mount = List.of(ContainerSpec.Mount.volume(volume, "/cache", false));
        String writer = runtime.createContainer(sb, spec(sb, "writer", mount, 0, 0, "sh", "-c",
                "echo shared > /cache/file; sleep 3600"));
        String reader = runtime.createContainer(sb, spec(sb, "reader", mount, 0, 0, "sleep", "3600"));
        runtime.startContainer(writer);
        runtime.startContainer(reader);
        await().atMost(Duration.ofSeconds(30)).until(() -> runtime.execSync(reader, List.of("cat", "/cache/file"),
                Duration.ofSeconds(10)).stdoutText().equals("shared\n"));
        String mounts = runtime.execSync(reader, List.of("grep", " /cache ", "/proc/mounts"), Duration.ofSeconds(10))
                .stdoutText();
        assertThat(mounts).startsWith("tmpfs /cache tmpfs").contains("size=16384k");

        runtime.stopContainer(writer, Duration.ZERO);
        runtime.stopContainer(reader, Duration.ZERO);
        runtime.removeContainer(writer);
        runtime.removeContainer(reader);
        runtime.removePodVolumes(sb.podUid());
        runtime.removePodVolumes(sb.podUid());
        assertThatThrownBy(() -> runtime.client().inspectVolumeCmd(volume).exec())
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void statsOfARunningContainer() {
        Sandbox sb = runtime.runSandbox(sandboxSpec("stats-pod", List.of()));
        String id = run(sb, "busy", "sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 3600");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Optional<ContainerStats> s = runtime.stats(id);
            assertThat(s).hasValueSatisfying(st -> {
                assertThat(st.cpuUsageCoreNanoSeconds()).isPositive();
                assertThat(st.memoryUsageBytes()).isPositive();
                assertThat(st.memoryWorkingSetBytes()).isBetween(0L, st.memoryUsageBytes());
                assertThat(st.timestamp()).isNotNull();
            });
        });
        runtime.stopContainer(id, Duration.ZERO);
        assertThat(runtime.stats(id)).isEmpty();
    }

    @Test
    void interactiveExecWithStdinAndTty() throws Exception {
        Sandbox sb = runtime.runSandbox(sandboxSpec("tty-pod", List.of()));
        String id = run(sb, "main", "sleep", "3600");

        // with a tty: what we type is echoed, Ctrl-D ends cat
        PipedOutputStream keyboard = new PipedOutputStream();
        PipedInputStream stdin = new PipedInputStream(keyboard);
        Collecting screen = new Collecting();
        StreamHandle tty = runtime.exec(id, List.of("cat"), new StreamIo(stdin, screen, true, true, true));
        tty.resize(100, 40);
        keyboard.write("hello tty\n".getBytes(StandardCharsets.UTF_8));
        keyboard.flush();
        await().atMost(Duration.ofSeconds(30)).until(() -> screen.out().split("hello tty", -1).length >= 3);
        keyboard.write(4);
        keyboard.flush();
        assertThat(tty.completion()).succeedsWithin(Duration.ofSeconds(30)).isEqualTo(0);
        keyboard.close();

        // without a tty: separate stdout and stderr, the exec's exit code
        PipedOutputStream in = new PipedOutputStream();
        PipedInputStream pin = new PipedInputStream(in);
        Collecting plain = new Collecting();
        StreamHandle h = runtime.exec(id, List.of("sh", "-c", "read line; echo got:$line; echo bad >&2; exit 4"),
                new StreamIo(pin, plain, true, true, false));
        in.write("abc\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
        assertThat(h.completion()).succeedsWithin(Duration.ofSeconds(30)).isEqualTo(4);
        assertThat(plain.out()).isEqualTo("got:abc\n");
        assertThat(plain.err()).isEqualTo("bad\n");
        in.close();

        // without a tty, the end of stdin reaches the process (as `kubectl exec -i ... -- tar x` needs)
        Collecting counted = new Collecting();
        StreamHandle wc = runtime.exec(id, List.of("sh", "-c", "wc -c; exit 6"), new StreamIo(
                new java.io.ByteArrayInputStream(new byte[100_000]), counted, true, true, false));
        assertThat(wc.completion()).succeedsWithin(Duration.ofSeconds(30)).isEqualTo(6);
        assertThat(counted.out().trim()).isEqualTo("100000");
    }

    @Test
    void attachToAContainerWithStdin() throws Exception {
        Sandbox sb = runtime.runSandbox(sandboxSpec("attach-pod", List.of()));
        ContainerSpec base = spec(sb, "repl", List.of(), 0, 0, "sh", "-c", "while read l; do echo echo:$l; done");
        ContainerSpec interactive = new ContainerSpec(base.podUid(), base.podName(), base.namespace(), base.name(),
                base.image(), base.command(), base.args(), base.env(), base.workingDir(), base.mounts(), 0, 0, 0,
                false, true, false, 0, base.hash(), null, null, false, Map.of());
        String id = runtime.createContainer(sb, interactive);
        runtime.startContainer(id);
        PipedOutputStream in = new PipedOutputStream();
        Collecting out = new Collecting();
        StreamHandle h = runtime.attach(id, new StreamIo(new PipedInputStream(in), out, true, true, false));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            in.write("ping\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            assertThat(out.out()).contains("echo:ping");
        });
        h.close();
        assertThat(h.completion()).succeedsWithin(Duration.ofSeconds(10));
        in.close();
        runtime.stopContainer(id, Duration.ZERO);
    }

    @Test
    void aBuiltBusyboxImageRunsItsCommandWithAllApplets() {
        String tag = "kube4j-test/busybox-it:" + node;
        DockerRuntime.buildBusyboxImage(runtime.client(), tag, DockerTestSupport.staticBusybox().orElseThrow(),
                List.of("/bin/sh", "-c", "echo applets=$(ls /bin | wc -l) user=$(whoami) tmp=$(stat -c %a /tmp)"),
                Map.of(DockerRuntime.IMAGE_LABEL, "it"));
        try {
            Sandbox sb = runtime.runSandbox(sandboxSpec("image-pod", List.of()));
            ContainerSpec base = spec(sb, "default-cmd", List.of(), 0, 0);
            ContainerSpec imageCmd = new ContainerSpec(base.podUid(), base.podName(), base.namespace(), base.name(),
                    tag, List.of(), List.of(), List.of(), null, List.of(), 0, 0, 0, false, false, false, 0, "h", null,
                    null, false, Map.of());
            String id = runtime.createContainer(sb, imageCmd);
            runtime.startContainer(id);
            assertThat(awaitExited(id).exitCode()).isZero();
            String out = logsOf(id);
            assertThat(out).contains("user=root", "tmp=1777");
            int applets = Integer.parseInt(out.replaceAll("(?s).*applets=(\\d+).*", "$1"));
            assertThat(applets).isGreaterThan(100);
            runtime.removeContainer(id);
        } finally {
            runtime.client().removeImageCmd(tag).withForce(true).exec();
        }
    }

    @Test
    void infoDescribesEngineAndHost() {
        RuntimeInfo info = runtime.info();
        assertThat(info.runtimeName()).isEqualTo("docker");
        assertThat(info.runtimeVersion()).isNotBlank();
        assertThat(info.apiVersion()).matches("1\\.\\d+");
        assertThat(info.operatingSystem()).isEqualTo("linux");
        assertThat(info.kernelVersion()).isNotBlank();
        assertThat(info.architecture()).isIn("amd64", "arm64");
        assertThat(info.cpus()).isPositive();
        assertThat(info.memoryBytes()).isPositive();
        assertThat(info.storageBytes()).isPositive();
        assertThat(info.cgroupDriver()).isNotBlank();
        assertThat(info.containerRuntimeVersion()).startsWith("docker://");
    }
}
