package io.kube4j.node.runtime.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.kube4j.node.config.NodeAgentProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class ClusterCidrForwardingTest {

    private static final String CIDR = "10.244.0.0/16";
    private static final List<String> RULE = List.of("-s", CIDR, "-d", CIDR, "-m", "comment", "--comment",
            "kube4j: pod-to-pod traffic across nodes", "-j", "ACCEPT");
    private static final List<String> PREFIX = List.of("iptables", "-w", "5", "-t", "filter");

    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(ClusterCidrForwarding.class);

    @BeforeEach
    void captureLogs() {
        logs.start();
        logger.addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        logger.detachAppender(logs);
    }

    /** Records each argv and answers from a script, in order; running past the script fails the test. */
    private static final class Recording implements ClusterCidrForwarding.Runner {
        final List<List<String>> calls = new ArrayList<>();
        final Deque<Object> answers = new ArrayDeque<>();

        Recording answer(int exit, String stderr) {
            answers.add(new ClusterCidrForwarding.Result(exit, stderr));
            return this;
        }

        Recording fail(IOException e) {
            answers.add(e);
            return this;
        }

        @Override
        public ClusterCidrForwarding.Result run(List<String> argv) throws IOException {
            calls.add(List.copyOf(argv));
            Object a = answers.poll();
            if (a == null) {
                throw new AssertionError("unexpected command " + argv);
            }
            if (a instanceof IOException e) {
                throw e;
            }
            return (ClusterCidrForwarding.Result) a;
        }
    }

    private static List<String> cmd(String op, List<String> rule) {
        List<String> argv = new ArrayList<>(PREFIX);
        argv.add(op);
        argv.add("DOCKER-USER");
        argv.addAll(rule);
        return argv;
    }

    private static final List<String> CHECK = cmd("-C", RULE);
    private static final List<String> CREATE = cmd("-N", List.of());
    private static final List<String> INSERT = cmd("-I", RULE);

    static Stream<Arguments> sequences() {
        return Stream.of(
                Arguments.of("already present: nothing added", new Recording().answer(0, ""),
                        List.of(CHECK), ClusterCidrForwarding.Outcome.PRESENT, null),
                Arguments.of("missing, chain made here: inserted",
                        new Recording().answer(1, "iptables: Bad rule (does a matching rule exist in that chain?).")
                                .answer(0, "").answer(0, ""),
                        List.of(CHECK, CREATE, INSERT), ClusterCidrForwarding.Outcome.ADDED, null),
                Arguments.of("missing, Docker's chain exists: inserted",
                        new Recording().answer(1, "iptables: Bad rule").answer(1, "iptables: Chain already exists.")
                                .answer(0, ""),
                        List.of(CHECK, CREATE, INSERT), ClusterCidrForwarding.Outcome.ADDED, null),
                Arguments.of("check refused (not root): warning, nothing more",
                        new Recording().answer(4, "iptables v1.8.9 (nf_tables): Could not fetch rule set generation"
                                + " id: Permission denied (you must be root)"),
                        List.of(CHECK), ClusterCidrForwarding.Outcome.FAILED, "Permission denied (you must be root)"),
                Arguments.of("chain cannot be made: warning, no insert",
                        new Recording().answer(1, "iptables: Bad rule").answer(4, "iptables: Operation not permitted."),
                        List.of(CHECK, CREATE), ClusterCidrForwarding.Outcome.FAILED, "Operation not permitted"),
                Arguments.of("insert fails: warning",
                        new Recording().answer(1, "iptables: Bad rule").answer(1, "iptables: Chain already exists.")
                                .answer(2, "Couldn't load match `comment':No such file or directory"),
                        List.of(CHECK, CREATE, INSERT), ClusterCidrForwarding.Outcome.FAILED,
                        "Couldn't load match `comment'"),
                Arguments.of("iptables missing: warning",
                        new Recording().fail(new IOException("Cannot run program \"iptables\": error=2")),
                        List.of(CHECK), ClusterCidrForwarding.Outcome.FAILED, "Cannot run program"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sequences")
    void ensureRunsTheRuleCommandSequence(String name, Recording runner, List<List<String>> expected,
                                          ClusterCidrForwarding.Outcome outcome, String warning) {
        ClusterCidrForwarding f = new ClusterCidrForwarding(runner, dir.resolve("lock"));

        assertThat(f.ensure(CIDR)).isEqualTo(outcome);

        assertThat(runner.calls).containsExactlyElementsOf(expected);
        assertThat(runner.answers).as("every scripted answer used").isEmpty();
        List<ILoggingEvent> warnings = logs.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
        if (warning == null) {
            assertThat(warnings).isEmpty();
        } else {
            assertThat(warnings).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                    .contains(ClusterCidrForwarding.shell(expected.get(expected.size() - 1)))
                    .contains(warning));
        }
    }

    @Test
    void withoutALockFileOnlyThisJvmIsSerialised() {
        Recording runner = new Recording().answer(0, "");
        assertThat(new ClusterCidrForwarding(runner, null).ensure(CIDR))
                .isEqualTo(ClusterCidrForwarding.Outcome.PRESENT);
    }

    @Test
    void anUnusableLockFileIsAWarningNotAnException() {
        Recording runner = new Recording();
        ClusterCidrForwarding f = new ClusterCidrForwarding(runner, dir.resolve("no/such/dir/lock"));

        assertThat(f.ensure(CIDR)).isEqualTo(ClusterCidrForwarding.Outcome.FAILED);
        assertThat(runner.calls).isEmpty();
        assertThat(logs.list).anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).contains("no/such/dir/lock");
        });
    }

    @ParameterizedTest
    @CsvSource({
            "10.244.0.0/16, 10.244.1.0/24, 10.244.0.0/16",
            "' 10.244.0.0/16 ', 10.244.255.0/24, 10.244.0.0/16",
            "10.244.3.7/16, 10.244.1.0/24, 10.244.0.0/16",
            "10.244.1.0/24, 10.244.1.0/24, 10.244.1.0/24",
            "0.0.0.0/0, 192.168.5.0/24, 0.0.0.0/0"})
    void aClusterCidrContainingThePodCidrIsAccepted(String cluster, String pod, String normalised) {
        assertThat(ClusterCidrForwarding.validate(cluster, pod)).isEqualTo(normalised);
    }

    @ParameterizedTest
    @CsvSource({
            "10.245.0.0/16, 10.244.1.0/24, does not contain the pod CIDR 10.244.1.0/24",
            "10.244.1.0/25, 10.244.1.0/24, does not contain the pod CIDR 10.244.1.0/24",
            "10.244.0.0, 10.244.1.0/24, is not a CIDR",
            "10.244.0.0/33, 10.244.1.0/24, is not an IPv4 CIDR",
            "fd00::/8, 10.244.1.0/24, is not an IPv4 CIDR"})
    void anyOtherClusterCidrIsAClearError(String cluster, String pod, String message) {
        assertThatThrownBy(() -> ClusterCidrForwarding.validate(cluster, pod))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kube4j.node.cluster-cidr")
                .hasMessageContaining(message);
    }

    @Test
    void commandsAreLoggedAsTheyWouldBeTyped() {
        assertThat(ClusterCidrForwarding.shell(cmd("-C", RULE)))
                .isEqualTo("iptables -w 5 -t filter -C DOCKER-USER -s 10.244.0.0/16 -d 10.244.0.0/16 -m comment"
                        + " --comment 'kube4j: pod-to-pod traffic across nodes' -j ACCEPT");
        assertThat(ClusterCidrForwarding.shell(List.of("echo", "it's", ""))).isEqualTo("echo 'it'\\''s' ''");
    }

    @Test
    void theSettingBindsAsKube4jNodeClusterCidrAndIsOffByDefault() {
        java.util.function.Function<Map<String, String>, NodeAgentProperties> bind = m -> new Binder(
                new MapConfigurationPropertySource(m)).bindOrCreate("kube4j.node", NodeAgentProperties.class);

        assertThat(bind.apply(Map.of()).clusterCidr()).isEmpty();
        NodeAgentProperties props = bind.apply(Map.of("kube4j.node.cluster-cidr", CIDR,
                "kube4j.node.pod-cidr", "10.244.2.0/24"));
        assertThat(props.clusterCidr()).isEqualTo(CIDR);
        assertThat(props.withIdentity("n", "10.244.3.0/24", "/tmp/x").clusterCidr()).isEqualTo(CIDR);
        assertThat(props.withRuntime("hollow").clusterCidr()).isEqualTo(CIDR);
    }

    @ParameterizedTest
    @CsvSource({"unix:///var/run/docker.sock, true", "tcp://127.0.0.1:2375, false", "ssh://host, false"})
    void onlyAUnixSocketIsALocalEngine(String host, boolean local) {
        assertThat(ClusterCidrForwarding.localEngine(host)).isEqualTo(local);
    }
}
