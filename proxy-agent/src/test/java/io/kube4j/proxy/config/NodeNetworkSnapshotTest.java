package io.kube4j.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.kube4j.proxy.exec.RecordingCommandRunner;
import org.junit.jupiter.api.Test;

class NodeNetworkSnapshotTest {

    private static final String NAT_BEFORE = """
            *nat
            :PREROUTING ACCEPT [0:0]
            :DOCKER - [0:0]
            :KUBE-SERVICES - [0:0]
            :KUBE-SVC-AAAA - [0:0]
            -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
            -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
            -A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -j KUBE-SVC-AAAA
            -A KUBE-SVC-AAAA -j KUBE-MARK-MASQ
            -A KUBE-SVC-AAAA -j KUBE-MARK-MASQ
            COMMIT
            """;
    private static final String NAT_AFTER = """
            *nat
            :PREROUTING ACCEPT [0:0]
            :DOCKER - [0:0]
            -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
            COMMIT
            """;

    private static RecordingCommandRunner host(String nat, String ipsets, String ipvs, boolean ipvsLink) {
        return new RecordingCommandRunner()
                .respond("iptables-save -t nat", 0, nat, "")
                .respond("iptables-save -t filter", 0, "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n", "")
                .respond("ipset list -n", 0, ipsets, "")
                .respond("ipvsadm -Sn", 0, ipvs, "")
                .respond("ip -o link show kube-ipvs0", ipvsLink ? 0 : 1, "", ipvsLink ? "" : "Device does not exist");
    }

    @Test
    void reportsWhatWentAndNothingElse() {
        NodeNetworkSnapshot before = NodeNetworkSnapshot.take(host(NAT_BEFORE, "KUBE-CLUSTER-IP\nmine\n",
                "-A -t 10.96.0.10:53 -s rr\n-a -t 10.96.0.10:53 -r 10.244.1.2:53 -m -w 1\n", true));
        NodeNetworkSnapshot after = NodeNetworkSnapshot.take(host(NAT_AFTER, "mine\n", "", false));

        assertThat(before.chains()).contains("nat/KUBE-SERVICES", "nat/DOCKER", "filter/INPUT");
        assertThat(before.rules()).hasSize(5); // the duplicate rule counts twice
        assertThat(after.removedSince(before)).containsExactly(
                "removed 2 iptables chains: nat/KUBE-SERVICES nat/KUBE-SVC-AAAA",
                "removed 4 iptables rules",
                "removed 1 ipsets: KUBE-CLUSTER-IP",
                "removed 1 IPVS virtual servers and 1 real servers",
                "removed the interface kube-ipvs0");
    }

    @Test
    void nothingRemovedIsAnEmptyReport() {
        NodeNetworkSnapshot s = NodeNetworkSnapshot.take(host(NAT_AFTER, "", "", false));
        assertThat(s.removedSince(s)).isEmpty();
    }

    @Test
    void missingToolsContributeNothing() {
        NodeNetworkSnapshot s = NodeNetworkSnapshot.take(new RecordingCommandRunner().installed());
        assertThat(s.chains()).isEmpty();
        assertThat(s.ipsets()).isEmpty();
        assertThat(s.ipvsInterface()).isFalse();
    }
}
