package io.kube4j.proxy.ipvs;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading {@code ipset save} and the entry diff of the restore input. */
class IpSetsTest {

    @Test
    void restoreInputDeletesStaleAndAddsMissingEntriesOnly() {
        IpSets current = IpSets.parseSave("""
                create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x1
                add KUBE-CLUSTER-IP 10.96.0.1,tcp:443
                add KUBE-CLUSTER-IP 10.96.0.9,tcp:80
                create KUBE-NODE-PORT-TCP bitmap:port range 0-65535
                add KUBE-NODE-PORT-TCP 30080
                create OTHER hash:ip family inet hashsize 1024 maxelem 65536
                add OTHER 1.2.3.4
                """);
        IpSets wanted = new IpSets();
        wanted.add(IpSets.CLUSTER_IP, "10.96.0.1,tcp:443");
        wanted.add(IpSets.CLUSTER_IP, "10.96.0.2,udp:53");
        wanted.add(IpSets.NODE_PORT_TCP, "30080");
        String input = IpSets.restoreInput(current, wanted);
        assertThat(input.lines().filter(l -> !l.startsWith("create "))).containsExactly(
                "del KUBE-CLUSTER-IP 10.96.0.9,tcp:80",
                "add KUBE-CLUSTER-IP 10.96.0.2,udp:53");
        assertThat(input.lines().filter(l -> l.startsWith("create "))).hasSize(IpSets.ALL.size());
    }

    @Test
    void unknownSetsAreRejected() {
        assertThatThrownBy(() -> new IpSets().add("KUBE-NOPE", "1"))
                .hasMessage("not an IPVS-mode ipset: KUBE-NOPE");
    }
}
