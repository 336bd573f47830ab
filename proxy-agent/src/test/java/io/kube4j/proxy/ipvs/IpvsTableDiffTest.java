package io.kube4j.proxy.ipvs;

import io.kube4j.proxy.ipvs.IpvsTable.RealServer;
import io.kube4j.proxy.ipvs.IpvsTable.VirtualServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ipvsadm --restore diff between a scripted {@code ipvsadm -Sn} and a wanted table, case by case. */
class IpvsTableDiffTest {

    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration GRACE = Duration.ofSeconds(15);

    /** A wanted table in a compact notation: {@code "T 10.96.0.1:80 rr 0 > 10.1.0.1:80 10.1.0.2:80; U ..."}. */
    static IpvsTable table(String spec) {
        IpvsTable t = new IpvsTable();
        if (spec.isBlank()) {
            return t;
        }
        for (String svc : spec.split(";")) {
            String[] parts = svc.strip().split(">");
            String[] head = parts[0].strip().split("\\s+");
            String protocol = switch (head[0]) { case "T" -> "TCP"; case "U" -> "UDP"; default -> "SCTP"; };
            String[] hp = head[1].split(":");
            VirtualServer vs = new VirtualServer(protocol, hp[0], Integer.parseInt(hp[1]), head[2], Integer.parseInt(head[3]));
            t.addVirtualServer(vs);
            if (parts.length > 1) {
                for (String rs : parts[1].strip().split("\\s+")) {
                    String[] rp = rs.split(":");
                    t.addRealServer(vs, new RealServer(rp[0], Integer.parseInt(rp[1]), 1));
                }
            }
        }
        return t;
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("new service", "", "T 10.96.0.1:80 rr 0 > 10.1.0.1:8080 10.1.0.2:8080", """
                        -A -t 10.96.0.1:80 -s rr
                        -a -t 10.96.0.1:80 -r 10.1.0.1:8080 -m -w 1
                        -a -t 10.96.0.1:80 -r 10.1.0.2:8080 -m -w 1
                        """),
                Arguments.of("unchanged", """
                        -A -t 10.96.0.1:80 -s rr
                        -a -t 10.96.0.1:80 -r 10.1.0.1:8080 -m -w 1
                        """, "T 10.96.0.1:80 rr 0 > 10.1.0.1:8080", ""),
                Arguments.of("endpoint added", """
                        -A -t 10.96.0.1:80 -s rr
                        -a -t 10.96.0.1:80 -r 10.1.0.1:8080 -m -w 1
                        """, "T 10.96.0.1:80 rr 0 > 10.1.0.1:8080 10.1.0.9:8080", """
                        -a -t 10.96.0.1:80 -r 10.1.0.9:8080 -m -w 1
                        """),
                Arguments.of("tcp endpoint removed: drained at weight 0 first", """
                        -A -t 10.96.0.1:80 -s rr
                        -a -t 10.96.0.1:80 -r 10.1.0.1:8080 -m -w 1
                        -a -t 10.96.0.1:80 -r 10.1.0.2:8080 -m -w 1
                        """, "T 10.96.0.1:80 rr 0 > 10.1.0.1:8080", """
                        -e -t 10.96.0.1:80 -r 10.1.0.2:8080 -m -w 0
                        """),
                Arguments.of("udp endpoint removed: deleted at once", """
                        -A -u 10.96.0.10:53 -s rr
                        -a -u 10.96.0.10:53 -r 10.1.0.1:53 -m -w 1
                        -a -u 10.96.0.10:53 -r 10.1.0.2:53 -m -w 1
                        """, "U 10.96.0.10:53 rr 0 > 10.1.0.1:53", """
                        -d -u 10.96.0.10:53 -r 10.1.0.2:53
                        """),
                Arguments.of("service removed", """
                        -A -t 10.96.0.1:80 -s rr
                        -a -t 10.96.0.1:80 -r 10.1.0.1:8080 -m -w 1
                        -A -t 10.96.0.2:80 -s rr
                        """, "T 10.96.0.2:80 rr 0", """
                        -D -t 10.96.0.1:80
                        """),
                Arguments.of("affinity turned on", """
                        -A -t 10.96.0.1:80 -s rr
                        -a -t 10.96.0.1:80 -r 10.1.0.1:8080 -m -w 1
                        """, "T 10.96.0.1:80 rr 10800 > 10.1.0.1:8080", """
                        -E -t 10.96.0.1:80 -s rr -p 10800
                        """),
                Arguments.of("scheduler changed", """
                        -A -t 10.96.0.1:80 -s rr -p 60
                        """, "T 10.96.0.1:80 wrr 60", """
                        -E -t 10.96.0.1:80 -s wrr -p 60
                        """),
                Arguments.of("draining endpoint came back", """
                        -A -t 10.96.0.1:80 -s rr
                        -a -t 10.96.0.1:80 -r 10.1.0.2:8080 -m -w 0
                        """, "T 10.96.0.1:80 rr 0 > 10.1.0.2:8080", """
                        -e -t 10.96.0.1:80 -r 10.1.0.2:8080 -m -w 1
                        """),
                Arguments.of("sctp and new node port before deletions", """
                        -A --sctp-service 10.96.0.7:9999 -s rr
                        """, "S 10.96.0.7:9999 rr 0 > 10.1.0.3:9999; T 192.0.2.2:30080 rr 0 > 10.1.0.3:80", """
                        -a --sctp-service 10.96.0.7:9999 -r 10.1.0.3:9999 -m -w 1
                        -A -t 192.0.2.2:30080 -s rr
                        -a -t 192.0.2.2:30080 -r 10.1.0.3:80 -m -w 1
                        """));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void diff(String name, String current, String wanted, String expected) {
        IpvsTableDiff.Result r = IpvsTableDiff.compute(IpvsTable.parseSave(current), table(wanted), Map.of(), NOW, GRACE);
        assertThat(r.restoreInput()).isEqualTo(expected);
        assertThat(r.commands()).isEqualTo(expected.lines().count());
    }

    @Test
    void drainingRealServerIsDeletedOnceTheGracePeriodHasPassed() {
        String current = """
                -A -t 10.96.0.1:80 -s rr
                -a -t 10.96.0.1:80 -r 10.1.0.1:8080 -m -w 1
                -a -t 10.96.0.1:80 -r 10.1.0.2:8080 -m -w 0
                """;
        IpvsTable wanted = table("T 10.96.0.1:80 rr 0 > 10.1.0.1:8080");
        Map<String, Instant> draining = Map.of("TCP/10.96.0.1:80/10.1.0.2:8080", NOW);

        IpvsTableDiff.Result early = IpvsTableDiff.compute(IpvsTable.parseSave(current), wanted, draining,
                NOW.plusSeconds(14), GRACE);
        assertThat(early.restoreInput()).isEmpty();
        assertThat(early.draining()).isEqualTo(draining);

        IpvsTableDiff.Result late = IpvsTableDiff.compute(IpvsTable.parseSave(current), wanted, draining,
                NOW.plusSeconds(15), GRACE);
        assertThat(late.restoreInput()).isEqualTo("-d -t 10.96.0.1:80 -r 10.1.0.2:8080\n");
        assertThat(late.draining()).isEmpty();
    }

    @Test
    void weightZeroServerNotDrainedByThisProcessStartsItsGracePeriodNow() {
        String current = """
                -A -t 10.96.0.1:80 -s rr
                -a -t 10.96.0.1:80 -r 10.1.0.2:8080 -m -w 0
                """;
        IpvsTableDiff.Result r = IpvsTableDiff.compute(IpvsTable.parseSave(current), table("T 10.96.0.1:80 rr 0"),
                Map.of(), NOW, GRACE);
        assertThat(r.restoreInput()).isEmpty();
        assertThat(r.draining()).containsExactly(Map.entry("TCP/10.96.0.1:80/10.1.0.2:8080", NOW));
    }

    @Test
    void removedEndpointStartsDraining() {
        String current = """
                -A -t 10.96.0.1:80 -s rr
                -a -t 10.96.0.1:80 -r 10.1.0.2:8080 -m -w 1
                """;
        IpvsTableDiff.Result r = IpvsTableDiff.compute(IpvsTable.parseSave(current), table("T 10.96.0.1:80 rr 0"),
                Map.of(), NOW, GRACE);
        assertThat(r.draining()).containsExactly(Map.entry("TCP/10.96.0.1:80/10.1.0.2:8080", NOW));
    }

    @Test
    void parsesWhatIpvsadmPrintsAndSkipsFirewallMarkServices() {
        IpvsTable t = IpvsTable.parseSave("""
                -A -t 10.96.0.1:443 -s rr -p 10800 -M 255.255.255.255
                -a -t 10.96.0.1:443 -r 172.17.0.2:6443 -m -w 1 -x 0 -y 0
                -A -f 7 -s rr
                -a -f 7 -r 10.0.0.1:0 -g -w 1
                -A -u 10.96.0.10:53 -s wlc
                """);
        assertThat(t.render()).isEqualTo("""
                -A -t 10.96.0.1:443 -s rr -p 10800
                -a -t 10.96.0.1:443 -r 172.17.0.2:6443 -m -w 1
                -A -u 10.96.0.10:53 -s wlc
                """);
    }

    @Test
    void unreadableSaveOutputIsAClearError() {
        assertThatThrownBy(() -> IpvsTable.parseSave("-A -t not-an-ip:80 -s rr\n"))
                .hasMessageContaining("not an IPv4 address:port ('not-an-ip:80')");
        assertThatThrownBy(() -> IpvsTable.parseSave("-a -t 10.0.0.1:80 -r 10.1.0.1:80 -m -w 1\n"))
                .hasMessageContaining("real server before its virtual server");
    }
}
