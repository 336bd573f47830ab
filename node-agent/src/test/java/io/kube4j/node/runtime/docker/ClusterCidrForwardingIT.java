package io.kube4j.node.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import com.github.dockerjava.api.model.Network;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.node.runtime.ContainerSpec;
import io.kube4j.node.runtime.ExecResult;
import io.kube4j.node.runtime.RuntimeLabels;
import io.kube4j.node.runtime.Sandbox;
import io.kube4j.node.runtime.SandboxSpec;
import io.kube4j.node.testsupport.DockerTestSupport;
import io.kube4j.node.testsupport.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link ClusterCidrForwarding} on the real host (root, Docker, iptables; the host's filter table, since the traffic
 * crosses Docker's bridges): two Docker runtimes of two nodes, each with its own bridge network, their pod CIDRs two
 * halves of one cluster CIDR. A pod of node A reaches a pod of node B with the rule and not without it.
 *
 * <p>The cluster CIDR is a random free {@code 10.<246-250>.x.0/23}, not kube4j's {@code 10.244.0.0/16}, so removing
 * this test's rule cannot disturb a running {@code ./kube4j up} on the host (nor its rule make this test pass).
 */
class ClusterCidrForwardingIT {

    private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(10);

    private static String busybox;
    private static String clusterCidr;
    private static String nodeA;
    private static String nodeB;
    private static DockerRuntime runtimeA;
    private static DockerRuntime runtimeB;
    private static final ClusterCidrForwarding FORWARDING = ClusterCidrForwarding.onHost();

    @BeforeAll
    static void twoNodesOnOneHost() {
        Requirements.requireDocker();
        Requirements.requireBinary("iptables");
        Requirements.require(ClusterCidrForwarding.root(), "root is needed to change the host's iptables");
        busybox = TestImages.busybox();
        clusterCidr = freeClusterCidr();
        String[] octets = clusterCidr.split("[./]"); // 10.x.<even y>.0/23: node A gets y, node B y + 1
        String cidrA = "10." + octets[1] + "." + octets[2] + ".0/24";
        String cidrB = "10." + octets[1] + "." + (Integer.parseInt(octets[2]) + 1) + ".0/24";
        nodeA = DockerTestSupport.uniqueNodeName("it-podnet-a");
        nodeB = DockerTestSupport.uniqueNodeName("it-podnet-b");
        assertThat(ClusterCidrForwarding.validate(clusterCidr, cidrA)).isEqualTo(clusterCidr);
        assertThat(ClusterCidrForwarding.validate(clusterCidr, cidrB)).isEqualTo(clusterCidr);
        runtimeA = DockerRuntime.connect(nodeA, DockerTestSupport.dockerConfig(TestImages.pause()), cidrA);
        runtimeB = DockerRuntime.connect(nodeB, DockerTestSupport.dockerConfig(TestImages.pause()), cidrB);
    }

    @AfterAll
    static void cleanup() throws IOException {
        if (clusterCidr != null) {
            removeRule(); // the CIDR is this test's own: the rule was not there before
        }
        for (DockerRuntime r : new DockerRuntime[] {runtimeA, runtimeB}) {
            if (r != null) {
                r.close();
            }
        }
        for (String n : new String[] {nodeA, nodeB}) {
            if (n != null) {
                DockerTestSupport.cleanupNode(n);
            }
        }
    }

    @Test
    void podsOnTwoNodesOfOneHostReachEachOtherThroughTheRuleAndOnlyThroughIt() throws Exception {
        // Docker consults DOCKER-USER before its isolation chains: an ACCEPT there wins
        String forward = iptables("-S", "FORWARD");
        assertThat(forward.indexOf("-A FORWARD -j DOCKER-USER")).as(forward).isNotNegative()
                .isLessThan(forward.indexOf("-A FORWARD -j DOCKER-ISOLATION-STAGE-1"));

        Sandbox server = runtimeB.runSandbox(sandboxSpec("server"));
        run(runtimeB, server, "httpd", "sh", "-c", "echo hello-from-b > /tmp/index.html; exec httpd -f -p 8080 -h /tmp");
        Sandbox client = runtimeA.runSandbox(sandboxSpec("client"));
        String clientContainer = run(runtimeA, client, "client", "sleep", "3600");
        assertThat(server.ip()).isNotNull();

        assertThat(FORWARDING.ensure(clusterCidr)).isEqualTo(ClusterCidrForwarding.Outcome.ADDED);
        assertThat(ruleCount()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(
                () -> assertThat(connect(clientContainer, server.ip())).as("A -> B with the rule").isTrue());

        removeRule();
        assertThat(ruleCount()).isZero();
        assertThat(connect(clientContainer, server.ip())).as("A -> B without the rule (Docker's isolation)").isFalse();

        // several agents of the host at once: exactly one of them inserts it, no duplicate
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<ClusterCidrForwarding.Outcome>> outcomes = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                outcomes.add(pool.submit(() -> FORWARDING.ensure(clusterCidr)));
            }
            List<ClusterCidrForwarding.Outcome> got = new ArrayList<>();
            for (Future<ClusterCidrForwarding.Outcome> f : outcomes) {
                got.add(f.get(30, TimeUnit.SECONDS));
            }
            assertThat(got).containsExactlyInAnyOrder(ClusterCidrForwarding.Outcome.ADDED,
                    ClusterCidrForwarding.Outcome.PRESENT, ClusterCidrForwarding.Outcome.PRESENT,
                    ClusterCidrForwarding.Outcome.PRESENT);
        } finally {
            pool.shutdownNow();
        }
        assertThat(ruleCount()).isEqualTo(1);
        assertThat(connect(clientContainer, server.ip())).as("A -> B with the rule restored").isTrue();
    }

    /** A GET from the client container to the server's httpd ({@code nc -w 2}: this busybox's nc has no -z). */
    private static boolean connect(String container, String ip) {
        ExecResult r = runtimeA.execSync(container, List.of("sh", "-c",
                "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 " + ip + " 8080"), EXEC_TIMEOUT);
        return !r.timedOut() && r.exitCode() == 0
                && new String(r.stdout(), StandardCharsets.UTF_8).contains("hello-from-b");
    }

    private static int ruleCount() throws IOException {
        String comment = "--comment \"" + ClusterCidrForwarding.COMMENT + "\"";
        return (int) iptables("-S", ClusterCidrForwarding.CHAIN).lines()
                .filter(l -> l.contains("-s " + clusterCidr + " -d " + clusterCidr) && l.contains(comment)).count();
    }

    private static void removeRule() throws IOException {
        List<String> rule = ClusterCidrForwarding.ruleSpec(clusterCidr);
        for (int i = 0; i < 10 && exec(ClusterCidrForwarding.iptables("-C", rule)).exitCode() == 0; i++) {
            ClusterCidrForwarding.Result r = exec(ClusterCidrForwarding.iptables("-D", rule));
            assertThat(r.exitCode()).as(r.stderr()).isZero();
        }
    }

    private static String iptables(String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of("iptables", "-w", "5", "-t", "filter"));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private static ClusterCidrForwarding.Result exec(List<String> argv) throws IOException {
        return ClusterCidrForwarding.processRunner(Duration.ofSeconds(15)).run(argv);
    }

    /** A random {@code 10.<246-250>.<even>.0/23} that overlaps no Docker network and has no DOCKER-USER rule. */
    private static String freeClusterCidr() {
        List<DockerSpecs.Cidr> taken = new ArrayList<>();
        for (Network n : DockerTestSupport.client().listNetworksCmd().exec()) {
            if (n.getIpam() != null && n.getIpam().getConfig() != null) {
                for (Network.Ipam.Config c : n.getIpam().getConfig()) {
                    try {
                        taken.add(DockerSpecs.Cidr.parse(c.getSubnet()));
                    } catch (IllegalArgumentException e) {
                        // IPv6 or none
                    }
                }
            }
        }
        for (int i = 0; i < 200; i++) {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            String cidr = "10." + rnd.nextInt(246, 251) + "." + 2 * rnd.nextInt(0, 128) + ".0/23";
            DockerSpecs.Cidr c = DockerSpecs.Cidr.parse(cidr);
            if (taken.stream().noneMatch(c::overlaps)) {
                return cidr;
            }
        }
        throw new IllegalStateException("no free /23 in 10.246-250.0.0 for the test's cluster CIDR");
    }

    private static SandboxSpec sandboxSpec(String pod) {
        return new SandboxSpec(UUID.randomUUID().toString(), pod, "default", 0, pod, false, List.of(),
                List.of(), List.of(), List.of(), Map.of("app", pod));
    }

    private static String run(DockerRuntime runtime, Sandbox sb, String name, String... command) {
        ContainerSpec spec = new ContainerSpec(sb.podUid(), sb.podName(), sb.namespace(), name, busybox,
                List.of(command), List.of(), List.of(), "/tmp", List.of(), 100, 500, 0, false, false, false, 0,
                "hash-" + name, null, null, false, Map.of(RuntimeLabels.TERMINATION_GRACE, "1"));
        String id = runtime.createContainer(sb, spec);
        runtime.startContainer(id);
        return id;
    }
}
