package io.kube4j.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.node.testsupport.DockerTestSupport;
import io.kube4j.node.testsupport.TestImages;

/**
 * {@code ./kube4j up} then {@code ./kube4j down} leave nothing behind: no pod containers of the node, no
 * {@code kube4j-<node>} network, no cluster process, no {@code KUBE-*} chains when the proxy ran in iptables mode
 * (root without {@code KUBE4J_PROXY_MODE}; set it to userspace where other clusters share the host's netfilter);
 * {@code down --purge} removes the state. The script runs with its own home, ports, node name and HOME (so the
 * user's ~/.kube/config is left alone) and the jars of this build ({@code KUBE4J_NO_BUILD=1}).
 */
class KubeScriptIT {

    private static final Path SCRIPT = Path.of("..", "kube4j").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private LocalClusterProcess ports;
    private Path home;

    @AfterEach
    void down() throws Exception {
        if (home != null && Files.exists(home.resolve("run/cluster.pid"))) {
            script("down");
        }
        if (ports != null) {
            DockerTestSupport.cleanupNode(ports.nodeName);
        }
    }

    @Test
    void upThenDownLeavesNothingBehind() throws Exception {
        Requirements.requireDocker();
        Requirements.requireBinary("etcd");
        Path kubectlBinary = Requirements.requireBinary("kubectl");
        String image = TestImages.busybox();
        home = tmp.resolve("home");
        // free ports, a node name and the cluster CIDR/proxy mode of the environment
        ports = new LocalClusterProcess(home, DockerTestSupport.uniqueNodeName("ks"), List.of());
        String node = ports.nodeName;

        assertThat(script("up", "--nodes", "1")).contains("node " + node + " is ready");
        KubectlRunner kubectl = KubectlRunner.withKubeconfig(kubectlBinary, home.resolve("admin.kubeconfig"), tmp,
                Duration.ofSeconds(60));
        kubectl.kubectl("run", "sleeper", "--image=" + image, "--image-pull-policy=Never", "--", "sleep", "3600").ok();
        kubectl.kubectl("wait", "--for=condition=Ready", "pod/sleeper", "--timeout=120s").ok();
        assertThat(containersOf(node)).isNotEmpty();
        String resolvConf = kubectl.kubectl("exec", "sleeper", "--", "cat", "/etc/resolv.conf").ok().out();
        if ("root".equals(System.getProperty("user.name")) && System.getenv("KUBE4J_PROXY_MODE") == null) {
            assertThat(iptablesMode()).as("the script's proxy mode as root").isTrue();
        }
        if (iptablesMode()) {
            // a ClusterFirst pod asks the cluster DNS through the kube-dns Service (10.96.0.10 DNAT-ed by the proxy
            // to the DNS role on this host); the answer line, not nslookup's "Server: 10.96.0.10"
            assertThat(resolvConf).contains("nameserver 10.96.0.10")
                    .contains("search default.svc.cluster.local svc.cluster.local cluster.local");
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(kubectl.kubectl("exec", "sleeper",
                    "--", "nslookup", "kubernetes.default.svc.cluster.local").ok().out())
                    .containsPattern("(?m)^Address(?: \\d+)?:\\s+10\\.96\\.0\\.1\\s*$"));
        } else {
            assertThat(resolvConf).doesNotContain("10.96.0.10");   // userspace: ClusterIPs unreachable from pods
        }
        long pid = Long.parseLong(Files.readString(home.resolve("run/cluster.pid")).trim());
        boolean iptables = iptablesMode();

        script("down");
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("cluster process").isFalse();
        assertThat(containersOf(node)).as("pod containers of %s", node).isEmpty();
        assertThat(DockerTestSupport.client().listNetworksCmd().withNameFilter("kube4j-" + node).exec()
                .stream().filter(n -> n.getName().equals("kube4j-" + node)).toList()).isEmpty();
        if (iptables) {
            assertThat(run(List.of("iptables-save"), Map.of())).doesNotContain(":KUBE-");
        }
        assertThat(home.resolve("pki")).exists();   // down keeps the state: up brings every object back

        script("down", "--purge");
        assertThat(home.resolve("pki")).doesNotExist();
        assertThat(home.resolve("data")).doesNotExist();
        assertThat(home.resolve("etcd")).doesNotExist();
        assertThat(home.resolve("admin.kubeconfig")).doesNotExist();
    }

    private boolean iptablesMode() throws IOException {
        Path mode = home.resolve("run/proxy-mode");
        return Files.exists(mode) && Files.readString(mode).trim().equals("iptables");
    }

    private static List<?> containersOf(String node) {
        return DockerTestSupport.client().listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of("io.kube4j.node", node)).exec();
    }

    private String script(String... args) throws Exception {
        Map<String, String> env = new java.util.HashMap<>(ports.env);
        env.put("KUBE4J_HOME", home.toString());
        env.put("KUBE4J_ETCD_PORT", Integer.toString(freeEtcdPort()));
        env.put("KUBE4J_NO_BUILD", "1");
        env.put("KUBE4J_CLUSTER_TIMEOUT", "300");   // a loaded CI machine
        if (System.getenv("KUBE4J_PROXY_MODE") == null) {
            env.remove("KUBE4J_PROXY_MODE");   // the script's own choice: iptables for node 0 as root
        }
        env.put("HOME", tmp.toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(SCRIPT.toString());
        cmd.addAll(List.of(args));
        return run(cmd, env);
    }

    private Integer etcdPort;

    /** A client port whose successor (etcd's peer port) is free too; one per test, as the script's etcd keeps it. */
    private int freeEtcdPort() throws IOException {
        while (etcdPort == null) {
            int p = LocalClusterProcess.freePort();
            if (p < 65535) {
                try (java.net.ServerSocket s = new java.net.ServerSocket(p + 1)) {
                    etcdPort = p;
                } catch (IOException busy) {
                    // try another
                }
            }
        }
        return etcdPort;
    }

    private String run(List<String> cmd, Map<String, String> env) throws Exception {
        Path out = Files.createTempFile(tmp, "script", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(6, TimeUnit.MINUTES)).as("%s finished", cmd).isTrue();
        String text = Files.readString(out);
        assertThat(p.exitValue()).as("%s exit code; output:%n%s", cmd, text).isZero();
        return text;
    }
}
