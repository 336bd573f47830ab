package io.kube4j.proxy.iptables;

import io.kube4j.proxy.exec.CommandRunner;
import io.kube4j.proxy.testsupport.PrivateNetns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every case of the renderer table, and the golden state, is accepted by the real iptables-restore. */
class IptablesRenderingAppliesIT {

    private static PrivateNetns netns;

    @BeforeAll
    static void createNetns() {
        netns = PrivateNetns.create("iptr");
    }

    @AfterAll
    static void deleteNetns() {
        if (netns != null) {
            netns.close();
        }
    }

    static java.util.stream.Stream<IptablesRendererTest.Case> cases() {
        return IptablesRendererTest.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void appliesForReal(IptablesRendererTest.Case c) {
        apply(IptablesRendererTest.render(c.config().apply(IptablesRendererTest.base()), c.state(), null));
    }

    @Test
    void goldenStateAndLargeClusterModeApplyForReal() {
        apply(IptablesRendererTest.render(IptablesRendererTest.base(), IptablesGoldenTest.mixed(), null));
        apply(IptablesRendererTest.render(IptablesRendererTest.base(), States.many(250, 5), null));
    }

    private static void apply(String text) {
        CommandRunner r = netns.runner();
        // this namespace is the test's own: wipe it between cases
        for (String table : List.of("nat", "filter")) {
            r.run("iptables", "-t", table, "-F").orThrow();
            r.run("iptables", "-t", table, "-X").orThrow();
        }
        CommandRunner.Result res = r.run(List.of("iptables-restore", "-w", "5", "--noflush"),
                text.getBytes(StandardCharsets.US_ASCII), Duration.ofSeconds(60));
        assertThat(res.exitCode()).as(res.stderr() + "\n" + text).isZero();
    }
}
