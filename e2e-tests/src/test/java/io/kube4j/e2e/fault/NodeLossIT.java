package io.kube4j.e2e.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.EtcdServer;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.e2e.E2eCluster;
import io.kube4j.node.runtime.docker.DockerRuntime;
import io.kube4j.node.testsupport.DockerTestSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, node loss: two node agents, each its own JVM from the node-agent exec jar, on this host's Docker engine,
 * a private etcd and apiserver, and in this JVM the scheduler and the node lifecycle (short grace period, taint-based
 * eviction), ReplicaSet and Deployment controllers. A Deployment's pods tolerate the not-ready/unreachable NoExecute
 * taints for {@value #TOLERATION_SECONDS} s only. Node agent A is killed with SIGKILL (its containers keep running):
 * A must turn Unknown within the grace period, its pods be deleted after their toleration and replaced by Ready pods
 * on B. While A is down its evicted pods are force-deleted (as {@code kubectl delete --force} would), so when A starts
 * again (same name, same root dir) nothing in the apiserver names its old containers: it must find them by their
 * labels and remove them, and turn Ready again.
 *
 * <p>The Docker engine restarted under a running agent: a third agent on a Docker engine of the test's own
 * ({@link PrivateDockerd}: the shared engine runs other tests' containers and must not be restarted).
 */
class NodeLossIT {

    private static final Duration GRACE = Duration.ofSeconds(8);
    private static final Duration MONITOR = Duration.ofSeconds(1);
    private static final long TOLERATION_SECONDS = 2;
    /** The agents renew their Lease every 2 s (duration 8 s): a quarter of the grace period, as the kubelet's default. */
    private static final Duration LEASE_RENEW = Duration.ofSeconds(2);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Path LOGS = Path.of("target", "node-loss-logs");
    private static final String NS = "node-loss";
    private static final int REPLICAS = 3;

    private static EtcdServer etcd;
    private static ApiServerInstance apiserver;
    private static KubeClient client;
    private static NodeFaults.ControlPlane controlPlane;
    private static Path roots;
    private static final List<ChildJvm> agents = new ArrayList<>();
    private static final List<String> nodeNames = new ArrayList<>();

    @BeforeAll
    static void cluster() throws IOException {
        Requirements.requireDocker();
        etcd = new EtcdServer(); // skips (fails under KUBE4J_REQUIRE_ALL=1) without an etcd binary
        EtcdServer ours = etcd;
        Runtime.getRuntime().addShutdownHook(new Thread(ours::destroy, "node-loss-etcd"));
        etcd.start();
        apiserver = ApiServerInstance.start(etcd.endpoint());
        client = KubeClient.create(ClientConfig.of(apiserver.url()));
        roots = Files.createTempDirectory("node-loss-roots");

        controlPlane = NodeFaults.startControlPlane(client, MONITOR, GRACE, START_TIMEOUT);
    }

    @AfterAll
    static void stopCluster() {
        for (ChildJvm a : agents) {
            a.close();
        }
        for (String n : nodeNames) {
            try {
                DockerTestSupport.cleanupNode(n);
            } catch (RuntimeException e) {
                System.err.println("[NodeLossIT] cleanup of node " + n + ": " + e);
            }
        }
        if (controlPlane != null) {
            controlPlane.close();
        }
        if (client != null) {
            client.close();
        }
        if (apiserver != null) {
            apiserver.close();
        }
        if (etcd != null) {
            etcd.destroy();
        }
        if (roots != null) {
            try (Stream<Path> files = Files.walk(roots)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                System.err.println("[NodeLossIT] removing " + roots + ": " + e);
            }
        }
    }

    /** A node agent JVM: its own node name, pod CIDR, root dir and ports, renewing its Lease every 2 s. */
    private static ChildJvm startAgent(String logName, String node, String podCidr) throws IOException {
        return startAgent(logName, node, podCidr, List.of("--kube4j.node.docker.host=" + DockerTestSupport.dockerHost()));
    }

    private static ChildJvm startAgent(String logName, String node, String podCidr, List<String> extra)
            throws IOException {
        List<String> args = NodeFaults.agentArgs(apiserver.url(), node, podCidr, roots.resolve(node), GRACE,
                LEASE_RENEW);
        args.addAll(extra);
        ChildJvm agent = ChildJvm.start(logName, ChildJvm.execJar("node-agent"), LOGS, args);
        agents.add(agent);
        return agent;
    }

    @Test
    void aLostNodesPodsMoveAndTheNodeCleansUpWhenItComesBack() throws Exception {
        long started = System.nanoTime();
        DockerClient docker = DockerTestSupport.client();
        String image = E2eCluster.webImage(1); // busybox httpd, built locally when missing
        String suffix = Long.toString(System.nanoTime() % 46656, 36);
        String nodeA = "nodeloss-a-" + suffix;
        String nodeB = "nodeloss-b-" + suffix;
        nodeNames.add(nodeA);
        nodeNames.add(nodeB);
        String cidrA = DockerTestSupport.freePodCidr();
        String cidrB = await().atMost(Duration.ofSeconds(10)).until(DockerTestSupport::freePodCidr,
                c -> !c.equals(cidrA));

        ChildJvm agentA = startAgent("node-a", nodeA, cidrA);
        ChildJvm agentB = startAgent("node-b", nodeB, cidrB);
        agentA.awaitReady(START_TIMEOUT);
        agentB.awaitReady(START_TIMEOUT);
        awaitReadyStatus(nodeA, "True", START_TIMEOUT);
        awaitReadyStatus(nodeB, "True", START_TIMEOUT);

        client.resources(io.fabric8.kubernetes.api.model.Namespace.class).create(new NamespaceBuilder()
                .withNewMetadata().withName(NS).endMetadata().build()).block(Duration.ofSeconds(30));
        client.resources(Deployment.class).create(deployment(image)).block(Duration.ofSeconds(30));
        List<Pod> first = await("the " + REPLICAS + " pods Ready on both nodes").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250)).until(NodeLossIT::livePods, pods -> pods.size() == REPLICAS
                        && pods.stream().allMatch(NodeLossIT::ready));
        Set<String> onA = first.stream().filter(p -> nodeA.equals(p.getSpec().getNodeName()))
                .map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
        assertThat(onA).as("pods on node A (spread over both nodes)").isNotEmpty().hasSizeLessThan(REPLICAS);
        assertThat(containersOf(docker, onA)).as("containers of A's pods in Docker").isNotEmpty();

        // 1. kill -9 node agent A: its containers keep running
        long killedAt = System.nanoTime();
        agentA.kill();
        assertThat(containersOf(docker, onA).stream().filter(c -> "running".equals(c.getState())))
                .as("A's containers running after the kill").isNotEmpty();
        awaitReadyStatus(nodeA, "Unknown", GRACE.plusSeconds(30));
        long notReadyMs = msSince(killedAt);
        await("A's pods deleted (NoExecute taint, toleration " + TOLERATION_SECONDS + " s)")
                .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> allPods().stream().filter(p -> onA.contains(p.getMetadata().getUid()))
                        .allMatch(p -> p.getMetadata().getDeletionTimestamp() != null));
        long evictedMs = msSince(killedAt);
        List<Pod> moved = await("replacements Ready on node B").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).until(NodeLossIT::livePods, pods -> pods.size() == REPLICAS
                        && pods.stream().allMatch(p -> ready(p) && nodeB.equals(p.getSpec().getNodeName())));
        long rescheduledMs = msSince(killedAt);
        Node lost = client.resources(Node.class).get(null, nodeA).block(Duration.ofSeconds(10));
        assertThat(lost.getSpec().getTaints()).extracting(Taint::getKey, Taint::getEffect)
                .contains(org.assertj.core.groups.Tuple.tuple("node.kubernetes.io/unreachable", "NoExecute"));
        assertThat(moved).extracting(p -> p.getMetadata().getUid()).doesNotContainAnyElementsOf(onA);

        // the evicted pods are still Terminating (no agent confirms): force-delete them, as an operator would, so
        // nothing in the apiserver tells the returning agent about their containers
        for (Pod p : allPods()) {
            if (onA.contains(p.getMetadata().getUid())) {
                client.resources(Pod.class).delete(NS, p.getMetadata().getName(),
                        new DeleteOptions(0L, null, null, null)).block(Duration.ofSeconds(10));
            }
        }
        await("A's pods gone from the apiserver").atMost(Duration.ofSeconds(30)).until(() -> allPods().stream()
                .noneMatch(p -> onA.contains(p.getMetadata().getUid())));
        List<Container> orphans = containersOf(docker, onA);
        assertThat(orphans).as("containers of A's deleted pods left in Docker while A is down").isNotEmpty();

        // 2. agent A comes back with the same name and root dir
        long restartedAt = System.nanoTime();
        ChildJvm agentA2 = startAgent("node-a-restarted", nodeA, cidrA);
        agentA2.awaitReady(START_TIMEOUT);
        awaitReadyStatus(nodeA, "True", START_TIMEOUT);
        long readyAgainMs = msSince(restartedAt);
        await("the containers of A's deleted pods removed").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250)).until(() -> containersOf(docker, onA).isEmpty());
        long orphansRemovedMs = msSince(restartedAt);
        await("the unreachable taints lifted from A").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250)).until(() -> {
                    Node n = client.resources(Node.class).get(null, nodeA).block(Duration.ofSeconds(10));
                    return n.getSpec().getTaints() == null || n.getSpec().getTaints().stream()
                            .noneMatch(t -> t.getKey().startsWith("node.kubernetes.io/unreachable"));
                });
        // B's pods untouched, the Deployment still whole
        assertThat(livePods()).hasSize(REPLICAS).allMatch(NodeLossIT::ready)
                .extracting(p -> p.getMetadata().getUid())
                .containsExactlyInAnyOrderElementsOf(moved.stream().map(p -> p.getMetadata().getUid()).toList());

        System.out.printf("[NodeLossIT] node NotReady (Unknown) %d ms after kill -9 (grace %d s), pods evicted after"
                        + " %d ms (toleration %d s), %d pod(s) rescheduled Ready on the other node after %d ms;"
                        + " agent Ready %d ms after its restart, %d orphan container(s) removed after %d ms"
                        + " (test %d s)%n", notReadyMs, GRACE.toSeconds(), evictedMs, TOLERATION_SECONDS, onA.size(),
                rescheduledMs, readyAgainMs, orphans.size(), orphansRemovedMs,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
        // grace + the monitor period + requests on a loaded machine
        assertThat(notReadyMs).as("NotReady after the kill (ms)")
                .isLessThanOrEqualTo(GRACE.plus(MONITOR).plusSeconds(5).toMillis());
        assertThat(evictedMs - notReadyMs).as("eviction after NotReady (ms)")
                .isGreaterThanOrEqualTo(TimeUnit.SECONDS.toMillis(TOLERATION_SECONDS) - 500)
                .isLessThanOrEqualTo(TimeUnit.SECONDS.toMillis(TOLERATION_SECONDS) + 8_000);
    }

    /**
     * The Docker engine restarted under a running agent: on an engine of the test's own ({@link PrivateDockerd}; the
     * shared one must not be restarted), node C runs two pods; the engine is stopped (SIGTERM: it stops their
     * containers) and started again. The agent must reconnect, start the pods' sandboxes and containers again and
     * report it: Ready pods whose containers were restarted once more (restartCount, lastState.terminated, a new
     * container ID that runs in the engine), and the node Ready.
     */
    @Test
    void theDockerEngineRestartsUnderARunningAgent() throws Exception {
        long started = System.nanoTime();
        String ns = "engine-restart";
        String node = "nodeloss-c-" + Long.toString(System.nanoTime() % 46656, 36);
        String image = "kube4j-nodeloss/web:1";
        Path busybox = DockerTestSupport.staticBusybox().orElse(null);
        Requirements.require(busybox != null, "no static busybox to build " + image + " (apt-get install busybox-static)");
        try (PrivateDockerd engine = PrivateDockerd.start(LOGS)) {
            DockerRuntime.buildBusyboxImage(engine.client(), image, busybox, List.of("/bin/sh", "-c",
                    "mkdir -p /www && echo engine > /www/index.html && exec httpd -f -p 8080 -h /www"),
                    Map.of(DockerRuntime.IMAGE_LABEL, "nodeloss-web"));
            ChildJvm agent = startAgent("node-c", node, "10.244.1.0/24", List.of(
                    "--kube4j.node.docker.host=" + engine.host(),
                    // only this test's pods (bound by name) run here, not the other test's Deployment
                    "--kube4j.node.taints=kube4j.io/private-engine=true:NoSchedule",
                    // the agent notices the engine's restart and reconnects within a second or two
                    "--kube4j.node.docker.check-period=1s",
                    "--kube4j.node.docker.retry-max=2s"));
            try (agent) {
                agent.awaitReady(START_TIMEOUT);
                awaitReadyStatus(node, "True", START_TIMEOUT);
                client.resources(io.fabric8.kubernetes.api.model.Namespace.class).create(new NamespaceBuilder()
                        .withNewMetadata().withName(ns).endMetadata().build()).block(Duration.ofSeconds(30));
                for (String name : List.of("p1", "p2")) {
                    client.resources(Pod.class).create(new PodBuilder().withNewMetadata().withNamespace(ns)
                            .withName(name).endMetadata().withNewSpec().withNodeName(node)
                            .withTerminationGracePeriodSeconds(1L).addNewContainer().withName("web").withImage(image)
                            .withImagePullPolicy("Never").endContainer().endSpec().build())
                            .block(Duration.ofSeconds(30));
                }
                List<Pod> before = await("both pods Ready on " + node).atMost(Duration.ofSeconds(60))
                        .pollInterval(Duration.ofMillis(200)).until(() -> pods(ns), pods -> pods.size() == 2
                                && pods.stream().allMatch(NodeLossIT::ready));
                Map<String, String> idsBefore = before.stream().collect(Collectors.toMap(p -> p.getMetadata()
                        .getName(), p -> containerId(p)));
                assertThat(idsBefore.values()).allSatisfy(id -> assertThat(running(engine.client(), id)).isTrue());

                // statuses seen from the restart on: the pods must not stay Ready while their containers are down
                Set<String> sawNotReady = java.util.concurrent.ConcurrentHashMap.newKeySet();
                String rv = client.resources(Pod.class).list(ns, ListOptions.all()).block(Duration.ofSeconds(10))
                        .getMetadata().getResourceVersion();
                reactor.core.Disposable watch = client.resources(Pod.class).watch(ns, ListOptions.all(), rv)
                        .subscribe(e -> {
                            if (e.object() != null && e.object().getMetadata() != null && !ready(e.object())) {
                                sawNotReady.add(e.object().getMetadata().getName());
                            }
                        }, err -> System.err.println("[NodeLossIT] pod watch: " + err));
                try {
                    long restartAt = System.nanoTime();
                    engine.restart();
                    long engineBackMs = msSince(restartAt);
                    assertThat(idsBefore.values()).as("the old containers after the engine restart")
                            .allSatisfy(id -> assertThat(running(engine.client(), id)).isFalse());
                    List<Pod> after = await("both pods Ready again with restarted containers")
                            .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                            .until(() -> pods(ns), pods -> pods.size() == 2 && pods.stream().allMatch(p -> ready(p)
                                    && !containerId(p).equals(idsBefore.get(p.getMetadata().getName()))));
                    long podsReadyMs = msSince(restartAt);
                    awaitReadyStatus(node, "True", Duration.ofSeconds(30));
                    for (Pod p : after) {
                        var cs = p.getStatus().getContainerStatuses().get(0);
                        assertThat(cs.getRestartCount()).as(p.getMetadata().getName() + " restartCount")
                                .isGreaterThanOrEqualTo(1);
                        assertThat(cs.getState().getRunning()).as(p.getMetadata().getName() + " state.running")
                                .isNotNull();
                        assertThat(cs.getLastState().getTerminated())
                                .as(p.getMetadata().getName() + " lastState.terminated").isNotNull();
                        assertThat(running(engine.client(), containerId(p)))
                                .as(p.getMetadata().getName() + "'s reported container running in the engine").isTrue();
                        assertThat(p.getStatus().getPodIP()).as(p.getMetadata().getName() + " podIP").isNotBlank();
                    }
                    System.out.printf("[NodeLossIT] Docker engine restarted under a running agent: engine back after"
                            + " %d ms, both pods Ready with restarted containers %d ms after the restart began"
                            + " (restartCounts %s, pods reported NotReady in between: %s; test %d s)%n", engineBackMs,
                            podsReadyMs, after.stream().map(p -> p.getStatus().getContainerStatuses().get(0)
                                    .getRestartCount()).toList(), new java.util.TreeSet<>(sawNotReady),
                            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
                    // the agent cannot write while the engine is down; once it is back it must report what it finds
                    // (dead sandbox and container: NotReady) before the sync that starts them again
                    assertThat(sawNotReady).as("pods reported NotReady between the restart and their recovery")
                            .containsExactlyInAnyOrder("p1", "p2");
                } finally {
                    watch.dispose();
                }
            } finally {
                // gone for good: its going Unknown must not take the node lifecycle's eviction slot (0.1 nodes/s)
                try {
                    client.resources(Node.class).delete(null, node, DeleteOptions.defaults()).block(Duration.ofSeconds(10));
                } catch (RuntimeException e) {
                    System.err.println("[NodeLossIT] deleting node " + node + ": " + e);
                }
            }
        }
    }

    private static List<Pod> pods(String ns) {
        return client.resources(Pod.class).list(ns, ListOptions.all()).block(Duration.ofSeconds(10)).getItems();
    }

    /** The Docker ID of the pod's only container as its status reports it ({@code docker://<id>}), or "". */
    private static String containerId(Pod p) {
        if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null
                || p.getStatus().getContainerStatuses().isEmpty()) {
            return "";
        }
        String id = p.getStatus().getContainerStatuses().get(0).getContainerID();
        return id == null ? "" : id.substring(id.indexOf("://") + 3);
    }

    private static boolean running(DockerClient docker, String id) {
        try {
            return Boolean.TRUE.equals(docker.inspectContainerCmd(id).exec().getState().getRunning());
        } catch (com.github.dockerjava.api.exception.NotFoundException gone) {
            return false;
        }
    }

    private static Deployment deployment(String image) {
        return NodeFaults.webDeployment(NS, REPLICAS, TOLERATION_SECONDS, image);
    }

    private static List<Pod> allPods() {
        return client.resources(Pod.class).list(NS, ListOptions.all()).block(Duration.ofSeconds(10)).getItems();
    }

    /** The Deployment's pods that are not being deleted. */
    private static List<Pod> livePods() {
        return allPods().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    private static boolean ready(Pod p) {
        return NodeFaults.ready(p);
    }

    private static void awaitReadyStatus(String node, String status, Duration timeout) {
        NodeFaults.awaitReadyStatus(client, node, status, timeout);
    }

    private static List<Container> containersOf(DockerClient docker, Set<String> podUids) {
        return NodeFaults.containersOf(docker, podUids);
    }

    private static long msSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }
}
