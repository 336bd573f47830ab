package io.kube4j.proxy.ipvs;

import io.kube4j.proxy.exec.RecordingCommandRunner;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The IPVS availability check against scripted command answers. */
class IpvsSupportTest {

    /** A node where everything works: /proc/net/ip_vs, ipset 7.17, dummy links. */
    static RecordingCommandRunner working() {
        return new RecordingCommandRunner()
                .respond("cat /proc/net/ip_vs", 0, "IP Virtual Server version 1.2.1 (size=4096)\n", "")
                .respond("ipset --version", 0, "ipset v7.17, protocol version: 7\n", "")
                .respond("ip link show kube-ipvs0", 1, "", "Device \"kube-ipvs0\" does not exist.\n");
    }

    /** This machine's kernel: no IPVS, no dummy links. */
    static RecordingCommandRunner noIpvs() {
        return working()
                .respond("cat /proc/net/ip_vs", 1, "", "cat: /proc/net/ip_vs: No such file or directory\n")
                .respond("ipvsadm -Ln", 2, "", "Can't initialize ipvs: Protocol not available\n"
                        + "Are you sure that IP Virtual Server is built in the kernel or as module?\n")
                .respond("ip link add kube-ipvs-probe type dummy", 2, "", "Error: Unknown device type.\n");
    }

    @Test
    void workingNodePassesAndTheSchedulerProbeIsRemovedAgain() {
        RecordingCommandRunner r = working();
        IpvsSupport.check(r, "rr");
        assertThat(r.calls().stream().map(RecordingCommandRunner.Call::command)).containsSubsequence(
                "ipvsadm -A -t 198.51.100.0:20000 -s rr", "ipvsadm -D -t 198.51.100.0:20000",
                "ip link add kube-ipvs-probe type dummy", "ip link del kube-ipvs-probe");
        assertThat(IpvsSupport.available(r, "rr")).isTrue();
    }

    @Test
    void existingVirtualServerWithTheSchedulerSkipsTheProbe() {
        RecordingCommandRunner r = working().respond("ipvsadm -Sn", 0, "-A -t 10.96.0.1:443 -s rr\n", "")
                .respond("ip link show kube-ipvs0", 0, "7: kube-ipvs0: <BROADCAST,NOARP> mtu 1500\n", "");
        IpvsSupport.check(r, "rr");
        assertThat(r.calls("ipvsadm -A")).isEmpty();
        assertThat(r.calls("ip link add")).isEmpty();
    }

    @Test
    void kernelWithoutIpvsAndDummyLinksNamesBothAndWhatToDo() {
        IpvsUnavailableException e = catchThrowableOfType(() -> IpvsSupport.check(noIpvs(), "rr"),
                IpvsUnavailableException.class);
        assertThat(e.getMessage()).isEqualTo("IPVS proxy mode is unavailable on this node: "
                + "the kernel has no IPVS (/proc/net/ip_vs is absent and 'ipvsadm -Ln' failed: Can't initialize ipvs: "
                + "Protocol not available); dummy network interfaces cannot be created for kube-ipvs0 "
                + "('ip link add kube-ipvs-probe type dummy' failed: Error: Unknown device type.). "
                + "Load the kernel modules (modprobe -a ip_vs nf_conntrack ip_vs_rr dummy) or use a kernel that has them, "
                + "or run proxy-agent in mode iptables, or set the IPVS fallback to iptables "
                + "(kube4j.proxy.ipvs-fallback=iptables) to fall back automatically.");
        assertThat(e.missing()).hasSize(2);
    }

    @Test
    void missingSchedulerModule() {
        RecordingCommandRunner r = working().respond("ipvsadm -A -t 198.51.100.0:20000 -s sed", 2, "",
                "Scheduler not found: ip_vs_sed.ko\n");
        assertThatThrownBy(() -> IpvsSupport.check(r, "sed"))
                .isInstanceOf(IpvsUnavailableException.class)
                .hasMessageContaining("the IPVS scheduler 'sed' cannot be used")
                .hasMessageContaining("Scheduler not found: ip_vs_sed.ko")
                .hasMessageContaining("modprobe -a ip_vs_sed)");
    }

    @Test
    void missingToolsAndOldIpset() {
        RecordingCommandRunner r = working().installed("ip", "cat", "ipset")
                .respond("ipset --version", 0, "ipset v4.5, protocol version: 4\n", "");
        assertThatThrownBy(() -> IpvsSupport.check(r, "rr"))
                .hasMessageContaining("ipvsadm is not installed (apt-get install ipvsadm)")
                .hasMessageContaining("ipset 4.5 is older than 6.0")
                .hasMessageContaining("install the missing tools");
        assertThat(IpvsSupport.available(r, "rr")).isFalse();
    }
}
