package io.kube4j.proxy.ipvs;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Variants of the IPVS-mode iptables rules beyond the golden file, the jump bookkeeping and the cleanup input. */
class IpvsIptablesRulesTest {

    private static IpSets clusterIpOnly() {
        IpSets s = new IpSets();
        s.add(IpSets.CLUSTER_IP, "10.96.0.1,tcp:443");
        return s;
    }

    @Test
    void masqueradeAllMarksAllClusterIpTraffic() {
        assertThat(IpvsIptablesRules.render(clusterIpOnly(), true, "10.244.0.0/16", 14, Set.of())).contains(
                "-A KUBE-SERVICES -m comment --comment \"Kubernetes service cluster ip + port for masquerade purpose\""
                        + " -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ\n");
    }

    @Test
    void withoutClusterCidrVipSourcedTrafficIsMasqueraded() {
        assertThat(IpvsIptablesRules.render(clusterIpOnly(), false, "", 14, Set.of())).contains(
                "-m set --match-set KUBE-CLUSTER-IP src,dst -j KUBE-MARK-MASQ\n");
    }

    @Test
    void emptySetsGetNoRulesAndTheMarkFollowsTheBit() {
        String rules = IpvsIptablesRules.render(new IpSets(), false, "10.244.0.0/16", 0, Set.of());
        assertThat(rules).doesNotContain("KUBE-MARK-MASQ\n-A KUBE-SERVICES -m comment")
                .doesNotContain("--match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT")
                .doesNotContain("KUBE-LOOP-BACK")
                .contains("-A KUBE-MARK-MASQ -j MARK --or-mark 0x00000001\n");
        assertThat(IpvsIptablesRules.masqueradeMark(31)).isEqualTo("0x80000000");
    }

    @Test
    void presentJumpsAreNotInsertedAgain() {
        String nat = """
                *nat
                :PREROUTING ACCEPT [0:0]
                -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
                -A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
                -A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
                COMMIT
                """;
        StringBuilder filter = new StringBuilder("*filter\n");
        IpvsIptablesRules.JUMPS.stream().filter(j -> j.table().equals("filter"))
                .forEach(j -> filter.append("-A ").append(j.from()).append(' ').append(j.ruleSpec()).append('\n'));
        Set<IpvsIptablesRules.Jump> present = IpvsIptablesRules.presentJumps(nat, filter + "COMMIT\n");
        assertThat(present).containsExactlyInAnyOrderElementsOf(IpvsIptablesRules.JUMPS);
        assertThat(IpvsIptablesRules.render(clusterIpOnly(), false, "", 14, present)).doesNotContain("-I ");

        Set<IpvsIptablesRules.Jump> natOnly = IpvsIptablesRules.presentJumps(nat, "");
        assertThat(IpvsIptablesRules.render(clusterIpOnly(), false, "", 14, natOnly))
                .doesNotContain("-I PREROUTING").contains("-I FORWARD -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD\n");
    }

    @Test
    void cleanupRemovesEachJumpOccurrenceFlushesAndDeletesChainsButKeepsOnesOtherRulesUse() {
        String nat = """
                *nat
                :PREROUTING ACCEPT [0:0]
                :KUBE-SERVICES - [0:0]
                :KUBE-MARK-MASQ - [0:0]
                :KUBE-EXT-ABC - [0:0]
                -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
                -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
                -A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN
                -A KUBE-EXT-ABC -j KUBE-MARK-MASQ
                COMMIT
                """;
        assertThat(IpvsIptablesRules.cleanupInput(nat, "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n")).isEqualTo("""
                *nat
                -D PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
                -D PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
                :KUBE-SERVICES - [0:0]
                :KUBE-MARK-MASQ - [0:0]
                -X KUBE-SERVICES
                COMMIT
                """);
        assertThat(IpvsIptablesRules.cleanupInput("*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n", "")).isNull();
    }
}
