package io.kube4j.addons.dns;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.informer.SharedInformerFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The DNS server fed by real informers from the real apiserver on etcd, asked over UDP and TCP on loopback with
 * dnsjava's resolver: Services, headless endpoints, pods with owners, an ExternalName, NXDOMAIN vs NODATA, BNS,
 * forwarding to a second local server, and how fast a deleted Service stops resolving.
 */
class DnsServerIT {

    private static final String NS = "dns-it-" + UUID.randomUUID().toString().substring(0, 6);
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static KubeClient client;
    private static SharedInformerFactory informers;
    private static ZoneMaintainer zone;
    private static DnsServer server;
    private static DnsServer upstream;
    private static SimpleMeterRegistry meters;
    private static String webIp;

    @BeforeAll
    static void start() throws Exception {
        Requirements.requireBinary("etcd");
        client = KubeClient.create(ClientConfig.of(ApiServerInstance.shared().url()));
        client.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata()
                .build()).block(WAIT);

        // the upstream: another DnsServer on loopback serving example.test from a fixed zone
        Name apex = ZoneBuilder.absolute("example.test");
        Name host = ZoneBuilder.absolute("www.example.test");
        DnsZone upstreamZone = new DnsZone(Map.of(apex, new org.xbill.DNS.SOARecord(apex, DClass.IN, 5,
                ZoneBuilder.absolute("ns.example.test"), ZoneBuilder.absolute("h.example.test"), 1, 1, 1, 1, 5)),
                Map.of(), Map.of(host, Map.of(Type.A, List.of(new ARecord(host, DClass.IN, 60,
                InetAddress.getByName("192.0.2.7"))))));
        upstream = new DnsServer(InetAddress.getLoopbackAddress(), 0, () -> upstreamZone, List.of(),
                Duration.ofSeconds(1), new SimpleMeterRegistry(), 1);
        upstream.start();

        informers = SharedInformerFactory.forClient(client, Duration.ZERO);
        zone = new ZoneMaintainer(new ZoneBuilder("cluster.local", 5, "itcell"), informers, NS);
        meters = new SimpleMeterRegistry();
        server = new DnsServer(InetAddress.getLoopbackAddress(), 0, zone,
                List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstream.port())),
                Duration.ofSeconds(2), meters, 2);
        informers.startAll();
        assertThat(informers.waitForCacheSync(WAIT)).as("informers synced").isTrue();
        server.start();

        Service web = client.resources(Service.class).create(new ServiceBuilder().withNewMetadata().withNamespace(NS)
                .withName("web").endMetadata().withNewSpec().addToSelector("app", "web").addNewPort().withName("http")
                .withProtocol("TCP").withPort(80).endPort().endSpec().build()).block(WAIT);
        webIp = web.getSpec().getClusterIP();
        client.resources(Service.class).create(new ServiceBuilder().withNewMetadata().withNamespace(NS)
                .withName("db").endMetadata().withNewSpec().withClusterIP("None").addToSelector("app", "db")
                .addNewPort().withName("pg").withProtocol("TCP").withPort(5432).endPort().endSpec().build())
                .block(WAIT);
        client.resources(Service.class).create(new ServiceBuilder().withNewMetadata().withNamespace(NS)
                .withName("ext").endMetadata().withNewSpec().withType("ExternalName")
                .withExternalName("www.example.test").endSpec().build()).block(WAIT);

        Pod db0 = runningPod(new PodBuilder().withNewMetadata().withNamespace(NS).withName("db-0")
                .addToLabels("app", "db").addNewOwnerReference().withApiVersion("apps/v1").withKind("StatefulSet")
                .withName("db").withUid(UUID.randomUUID().toString()).withController(true).endOwnerReference()
                .endMetadata().withNewSpec().withHostname("db-0").withSubdomain("db").addNewContainer()
                .withName("pg").withImage("postgres").endContainer().endSpec().build(), "10.244.9.5");
        client.resources(EndpointSlice.class).create(new EndpointSliceBuilder().withNewMetadata().withNamespace(NS)
                .withName("db-abcde").addToLabels("kubernetes.io/service-name", "db").endMetadata()
                .withAddressType("IPv4").addNewEndpoint().withAddresses("10.244.9.5").withNewConditions()
                .withReady(true).endConditions().withNewTargetRef().withKind("Pod").withNamespace(NS)
                .withName(db0.getMetadata().getName()).endTargetRef().endEndpoint().addNewPort().withName("pg")
                .withProtocol("TCP").withPort(5432).endPort().build()).block(WAIT);

        ReplicaSet rs = client.resources(ReplicaSet.class).create(new ReplicaSetBuilder().withNewMetadata()
                .withNamespace(NS).withName("api-7c9d").addNewOwnerReference().withApiVersion("apps/v1")
                .withKind("Deployment").withName("api").withUid(UUID.randomUUID().toString()).withController(true)
                .endOwnerReference().endMetadata().withNewSpec().withReplicas(0).withNewSelector()
                .addToMatchLabels("app", "api").endSelector().withNewTemplate().withNewMetadata()
                .addToLabels("app", "api").endMetadata().withNewSpec().addNewContainer().withName("api")
                .withImage("api").endContainer().endSpec().endTemplate().endSpec().build()).block(WAIT);
        // created in this order; same-second timestamps fall back to the name, which agrees
        for (String suffix : List.of("aaaaa", "bbbbb")) {
            runningPod(new PodBuilder().withNewMetadata().withNamespace(NS).withName("api-7c9d-" + suffix)
                    .addToLabels("app", "api").addNewOwnerReference().withApiVersion("apps/v1")
                    .withKind("ReplicaSet").withName(rs.getMetadata().getName()).withUid(rs.getMetadata().getUid())
                    .withController(true).endOwnerReference().endMetadata().withNewSpec().addNewContainer()
                    .withName("api").withImage("api").endContainer().endSpec().build(),
                    suffix.equals("aaaaa") ? "10.244.8.1" : "10.244.8.2");
        }
        await().atMost(WAIT).until(() -> query(udp(), "1.api." + NS + ".itcell.bns", Type.A).getRcode()
                == Rcode.NOERROR && !answers(query(udp(), "db-0.db." + NS + ".svc.cluster.local", Type.A)).isEmpty()
                && !answers(query(udp(), "web." + NS + ".svc.cluster.local", Type.A)).isEmpty());
    }

    private static Pod runningPod(Pod pod, String ip) {
        Pod created = client.resources(Pod.class).create(pod).block(WAIT);
        created.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").withPodIP(ip)
                .addNewPodIP(ip).addNewCondition().withType("Ready").withStatus("True").endCondition().build());
        return client.resources(Pod.class).updateStatus(created).block(WAIT);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (zone != null) {
            zone.close();
        }
        if (informers != null) {
            informers.stopAll();
        }
        if (client != null) {
            client.resources(Namespace.class).delete(null, NS, DeleteOptions.defaults()).onErrorComplete().block(WAIT);
            client.close();
        }
    }

    private static SimpleResolver udp() throws Exception {
        SimpleResolver r = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
        r.setTimeout(Duration.ofSeconds(2));
        return r;
    }

    private static SimpleResolver tcp() throws Exception {
        SimpleResolver r = udp();
        r.setTCP(true);
        return r;
    }

    private static Message query(SimpleResolver r, String name, int type) throws Exception {
        Name qname = name.startsWith("in-addr") || name.endsWith(".arpa.") ? Name.fromString(name)
                : ZoneBuilder.absolute(name);
        return r.send(Message.newQuery(Record.newRecord(qname, type, DClass.IN)));
    }

    private static List<String> answers(Message m) {
        return m.getSection(Section.ANSWER).stream().map(Record::rdataToString).sorted().toList();
    }

    @Test
    void servicesAndPodsResolveOverUdpAndTcp() throws Exception {
        for (SimpleResolver r : List.of(udp(), tcp())) {
            Message a = query(r, "web." + NS + ".svc.cluster.local", Type.A);
            assertThat(a.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(answers(a)).containsExactly(webIp);
            assertThat(a.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(5);

            assertThat(answers(query(r, "_http._tcp.web." + NS + ".svc.cluster.local", Type.SRV)))
                    .containsExactly("0 100 80 web." + NS + ".svc.cluster.local.");
            assertThat(answers(query(r, ReverseMap.fromAddress(webIp).toString(), Type.PTR)))
                    .containsExactly("web." + NS + ".svc.cluster.local.");

            // headless: the ready endpoint, its per-pod name, SRV to it with its address in additional
            assertThat(answers(query(r, "db." + NS + ".svc.cluster.local", Type.A))).containsExactly("10.244.9.5");
            assertThat(answers(query(r, "db-0.db." + NS + ".svc.cluster.local", Type.A)))
                    .containsExactly("10.244.9.5");
            Message srv = query(r, "_pg._tcp.db." + NS + ".svc.cluster.local", Type.SRV);
            assertThat(answers(srv)).containsExactly("0 100 5432 db-0.db." + NS + ".svc.cluster.local.");
            assertThat(srv.getSection(Section.ADDITIONAL).stream().map(Record::rdataToString))
                    .contains("10.244.9.5");
            assertThat(answers(query(r, "10-244-9-5." + NS + ".pod.cluster.local", Type.A)))
                    .containsExactly("10.244.9.5");

            Message ext = query(r, "ext." + NS + ".svc.cluster.local", Type.A);
            // the CNAME, then its target's address, chased through the upstream
            assertThat(ext.getSection(Section.ANSWER).get(0).getType()).isEqualTo(Type.CNAME);
            assertThat(answers(ext)).containsExactly("192.0.2.7", "www.example.test.");
        }
    }

    @Test
    void nxdomainAndNodataAsCoreDns() throws Exception {
        for (SimpleResolver r : List.of(udp(), tcp())) {
            Message nx = query(r, "nope." + NS + ".svc.cluster.local", Type.A);
            assertThat(nx.getRcode()).isEqualTo(Rcode.NXDOMAIN);
            assertThat(nx.getSection(Section.AUTHORITY)).singleElement()
                    .satisfies(s -> assertThat(s.getType()).isEqualTo(Type.SOA));

            Message nodata = query(r, "web." + NS + ".svc.cluster.local", Type.AAAA);
            assertThat(nodata.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(nodata.getSection(Section.ANSWER)).isEmpty();
            assertThat(nodata.getSection(Section.AUTHORITY)).singleElement()
                    .satisfies(s -> assertThat(s.getType()).isEqualTo(Type.SOA));
        }
    }

    @Test
    void borgNameServiceNames() throws Exception {
        for (SimpleResolver r : List.of(udp(), tcp())) {
            assertThat(answers(query(r, "0.db." + NS + ".itcell.bns", Type.A))).containsExactly("10.244.9.5");
            assertThat(answers(query(r, "0.api." + NS + ".itcell.bns", Type.A))).containsExactly("10.244.8.1");
            assertThat(answers(query(r, "1.api." + NS + ".itcell.bns", Type.A))).containsExactly("10.244.8.2");
            assertThat(answers(query(r, "api." + NS + ".itcell.bns", Type.A)))
                    .containsExactly("10.244.8.1", "10.244.8.2");
            assertThat(query(r, "2.api." + NS + ".itcell.bns", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        }
    }

    @Test
    void otherNamesAreForwardedUpstream() throws Exception {
        for (SimpleResolver r : List.of(udp(), tcp())) {
            Message m = query(r, "www.example.test", Type.A);
            assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(answers(m)).containsExactly("192.0.2.7");
            // the upstream's own negative answer comes back as it was
            assertThat(query(r, "none.example.test", Type.A).getRcode()).isEqualTo(Rcode.NXDOMAIN);
        }
        assertThat(meters.find("kube4j.dns.requests").tags("type", "A", "rcode", "NOERROR", "proto", "udp")
                .counter()).isNotNull().satisfies(c -> assertThat(c.count()).isPositive());
        assertThat(meters.find("kube4j.dns.request.duration").tag("proto", "tcp").timer().count()).isPositive();
    }

    @Test
    void aDeletedServiceStopsResolvingWithinTwoSeconds() throws Exception {
        Service gone = client.resources(Service.class).create(new ServiceBuilder().withNewMetadata().withNamespace(NS)
                .withName("gone").endMetadata().withNewSpec().addToSelector("app", "gone").addNewPort()
                .withProtocol("TCP").withPort(80).endPort().endSpec().build()).block(WAIT);
        String name = "gone." + NS + ".svc.cluster.local";
        await().atMost(WAIT).until(() -> answers(query(udp(), name, Type.A))
                .contains(gone.getSpec().getClusterIP()));
        long t0 = System.nanoTime();
        client.resources(Service.class).delete(NS, "gone", DeleteOptions.defaults()).block(WAIT);
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
                .until(() -> query(udp(), name, Type.A).getRcode() == Rcode.NXDOMAIN);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("deleted Service stopped resolving after " + ms + " ms");
        assertThat(ms).isLessThan(2000);
    }
}
