package io.kube4j.proxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.proxy.exec.CommandRunner;
import io.kube4j.proxy.iptables.IptablesProxier;
import io.kube4j.proxy.model.EndpointInfo;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.model.ServicePortInfo;
import io.kube4j.proxy.model.ServicePortName;
import io.kube4j.proxy.testsupport.PrivateNetns;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * {@code java -jar proxy-agent-exec.jar --cleanup}, the packaged application as {@code ./kube4j down} runs it, inside a
 * network namespace of the test's own after the iptables mode programmed it (and an IPVS-mode ipset was made there):
 * it exits 0, says what it removed, and leaves {@code iptables-save} and {@code ipset list} as before.
 */
class CleanupCommandIT {

    private PrivateNetns netns;

    @AfterEach
    void tearDown() {
        if (netns != null) {
            netns.close();
        }
    }

    @Test
    void cleanupRemovesEverythingAModeProgrammedAndNothingElse() throws Exception {
        Path jar = execJar();
        netns = PrivateNetns.create("cleanup");
        CommandRunner inside = netns.runner();
        inside.run("iptables", "-t", "filter", "-N", "NOT-KUBE").orThrow(); // someone else's chain: must survive
        inside.run("iptables", "-t", "filter", "-A", "INPUT", "-j", "NOT-KUBE").orThrow();
        String baseline = tables(inside);
        Set<String> baselineSets = ipsets(inside);

        ServicePortName web = new ServicePortName("demo", "web", "http", "TCP");
        ProxyState state = new ProxyState(
                new TreeMap<>(Map.of(web, new ServicePortInfo(web, "NodePort", "10.96.0.50", 80, "TCP", 30080,
                        List.of(), List.of(), false, ServicePortInfo.DEFAULT_STICKY_MAX_AGE_SECONDS, false, false, 0))),
                Map.of(web, List.of(new EndpointInfo("10.244.1.2", 8080, true, true, false, "node-a", true),
                        new EndpointInfo("10.244.1.3", 8080, true, true, false, "node-a", true))),
                Set.of("demo/web"), Map.of());
        new IptablesProxier(new IptablesProxier.Config("node-a", "10.244.0.0/16", false, 14, List.of(), true,
                Duration.ofSeconds(30)), inside, new SimpleMeterRegistry()).sync(state, true);
        if (inside.available("ipset")) {
            inside.run("ipset", "create", "KUBE-CLUSTER-IP", "hash:ip,port", "-exist").orThrow();
        }
        assertThat(tables(inside)).contains("KUBE-SERVICES", "10.96.0.50/32").isNotEqualTo(baseline);

        Process p = new ProcessBuilder("ip", "netns", "exec", netns.name(), javaBinary(),
                "-XX:TieredStopAtLevel=1", "-jar", jar.toString(),
                "--cleanup", "--logging.level.root=WARN").redirectErrorStream(true).start();
        p.getOutputStream().close();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        boolean exited = p.waitFor(120, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        String printed = output.get(10, TimeUnit.SECONDS);
        System.out.println("--cleanup printed:\n" + printed);
        assertThat(exited).as("--cleanup exits (output: %s)", printed).isTrue();
        assertThat(p.exitValue()).as("--cleanup exit code (output: %s)", printed).isZero();
        assertThat(printed).contains("removed ", "iptables chains", "nat/KUBE-SERVICES", "cleanup done");

        assertThat(tables(inside)).isEqualTo(baseline);
        assertThat(ipsets(inside)).isEqualTo(baselineSets);
    }

    /** nat and filter as iptables-save prints them, without comments and counters. */
    private static String tables(CommandRunner r) {
        return Stream.of("nat", "filter")
                .map(t -> r.run("iptables-save", "-t", t).orThrow().stdout())
                .flatMap(String::lines)
                .filter(l -> !l.startsWith("#"))
                .map(l -> l.replaceAll("\\[\\d+:\\d+]", "[0:0]"))
                .collect(Collectors.joining("\n"));
    }

    private static Set<String> ipsets(CommandRunner r) {
        if (!r.available("ipset")) {
            return Set.of();
        }
        return r.run("ipset", "list", "-n").orThrow().stdout().lines().collect(Collectors.toSet());
    }

    /** The repackaged application the build made ({@code package} runs before failsafe). */
    private static Path execJar() throws IOException {
        Path target = Path.of("target");
        try (Stream<Path> files = Files.exists(target) ? Files.list(target) : Stream.empty()) {
            Path jar = files.filter(f -> f.getFileName().toString().matches("proxy-agent-.*-exec\\.jar"))
                    .findFirst().orElse(null);
            Requirements.require(jar != null, "no proxy-agent exec jar under " + target.toAbsolutePath()
                    + " (run 'mvn -pl proxy-agent verify', which packages it before the ITs)");
            return jar.toAbsolutePath();
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read the output: " + e.getMessage() + ")";
        }
    }
}
