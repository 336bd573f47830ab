package io.kube4j.addons.dns;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Type;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The zone built from fabric8 objects answers as CoreDNS's kubernetes plugin (and the BNS rules) say. */
class ZoneBuilderTest {

    private final ZoneBuilder builder = new ZoneBuilder("cluster.local", 5, "local");

    static Service clusterIp(String ns, String name, String ip) {
        return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withClusterIP(ip).withClusterIPs(ip).addNewPort().withName("http").withProtocol("TCP")
                .withPort(80).endPort().addNewPort().withProtocol("TCP").withPort(81).endPort().endSpec().build();
    }

    static Service headless(String ns, String name) {
        return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withClusterIP("None").addNewPort().withName("web").withProtocol("TCP").withPort(80)
                .endPort().endSpec().build();
    }

    static EndpointSlice slice(String ns, String svc, String ip, String pod, boolean ready) {
        return new EndpointSliceBuilder().withNewMetadata().withNamespace(ns).withName(svc + "-" + pod)
                .addToLabels("kubernetes.io/service-name", svc).endMetadata().withAddressType("IPv4")
                .addNewEndpoint().withAddresses(ip).withNewConditions().withReady(ready).endConditions()
                .withNewTargetRef().withKind("Pod").withName(pod).withNamespace(ns).endTargetRef().endEndpoint()
                .addNewPort().withName("web").withProtocol("TCP").withPort(8080).endPort().build();
    }

    static Pod pod(String ns, String name, String ip, String created, String ownerKind, String owner, boolean ready) {
        PodBuilder b = new PodBuilder().withNewMetadata().withNamespace(ns).withName(name)
                .withCreationTimestamp(created).endMetadata().withNewSpec().addNewContainer().withName("c")
                .addNewPort().withName("http").withContainerPort(8080).withProtocol("TCP").endPort().endContainer()
                .endSpec().withNewStatus().withPhase("Running").withPodIP(ip).addNewPodIP(ip)
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition().endStatus();
        if (owner != null) {
            b.editMetadata().addNewOwnerReference().withKind(ownerKind).withName(owner).withController(true)
                    .withApiVersion("apps/v1").withUid(owner + "-uid").endOwnerReference().endMetadata();
        }
        return b.build();
    }

    static Name n(String s) {
        return ZoneBuilder.absolute(s);
    }

    static List<String> data(DnsZone.Answer a) {
        return a.answers().stream().map(Record::rdataToString).sorted().toList();
    }

    @Test
    void clusterIpServiceAnswersAWithItsIpAndNoDataForAaaa() {
        DnsZone zone = builder.build(List.of(clusterIp("default", "web", "10.96.0.10")), List.of(), List.of(),
                List.of(), 1);
        DnsZone.Answer a = zone.lookup(n("web.default.svc.cluster.local"), Type.A);
        assertThat(a.rcode()).isEqualTo(Rcode.NOERROR);
        assertThat(data(a)).containsExactly("10.96.0.10");
        assertThat(a.answers().get(0).getTTL()).isEqualTo(5);
        // case-insensitive, as DNS
        assertThat(data(zone.lookup(n("WEB.Default.svc.cluster.local"), Type.A))).containsExactly("10.96.0.10");

        DnsZone.Answer aaaa = zone.lookup(n("web.default.svc.cluster.local"), Type.AAAA);
        assertThat(aaaa.rcode()).isEqualTo(Rcode.NOERROR);
        assertThat(aaaa.answers()).isEmpty();
        assertThat(aaaa.soa()).isNotNull();
        assertThat(aaaa.soa().getName()).isEqualTo(n("cluster.local"));
    }

    @Test
    void unknownNamesAreNxdomainAndEmptyNonTerminalsAreNodata() {
        DnsZone zone = builder.build(List.of(clusterIp("default", "web", "10.96.0.10")), List.of(), List.of(),
                List.of(), 1);
        DnsZone.Answer missing = zone.lookup(n("nope.default.svc.cluster.local"), Type.A);
        assertThat(missing.rcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(missing.soa()).isNotNull();
        assertThat(zone.lookup(n("other.svc.cluster.local"), Type.A).rcode()).isEqualTo(Rcode.NXDOMAIN);
        for (String ent : List.of("default.svc.cluster.local", "svc.cluster.local", "_tcp.web.default.svc.cluster.local")) {
            DnsZone.Answer a = zone.lookup(n(ent), Type.A);
            assertThat(a.rcode()).as(ent).isEqualTo(Rcode.NOERROR);
            assertThat(a.answers()).as(ent).isEmpty();
            assertThat(a.soa()).as(ent).isNotNull();
        }
        assertThat(zone.lookup(n("cluster.local"), Type.SOA).answers()).hasSize(1);
        assertThat(zone.lookup(n("example.com"), Type.A).authoritative()).isFalse();
    }

    @Test
    void namedPortsGetSrvTargetingTheServiceAndClusterIpsGetPtr() throws Exception {
        DnsZone zone = builder.build(List.of(clusterIp("default", "web", "10.96.0.10")), List.of(), List.of(),
                List.of(), 1);
        DnsZone.Answer srv = zone.lookup(n("_http._tcp.web.default.svc.cluster.local"), Type.SRV);
        assertThat(data(srv)).containsExactly("0 100 80 web.default.svc.cluster.local.");
        // the unnamed port 81 has no SRV name
        assertThat(zone.lookup(n("_81._tcp.web.default.svc.cluster.local"), Type.SRV).rcode())
                .isEqualTo(Rcode.NXDOMAIN);
        DnsZone.Answer ptr = zone.lookup(ReverseMap.fromAddress("10.96.0.10"), Type.PTR);
        assertThat(data(ptr)).containsExactly("web.default.svc.cluster.local.");
        // an address nobody has: not ours, forwarded (CoreDNS's fallthrough in-addr.arpa)
        assertThat(zone.lookup(ReverseMap.fromAddress("192.0.2.1"), Type.PTR).authoritative()).isFalse();
    }

    @Test
    void headlessServicesAnswerReadyEndpointsAndPerPodNames() throws Exception {
        Pod web0 = pod("default", "web-0", "10.244.0.5", "2026-01-01T00:00:00Z", "StatefulSet", "web", true);
        web0.getSpec().setHostname("web-0");
        web0.getSpec().setSubdomain("web");
        Pod web1 = pod("default", "web-1", "10.244.0.6", "2026-01-01T00:00:01Z", "StatefulSet", "web", false);
        web1.getSpec().setHostname("web-1");
        web1.getSpec().setSubdomain("web");
        DnsZone zone = builder.build(List.of(headless("default", "web")),
                List.of(slice("default", "web", "10.244.0.5", "web-0", true),
                        slice("default", "web", "10.244.0.6", "web-1", false)),
                List.of(web0, web1), List.of(), 1);
        assertThat(data(zone.lookup(n("web.default.svc.cluster.local"), Type.A))).containsExactly("10.244.0.5");
        assertThat(data(zone.lookup(n("web-0.web.default.svc.cluster.local"), Type.A)))
                .containsExactly("10.244.0.5");
        // not ready: no name
        assertThat(zone.lookup(n("web-1.web.default.svc.cluster.local"), Type.A).rcode()).isEqualTo(Rcode.NXDOMAIN);
        DnsZone.Answer srv = zone.lookup(n("_web._tcp.web.default.svc.cluster.local"), Type.SRV);
        assertThat(srv.answers()).singleElement().satisfies(r -> {
            assertThat(((SRVRecord) r).getTarget()).isEqualTo(n("web-0.web.default.svc.cluster.local"));
            assertThat(((SRVRecord) r).getPort()).isEqualTo(8080);
        });
        assertThat(data(zone.lookup(ReverseMap.fromAddress("10.244.0.5"), Type.PTR)))
                .containsExactly("web-0.web.default.svc.cluster.local.");
        // pod names for every running pod, ready or not; PTR of a non-endpoint pod is its pod name
        assertThat(data(zone.lookup(n("10-244-0-6.default.pod.cluster.local"), Type.A)))
                .containsExactly("10.244.0.6");
        assertThat(data(zone.lookup(ReverseMap.fromAddress("10.244.0.6"), Type.PTR)))
                .containsExactly("10-244-0-6.default.pod.cluster.local.");
        // pods verified: a well-formed address no pod of the namespace has is NXDOMAIN
        assertThat(zone.lookup(n("10-244-0-6.other.pod.cluster.local"), Type.A).rcode()).isEqualTo(Rcode.NXDOMAIN);
    }

    @Test
    void endpointsWithoutHostnameAreNamedByTheirDashedAddress() {
        DnsZone zone = builder.build(List.of(headless("ns1", "db")),
                List.of(slice("ns1", "db", "10.244.1.7", "db-xyz", true)), List.of(), List.of(), 1);
        assertThat(data(zone.lookup(n("10-244-1-7.db.ns1.svc.cluster.local"), Type.A))).containsExactly("10.244.1.7");
    }

    @Test
    void externalNameIsACnameForEveryType() {
        Service ext = new ServiceBuilder().withNewMetadata().withNamespace("default").withName("search").endMetadata()
                .withNewSpec().withType("ExternalName").withExternalName("search.example.com").endSpec().build();
        DnsZone zone = builder.build(List.of(ext), List.of(), List.of(), List.of(), 1);
        for (int type : new int[]{Type.A, Type.AAAA, Type.CNAME}) {
            DnsZone.Answer a = zone.lookup(n("search.default.svc.cluster.local"), type);
            assertThat(a.answers()).singleElement().satisfies(r -> {
                assertThat(r.getType()).isEqualTo(Type.CNAME);
                assertThat(r.rdataToString()).isEqualTo("search.example.com.");
            });
        }
    }

    @Test
    void bnsNamesFollowStatefulSetOrdinalsAndDeploymentCreationOrder() {
        ReplicaSet rs = new ReplicaSetBuilder().withNewMetadata().withNamespace("team").withName("api-5d8f")
                .addNewOwnerReference().withKind("Deployment").withName("api").withController(true)
                .withApiVersion("apps/v1").withUid("d").endOwnerReference().endMetadata().build();
        Pod newer = pod("team", "api-5d8f-bbbbb", "10.244.2.2", "2026-01-01T00:00:05Z", "ReplicaSet", "api-5d8f", true);
        Pod older = pod("team", "api-5d8f-zzzzz", "10.244.2.1", "2026-01-01T00:00:01Z", "ReplicaSet", "api-5d8f", true);
        Pod sameTime = pod("team", "api-5d8f-aaaaa", "10.244.2.3", "2026-01-01T00:00:05Z", "ReplicaSet", "api-5d8f",
                false);
        Pod orphanRs = pod("team", "batch-q1", "10.244.2.9", "2026-01-01T00:00:00Z", "ReplicaSet", "batch", true);
        Pod sts2 = pod("team", "db-2", "10.244.3.2", "2026-01-01T00:00:00Z", "StatefulSet", "db", true);
        Pod gone = pod("team", "api-5d8f-ccccc", "10.244.2.4", "2025-12-31T00:00:00Z", "ReplicaSet", "api-5d8f", true);
        gone.getStatus().setPhase("Failed");
        DnsZone zone = builder.build(List.of(), List.of(), List.of(newer, older, sameTime, orphanRs, sts2, gone),
                List.of(rs), 1);
        assertThat(data(zone.lookup(n("0.api.team.local.bns"), Type.A))).containsExactly("10.244.2.1");
        assertThat(data(zone.lookup(n("1.api.team.local.bns"), Type.A))).containsExactly("10.244.2.3");
        assertThat(data(zone.lookup(n("2.api.team.local.bns"), Type.A))).containsExactly("10.244.2.2");
        assertThat(zone.lookup(n("3.api.team.local.bns"), Type.A).rcode()).isEqualTo(Rcode.NXDOMAIN);
        // the job name: ready replicas only
        assertThat(data(zone.lookup(n("api.team.local.bns"), Type.A))).containsExactly("10.244.2.1", "10.244.2.2");
        assertThat(data(zone.lookup(n("0.batch.team.local.bns"), Type.A))).containsExactly("10.244.2.9");
        assertThat(data(zone.lookup(n("2.db.team.local.bns"), Type.A))).containsExactly("10.244.3.2");
        assertThat(zone.lookup(n("0.db.team.local.bns"), Type.A).rcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(data(zone.lookup(n("_http._tcp.api.team.local.bns"), Type.SRV)))
                .containsExactly("0 100 8080 0.api.team.local.bns.", "0 100 8080 2.api.team.local.bns.");
        // the user and cell are non-terminals; another cell is not ours
        assertThat(zone.lookup(n("team.local.bns"), Type.A).rcode()).isEqualTo(Rcode.NOERROR);
        assertThat(zone.lookup(n("0.api.team.other.bns"), Type.A).authoritative()).isFalse();
    }

    @Test
    void clusterDomainTtlAndCellAreConfigurable() {
        DnsZone zone = new ZoneBuilder("corp.example", 30, "west").build(
                List.of(clusterIp("default", "web", "10.96.0.10")), List.of(),
                List.of(pod("default", "x-0", "10.244.0.1", "2026-01-01T00:00:00Z", "StatefulSet", "x", true)),
                List.of(), 1);
        DnsZone.Answer a = zone.lookup(n("web.default.svc.corp.example"), Type.A);
        assertThat(data(a)).containsExactly("10.96.0.10");
        assertThat(a.answers().get(0).getTTL()).isEqualTo(30);
        assertThat(zone.lookup(n("web.default.svc.cluster.local"), Type.A).authoritative()).isFalse();
        assertThat(data(zone.lookup(n("0.x.default.west.bns"), Type.A))).containsExactly("10.244.0.1");
    }
}
