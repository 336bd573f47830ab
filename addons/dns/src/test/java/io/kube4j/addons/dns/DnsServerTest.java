package io.kube4j.addons.dns;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The server on loopback with fixed zones: truncation, malformed questions, ExternalName chasing, no upstream. */
class DnsServerTest {

    private final List<DnsServer> servers = new ArrayList<>();

    @AfterEach
    void close() {
        servers.forEach(DnsServer::close);
    }

    private DnsServer serve(DnsZone zone, List<InetSocketAddress> upstreams) throws Exception {
        DnsServer s = new DnsServer(InetAddress.getLoopbackAddress(), 0, () -> zone, upstreams,
                Duration.ofSeconds(1), new SimpleMeterRegistry(), 1);
        s.start();
        servers.add(s);
        return s;
    }

    private static SimpleResolver resolver(DnsServer s) {
        SimpleResolver r = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), s.port()));
        r.setTimeout(Duration.ofSeconds(2));
        return r;
    }

    private static byte[] udpExchange(DnsServer s, byte[] q) throws Exception {
        try (DatagramSocket sock = new DatagramSocket()) {
            sock.setSoTimeout(2000);
            sock.send(new DatagramPacket(q, q.length, InetAddress.getLoopbackAddress(), s.port()));
            byte[] buf = new byte[65535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            sock.receive(p);
            return java.util.Arrays.copyOf(buf, p.getLength());
        }
    }

    private static DnsZone bigHeadless() {
        Service svc = ZoneBuilderTest.headless("default", "big");
        List<EndpointSlice> slices = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            slices.add(ZoneBuilderTest.slice("default", "big", "10.244.5." + i, "big-" + i, true));
        }
        return new ZoneBuilder("cluster.local", 5, "local").build(List.of(svc), slices, List.of(), List.of(), 1);
    }

    /**
     * Bound to the wildcard, the server answers each host address from that address (a pod's question DNAT-ed to the
     * node's address must come back from it, or conntrack cannot un-NAT the answer).
     */
    @Test
    void onTheWildcardAnswersLeaveFromTheAddressAsked() throws Exception {
        List<InetAddress> hostAddresses = new ArrayList<>();
        for (java.net.NetworkInterface nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : java.util.Collections.list(nic.getInetAddresses())) {
                if (nic.isUp() && !a.isLoopbackAddress() && a instanceof java.net.Inet4Address) {
                    hostAddresses.add(a);
                }
            }
        }
        org.junit.jupiter.api.Assumptions.assumeFalse(hostAddresses.isEmpty(), "no IPv4 address but loopback");
        DnsZone zone = bigHeadless();
        DnsServer s = new DnsServer(InetAddress.getByName("0.0.0.0"), 0, () -> zone, List.of(),
                Duration.ofSeconds(1), new SimpleMeterRegistry(), 1);
        s.start();
        servers.add(s);
        byte[] q = Message.newQuery(Record.newRecord(Name.fromString("big.default.svc.cluster.local."), Type.SOA,
                DClass.IN)).toWire();
        for (InetAddress a : hostAddresses) {
            try (DatagramSocket sock = new DatagramSocket()) {
                sock.setSoTimeout(2000);
                sock.send(new DatagramPacket(q, q.length, a, s.port()));
                DatagramPacket p = new DatagramPacket(new byte[512], 512);
                sock.receive(p);
                assertThat(p.getAddress()).as("the answer to a question sent to %s", a).isEqualTo(a);
                assertThat(new Message(java.util.Arrays.copyOf(p.getData(), p.getLength())).getRcode())
                        .isEqualTo(Rcode.NOERROR);
            }
        }
    }

    @Test
    void anAnswerTooBigForUdpIsTruncatedAndWholeOverTcp() throws Exception {
        DnsServer s = serve(bigHeadless(), List.of());
        Message q = Message.newQuery(Record.newRecord(ZoneBuilder.absolute("big.default.svc.cluster.local"), Type.A,
                DClass.IN));
        Message udp = new Message(udpExchange(s, q.toWire()));
        assertThat(udp.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(udp.toWire().length).isLessThanOrEqualTo(512);
        SimpleResolver tcp = resolver(s);
        tcp.setTCP(true);
        assertThat(tcp.send(q).getSection(Section.ANSWER)).hasSize(100);
        // dnsjava's resolver retries a truncated UDP answer over TCP by itself
        assertThat(resolver(s).send(q).getSection(Section.ANSWER)).hasSize(100);
    }

    @Test
    void garbageGetsFormerrAndNamesOutsideTheZonesWithoutUpstreamServfail() throws Exception {
        DnsServer s = serve(bigHeadless(), List.of());
        byte[] garbage = {0x12, 0x34, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 99, 1, 2};
        Message err = new Message(udpExchange(s, garbage));
        assertThat(err.getHeader().getID()).isEqualTo(0x1234);
        assertThat(err.getRcode()).isEqualTo(Rcode.FORMERR);
        Message out = resolver(s).send(Message.newQuery(Record.newRecord(ZoneBuilder.absolute("example.org"), Type.A,
                DClass.IN)));
        assertThat(out.getRcode()).isEqualTo(Rcode.SERVFAIL);
    }

    @Test
    void externalNamesAreChasedInTheZoneAndUpstream() throws Exception {
        Name apex = ZoneBuilder.absolute("example.test");
        Name host = ZoneBuilder.absolute("www.example.test");
        DnsZone upstreamZone = new DnsZone(Map.of(apex, new SOARecord(apex, DClass.IN, 5,
                ZoneBuilder.absolute("ns.example.test"), ZoneBuilder.absolute("h.example.test"), 1, 1, 1, 1, 5)),
                Map.of(), Map.of(host, Map.of(Type.A, List.of(new ARecord(host, DClass.IN, 60,
                InetAddress.getByName("192.0.2.7"))))));
        DnsServer up = serve(upstreamZone, List.of());
        Service outside = new ServiceBuilder().withNewMetadata().withNamespace("default").withName("out")
                .endMetadata().withNewSpec().withType("ExternalName").withExternalName("www.example.test").endSpec()
                .build();
        Service inside = new ServiceBuilder().withNewMetadata().withNamespace("default").withName("alias")
                .endMetadata().withNewSpec().withType("ExternalName").withExternalName("web.default.svc.cluster.local")
                .endSpec().build();
        DnsZone zone = new ZoneBuilder("cluster.local", 5, "local").build(List.of(outside, inside,
                ZoneBuilderTest.clusterIp("default", "web", "10.96.0.10")), List.of(), List.of(), List.of(), 1);
        DnsServer s = serve(zone, List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), up.port())));

        Message a = resolver(s).send(Message.newQuery(Record.newRecord(
                ZoneBuilder.absolute("out.default.svc.cluster.local"), Type.A, DClass.IN)));
        assertThat(a.getSection(Section.ANSWER).stream().map(Record::rdataToString))
                .containsExactly("www.example.test.", "192.0.2.7");
        Message b = resolver(s).send(Message.newQuery(Record.newRecord(
                ZoneBuilder.absolute("alias.default.svc.cluster.local"), Type.A, DClass.IN)));
        assertThat(b.getSection(Section.ANSWER).stream().map(Record::rdataToString))
                .containsExactly("web.default.svc.cluster.local.", "10.96.0.10");
    }
}
