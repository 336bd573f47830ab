package io.kube4j.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.kube4j.proxy.Proxier;
import io.kube4j.proxy.SyncResult;
import io.kube4j.proxy.exec.RecordingCommandRunner;
import io.kube4j.proxy.model.ProxyState;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

class ProxyCleanupTest {

    private static final ProxyAgentProperties PROPS = new ProxyAgentProperties("", "fail", "node-a", "",
            Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ZERO, false, 14, null, "", null, null, null, true);

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<String> cleaned = new ArrayList<>();

    private ProxyCleanup cleanup(RecordingCommandRunner host, Proxier... modes) {
        ProxierFactory factory = new ProxierFactory(PROPS, host, new SimpleMeterRegistry()) {
            @Override
            public List<Proxier> forCleanup() {
                return List.of(modes);
            }
        };
        return new ProxyCleanup(new ProxyModeSelector(host, r -> { }), factory, host,
                new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    private Proxier mode(String name, RuntimeException failure) {
        return new Proxier() {
            public String mode() {
                return name;
            }

            public SyncResult sync(ProxyState state, boolean full) {
                throw new AssertionError("cleanup must not sync");
            }

            public void cleanup() {
                cleaned.add(name);
                if (failure != null) {
                    throw failure;
                }
            }
        };
    }

    private String printed() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void runsEveryModesCleanupEvenAfterOneFailsAndExitsNonZero() {
        RecordingCommandRunner host = new RecordingCommandRunner().respond("id -u", 0, "0\n", "");
        int code = cleanup(host, mode("iptables", new IllegalStateException("iptables-restore exited 4: locked")),
                mode("ipvs", null), mode("userspace", null)).cleanup();
        assertThat(code).isEqualTo(1);
        assertThat(cleaned).containsExactly("iptables", "ipvs", "userspace");
        assertThat(printed()).contains("cleanup failed: iptables: iptables-restore exited 4: locked")
                .doesNotContain("cleanup done");
    }

    @Test
    void succeedsWithNothingToRemove() {
        RecordingCommandRunner host = new RecordingCommandRunner().respond("id -u", 0, "0\n", "");
        assertThat(cleanup(host, mode("iptables", null)).cleanup()).isZero();
        assertThat(printed()).contains("nothing to remove", "cleanup done (modes iptables)");
    }

    @Test
    void refusesWithoutRoot() {
        RecordingCommandRunner host = new RecordingCommandRunner().respond("id -u", 0, "1000\n", "");
        assertThat(cleanup(host, mode("iptables", null)).cleanup()).isEqualTo(1);
        assertThat(cleaned).isEmpty();
        assertThat(printed()).contains("cleanup failed: removing netfilter rules, IPVS and interfaces needs root, "
                + "but this runs as uid 1000");
    }
}
