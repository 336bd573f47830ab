package io.kube4j.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.kube4j.proxy.exec.RecordingCommandRunner;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Mode selection as the application does it at start-up: properties bound by Spring, the host faked by a
 * {@link RecordingCommandRunner} (its uid from {@code id -u}, which tools are installed) and an IPVS check that
 * passes or fails.
 */
class ProxyModeSelectorTest {

    private static final String ALL_TOOLS = "iptables iptables-save iptables-restore";

    /**
     * @param mode      kube4j.proxy.mode
     * @param fallback  kube4j.proxy.ipvs-fallback
     * @param uid       what {@code id -u} prints
     * @param tools     installed commands (space-separated)
     * @param ipvs      whether the IPVS check passes
     * @param expected  the selected mode, or {@code FAIL: <message part>}
     * @param redirect  for userspace: whether iptables redirects to the proxies
     * @param userspaceRedirect kube4j.proxy.userspace.redirect (absent: automatic)
     */
    @ParameterizedTest(name = "mode={0} fallback={1} uid={2} tools=[{3}] ipvs={4} -> {5}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "''        | fail     | 0    | " + ALL_TOOLS + "             | false | iptables  | false | -",
        "''        | fail     | 1000 | " + ALL_TOOLS + "             | false | userspace | false | -",
        "''        | fail     | 0    | iptables iptables-save        | false | userspace | false | -",
        "iptables  | fail     | 0    | " + ALL_TOOLS + "             | false | iptables  | false | -",
        "iptables  | fail     | 1000 | " + ALL_TOOLS + "             | false | FAIL: kube4j.proxy.mode=iptables programs netfilter and needs root, but the agent runs as uid 1000 | false | -",
        "iptables  | fail     | 0    | iptables iptables-save        | false | FAIL: kube4j.proxy.mode=iptables needs iptables-restore, which is not installed | false | -",
        "ipvs      | fail     | 0    | " + ALL_TOOLS + "             | true  | ipvs      | false | -",
        "ipvs      | fail     | 0    | " + ALL_TOOLS + "             | false | FAIL: kube4j.proxy.mode=ipvs: no ip_vs in this kernel (set kube4j.proxy.ipvs-fallback=iptables to fall back, or kube4j.proxy.mode=iptables) | false | -",
        "ipvs      | iptables | 0    | " + ALL_TOOLS + "             | false | iptables  | false | -",
        "ipvs      | iptables | 0    | " + ALL_TOOLS + "             | true  | ipvs      | false | -",
        "ipvs      | iptables | 1000 | " + ALL_TOOLS + "             | true  | FAIL: kube4j.proxy.mode=ipvs programs netfilter and needs root | false | -",
        "userspace | fail     | 0    | " + ALL_TOOLS + "             | false | userspace | true | -",
        "userspace | fail     | 1000 | " + ALL_TOOLS + "             | false | userspace | false | -",
        "userspace | fail     | 0    | ''                            | false | userspace | false | -",
        "userspace | fail     | 0    | " + ALL_TOOLS + "             | false | userspace | false | false",
        "userspace | fail     | 0    | " + ALL_TOOLS + "             | false | userspace | true  | true",
        "userspace | fail     | 1000 | " + ALL_TOOLS + "             | false | FAIL: userspace.redirect=true programs netfilter and needs root | false | true",
    })
    void selectsTheModeThisNodeCanRun(String mode, String fallback, String uid, String tools, boolean ipvs,
                                      String expected, boolean redirect, String userspaceRedirect) {
        RecordingCommandRunner host = new RecordingCommandRunner()
                .installed(tools.isBlank() ? new String[0] : tools.split(" "))
                .respond("id -u", 0, uid + "\n", "");
        ProxyModeSelector.IpvsCheck check = r -> {
            if (!ipvs) {
                throw new IllegalStateException("no ip_vs in this kernel");
            }
        };
        new ApplicationContextRunner()
                .withUserConfiguration(ProxyModeConfiguration.class)
                .withBean(RecordingCommandRunner.class, () -> host)
                .withBean(ProxyModeSelector.IpvsCheck.class, () -> check)
                .withBean(SimpleMeterRegistry.class)
                .withPropertyValues("kube4j.proxy.mode=" + mode, "kube4j.proxy.ipvs-fallback=" + fallback,
                        "kube4j.proxy.userspace.redirect=" + (userspaceRedirect == null ? "" : userspaceRedirect))
                .run(ctx -> {
                    assertThat(ctx).hasNotFailed();
                    ProxyModeSelector selector = ctx.getBean(ProxyModeSelector.class);
                    ProxyAgentProperties props = ctx.getBean(ProxyAgentProperties.class);
                    if (expected.startsWith("FAIL: ")) {
                        org.assertj.core.api.Assertions.assertThatThrownBy(() -> selector.select(props))
                                .isInstanceOf(ProxyModeUnavailableException.class)
                                .hasMessageContaining(expected.substring(6));
                    } else {
                        ProxyModeSelector.Selection s = selector.select(props);
                        assertThat(s.mode()).isEqualTo(expected);
                        assertThat(s.root()).isEqualTo(uid.equals("0"));
                        assertThat(s.redirect()).isEqualTo(redirect);
                        assertThat(s.reason()).isNotBlank();
                        if (mode.equals("ipvs") && expected.equals("iptables")) {
                            assertThat(s.reason()).contains("no ip_vs in this kernel", "falling back to iptables");
                        }
                    }
                    assertThat(host.calls("id -u")).isNotEmpty();
                });
    }

    /** The real IPVS check (IpvsSupport, the default bean) against a host scripted like this one: no IPVS, no dummy. */
    @ParameterizedTest(name = "ipvs-fallback={0}")
    @CsvSource({"fail", "iptables"})
    void onAKernelWithoutIpvsTheRealCheckFailsOrFallsBack(String fallback) {
        RecordingCommandRunner host = new RecordingCommandRunner()
                .respond("id -u", 0, "0\n", "")
                .respond("cat /proc/net/ip_vs", 1, "", "cat: /proc/net/ip_vs: No such file or directory")
                .respond("ipvsadm -Ln", 2, "", "Can't initialize ipvs: Protocol not available")
                .respond("ipset --version", 0, "ipset v7.17, protocol version: 7\n", "")
                .respond("ip link add", 2, "", "Error: Unknown device type.");
        new ApplicationContextRunner()
                .withUserConfiguration(ProxyModeConfiguration.class)
                .withBean(RecordingCommandRunner.class, () -> host)
                .withBean(SimpleMeterRegistry.class)
                .withPropertyValues("kube4j.proxy.mode=ipvs", "kube4j.proxy.ipvs-fallback=" + fallback)
                .run(ctx -> {
                    ProxyModeSelector selector = ctx.getBean(ProxyModeSelector.class);
                    ProxyAgentProperties props = ctx.getBean(ProxyAgentProperties.class);
                    if (fallback.equals("fail")) {
                        org.assertj.core.api.Assertions.assertThatThrownBy(() -> selector.select(props))
                                .isInstanceOf(ProxyModeUnavailableException.class)
                                .hasMessageStartingWith("kube4j.proxy.mode=ipvs: ")
                                .hasMessageContaining("Protocol not available", "Unknown device type",
                                        "kube4j.proxy.ipvs-fallback=iptables")
                                .satisfies(e -> assertThat(e.getMessage().split("ipvs-fallback", -1)).hasSize(2));
                    } else {
                        ProxyModeSelector.Selection s = selector.select(props);
                        assertThat(s.mode()).isEqualTo("iptables");
                        assertThat(s.reason()).startsWith("IPVS is unavailable (").contains("Protocol not available");
                    }
                });
    }
}
