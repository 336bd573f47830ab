package io.kube4j.e2e.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.EtcdServer;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.e2e.E2eCluster;
import io.kube4j.node.runtime.RuntimeLabels;
import io.kube4j.node.testsupport.DockerTestSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, network: a node agent cut off from the apiserver. Agent A (its exec jar) runs in a network namespace of
 * the test's own ({@link Netns}) and reaches the apiserver only through the namespace's veth pair (the apiserver
 * listens on the host's end); its pods run on this host's Docker engine through the unix socket, which works across
 * namespaces. Agent B runs on the host. The scheduler and the node lifecycle (grace period {@value #GRACE_S} s),
 * ReplicaSet and Deployment controllers run in this JVM, and a Deployment's pods tolerate the NoExecute taints for
 * {@value #TOLERATION_SECONDS} s. The host's end of the pair goes down: A must turn Unknown within the grace period,
 * its pods be evicted after their toleration and replaced on B while A's containers keep running (A cannot know).
 * The link comes back: the same agent process (no restart) reconnects, removes the containers of the pods that
 * moved and completes their deletion, and A is Ready again; from then on Docker runs exactly one container per pod
 * of the Deployment, and exactly its replicas.
 */
class NodePartitionIT {

    private static final String TAG = "[NodePartitionIT]";
    private static final long GRACE_S = 8;
    private static final Duration GRACE = Duration.ofSeconds(GRACE_S);
    private static final Duration MONITOR = Duration.ofSeconds(1);
    private static final long TOLERATION_SECONDS = 2;
    private static final Duration LEASE_RENEW = Duration.ofSeconds(2);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Path LOGS = Path.of("target", "node-partition-logs");
    private static final String NS = "node-partition";
    private static final int REPLICAS = 4;

    private static final Cleanups cleanups = new Cleanups(TAG);

    @AfterAll
    static void cleanUp() {
        cleanups.closeAll();
    }

    @Test
    void aPartitionedNodesPodsMoveAndTheAgentCleansUpWhenTheLinkComesBack() throws Exception {
        Requirements.require("root".equals(System.getProperty("user.name")),
                "network namespaces need root (running as " + System.getProperty("user.name") + ")");
        Requirements.requireBinary("ip");
        Requirements.requireDocker();
        long t0 = System.nanoTime();
        EtcdServer etcd = new EtcdServer(); // skips (fails under KUBE4J_REQUIRE_ALL=1) without an etcd binary
        cleanups.add(etcd::destroy);
        Runtime.getRuntime().addShutdownHook(new Thread(etcd::destroy, "node-partition-etcd"));
        Netns netns = Netns.create("kube4j-part", "k4n");
        cleanups.add(netns);
        Path roots = Files.createTempDirectory("node-partition-roots");
        cleanups.add(() -> deleteTree(roots));

        etcd.start();
        // on the host's end of the pair only: agent A reaches it through the link, the rest of this host locally
        ApiServerInstance apiserver = ApiServerInstance.start(etcd.endpoint(), "server.address=" + netns.hostIp);
        cleanups.add(apiserver);
        String url = "http://" + netns.hostIp + ":" + apiserver.port();
        KubeClient client = KubeClient.create(ClientConfig.of(url).withRequestTimeout(Duration.ofSeconds(10)));
        cleanups.add(client::close);
        cleanups.add(NodeFaults.startControlPlane(client, MONITOR, GRACE, START_TIMEOUT));

        DockerClient docker = DockerTestSupport.client();
        String image = E2eCluster.webImage(1); // busybox httpd, built locally when missing
        String suffix = Long.toString(System.nanoTime() % 46656, 36);
        String nodeA = "partition-a-" + suffix;
        String nodeB = "partition-b-" + suffix;
        cleanups.add(() -> DockerTestSupport.cleanupNode(nodeA));
        cleanups.add(() -> DockerTestSupport.cleanupNode(nodeB));
        String cidrA = DockerTestSupport.freePodCidr();
        String cidrB = await().atMost(Duration.ofSeconds(10)).until(DockerTestSupport::freePodCidr,
                c -> !c.equals(cidrA));
        Path jar = ChildJvm.execJar("node-agent");
        String dockerHost = "--kube4j.node.docker.host=" + DockerTestSupport.dockerHost();
        List<String> argsA = NodeFaults.agentArgs(url, nodeA, cidrA, roots.resolve(nodeA), GRACE, LEASE_RENEW);
        argsA.add(dockerHost);
        ChildJvm agentA = ChildJvm.start("node-a", netns.prefix(), netns.nsIp, jar, LOGS, argsA);
        cleanups.add(agentA);
        List<String> argsB = NodeFaults.agentArgs(url, nodeB, cidrB, roots.resolve(nodeB), GRACE, LEASE_RENEW);
        argsB.add(dockerHost);
        ChildJvm agentB = ChildJvm.start("node-b", jar, LOGS, argsB);
        cleanups.add(agentB);
        long pidA = agentA.pid();
        agentA.awaitReady(START_TIMEOUT);
        agentB.awaitReady(START_TIMEOUT);
        NodeFaults.awaitReadyStatus(client, nodeA, "True", START_TIMEOUT);
        NodeFaults.awaitReadyStatus(client, nodeB, "True", START_TIMEOUT);

        client.resources(io.fabric8.kubernetes.api.model.Namespace.class).create(new NamespaceBuilder()
                .withNewMetadata().withName(NS).endMetadata().build()).block(Duration.ofSeconds(30));
        client.resources(Deployment.class).create(deployment(image)).block(Duration.ofSeconds(30));
        List<Pod> first = await("the " + REPLICAS + " pods Ready on both nodes").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(250)).until(() -> livePods(client), pods -> pods.size() == REPLICAS
                        && pods.stream().allMatch(NodeFaults::ready));
        Set<String> onA = uids(first.stream().filter(p -> nodeA.equals(p.getSpec().getNodeName())));
        assertThat(onA).as("pods on node A (spread over both nodes)").isNotEmpty().hasSizeLessThan(REPLICAS);
        long setUpS = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);

        // the Deployment's running containers in Docker, sampled all along: the most seen in each phase
        ContainerSampler sampler = new ContainerSampler(docker, Set.of(nodeA, nodeB));
        cleanups.add(sampler);
        sampler.sample(); // one before the cut, in this thread
        sampler.start();

        // 1. the link down: A's agent is cut off, its containers keep running
        sampler.phase.set(ContainerSampler.PARTITIONED);
        long cutAt = System.nanoTime();
        netns.linkDown();
        NodeFaults.awaitReadyStatus(client, nodeA, "Unknown", GRACE.plusSeconds(30));
        long notReadyMs = msSince(cutAt);
        await("A's pods deleted (NoExecute taint, toleration " + TOLERATION_SECONDS + " s)")
                .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> allPods(client).stream().filter(p -> onA.contains(p.getMetadata().getUid()))
                        .allMatch(p -> p.getMetadata().getDeletionTimestamp() != null));
        long evictedMs = msSince(cutAt);
        List<Pod> moved = await("replacements Ready on node B").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).until(() -> livePods(client), pods -> pods.size() == REPLICAS
                        && pods.stream().allMatch(p -> NodeFaults.ready(p) && nodeB.equals(p.getSpec().getNodeName())));
        long rescheduledMs = msSince(cutAt);
        Node lost = client.resources(Node.class).get(null, nodeA).block(Duration.ofSeconds(10));
        assertThat(lost.getSpec().getTaints()).extracting(Taint::getKey, Taint::getEffect)
                .contains(org.assertj.core.groups.Tuple.tuple("node.kubernetes.io/unreachable", "NoExecute"));
        // the evicted pods wait for their node to confirm; their containers still run: A cannot have heard
        assertThat(allPods(client)).filteredOn(p -> onA.contains(p.getMetadata().getUid())).hasSize(onA.size());
        assertThat(NodeFaults.containersOf(docker, onA).stream().filter(c -> "running".equals(c.getState())))
                .as("A's containers while A is cut off").isNotEmpty();

        // 2. the link back: the same agent reconnects by itself
        long restoredAt = System.nanoTime();
        netns.linkUp();
        NodeFaults.awaitReadyStatus(client, nodeA, "True", Duration.ofSeconds(60));
        long readyAgainMs = msSince(restoredAt);
        await("the evicted pods' containers removed and their deletion completed").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200)).until(() -> NodeFaults.containersOf(docker, onA).stream()
                        .noneMatch(c -> "running".equals(c.getState())) && allPods(client).stream()
                        .noneMatch(p -> onA.contains(p.getMetadata().getUid())));
        long cleanedMs = msSince(restoredAt);
        await("the unreachable taints lifted from A").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(250)).until(() -> {
                    Node n = client.resources(Node.class).get(null, nodeA).block(Duration.ofSeconds(10));
                    return n.getSpec().getTaints() == null || n.getSpec().getTaints().stream()
                            .noneMatch(t -> t.getKey().startsWith("node.kubernetes.io/unreachable"));
                });
        long recoveredMs = msSince(restoredAt);

        // converged: exactly the replicas, each with one running container, and it stays so
        sampler.phase.set(ContainerSampler.CONVERGED);
        await("exactly " + REPLICAS + " pods with one running container each, held for 3 s")
                .atMost(Duration.ofSeconds(30)).during(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    List<Pod> pods = allPods(client);
                    Map<String, Long> perPod = sampler.runningPerPod();
                    Set<String> uids = uids(pods.stream());
                    return pods.size() == REPLICAS && pods.stream().allMatch(p -> NodeFaults.ready(p)
                            && p.getMetadata().getDeletionTimestamp() == null)
                            && perPod.keySet().equals(uids) && perPod.values().stream().allMatch(n -> n == 1);
                });
        sampler.close();

        System.out.printf("%s set-up %d s; link down: node A Unknown after %d ms (grace %d s), its %d pod(s) evicted"
                        + " after %d ms (toleration %d s) and Ready on B after %d ms; link up: A Ready after %d ms,"
                        + " the moved pods' containers removed and deletions completed after %d ms, taints lifted"
                        + " after %d ms; running containers of the Deployment at most %d before, %d while cut off,"
                        + " %d after convergence (replicas %d); agent restarted: %s (test %d s)%n", TAG, setUpS,
                notReadyMs, GRACE_S, onA.size(), evictedMs, TOLERATION_SECONDS, rescheduledMs, readyAgainMs,
                cleanedMs, recoveredMs, sampler.max.get(ContainerSampler.BEFORE),
                sampler.max.get(ContainerSampler.PARTITIONED), sampler.max.get(ContainerSampler.CONVERGED), REPLICAS,
                agentA.pid() != pidA || !agentA.isAlive(), TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));
        assertThat(agentA.isAlive()).as("agent A never restarted").isTrue();
        assertThat(agentA.pid()).isEqualTo(pidA);
        assertThat(sampler.errors).as("Docker sampling errors").isEmpty();
        assertThat(sampler.max.get(ContainerSampler.CONVERGED)).as("running containers after convergence")
                .isEqualTo(REPLICAS);
        assertThat(sampler.max.get(ContainerSampler.PARTITIONED)).as("running containers while cut off")
                .isLessThanOrEqualTo(REPLICAS + onA.size());
        assertThat(allPods(client)).extracting(p -> p.getMetadata().getUid())
                .containsExactlyInAnyOrderElementsOf(uids(moved.stream()));
        assertThat(notReadyMs).as("NotReady after the link went down (ms)")
                .isLessThanOrEqualTo(GRACE.plus(MONITOR).plusSeconds(5).toMillis());
        assertThat(evictedMs - notReadyMs).as("eviction after NotReady (ms)")
                .isGreaterThanOrEqualTo(TimeUnit.SECONDS.toMillis(TOLERATION_SECONDS) - 500)
                .isLessThanOrEqualTo(TimeUnit.SECONDS.toMillis(TOLERATION_SECONDS) + 8_000);
    }

    private static Deployment deployment(String image) {
        return NodeFaults.webDeployment(NS, REPLICAS, TOLERATION_SECONDS, image);
    }

    private static List<Pod> allPods(KubeClient client) {
        return client.resources(Pod.class).list(NS, ListOptions.all()).block(Duration.ofSeconds(10)).getItems();
    }

    private static List<Pod> livePods(KubeClient client) {
        return allPods(client).stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    private static Set<String> uids(Stream<Pod> pods) {
        return pods.map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
    }

    private static long msSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    /**
     * Counts the Deployment's running app containers (sandboxes left out) in Docker every 200 ms and keeps the
     * most seen per phase.
     */
    private static final class ContainerSampler implements AutoCloseable {
        static final int BEFORE = 0;
        static final int PARTITIONED = 1;
        static final int CONVERGED = 2;

        final DockerClient docker;
        final Set<String> nodes;
        final AtomicInteger phase = new AtomicInteger(BEFORE);
        final AtomicIntegerArray max = new AtomicIntegerArray(3);
        final List<String> errors = new CopyOnWriteArrayList<>();
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "node-partition-sampler");
            t.setDaemon(true);
            return t;
        });

        ContainerSampler(DockerClient docker, Set<String> nodes) {
            this.docker = docker;
            this.nodes = nodes;
        }

        void start() {
            timer.scheduleWithFixedDelay(this::sample, 0, 200, TimeUnit.MILLISECONDS);
        }

        void sample() {
            try {
                int p = phase.get();
                int n = (int) runningPerPod().values().stream().mapToLong(Long::longValue).sum();
                max.accumulateAndGet(p, n, Math::max);
            } catch (RuntimeException e) {
                errors.add(e.toString());
            }
        }

        /** Running app containers of the namespace's pods on these nodes, per pod UID. */
        Map<String, Long> runningPerPod() {
            List<Container> running = docker.listContainersCmd().withShowAll(false)
                    .withLabelFilter(Map.of(RuntimeLabels.POD_NAMESPACE, NS)).exec();
            return running.stream().filter(c -> c.getLabels() != null
                            && nodes.contains(c.getLabels().get(RuntimeLabels.NODE))
                            && RuntimeLabels.TYPE_CONTAINER.equals(c.getLabels().get(RuntimeLabels.CONTAINER_TYPE)))
                    .collect(Collectors.groupingBy(c -> c.getLabels().get(RuntimeLabels.POD_UID),
                            Collectors.counting()));
        }

        @Override
        public void close() throws InterruptedException {
            timer.shutdownNow();
            timer.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
