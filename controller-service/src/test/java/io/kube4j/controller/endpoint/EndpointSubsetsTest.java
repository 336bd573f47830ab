package io.kube4j.controller.endpoint;

import static io.kube4j.controller.endpoint.TestObjects.pod;
import static io.kube4j.controller.endpoint.TestObjects.port;
import static io.kube4j.controller.endpoint.TestObjects.service;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import org.junit.jupiter.api.Test;

class EndpointSubsetsTest {

    private static List<String> ips(List<EndpointAddress> a) {
        return a.stream().map(EndpointAddress::getIp).toList();
    }

    @Test
    void readyAndNotReadyAddressesWithTheirTargets() {
        Service svc = service("ns", "web", "10.96.0.10", List.of(port("http", 80, new IntOrString("http"))));
        List<EndpointSubset> subsets = EndpointsController.desiredSubsets(svc, List.of(
                pod("ns", "b", "10.0.0.2", false), pod("ns", "a", "10.0.0.10", true), pod("ns", "c", "10.0.0.9", true)));
        assertThat(subsets).hasSize(1);
        EndpointSubset s = subsets.get(0);
        assertThat(ips(s.getAddresses())).containsExactly("10.0.0.9", "10.0.0.10");
        assertThat(ips(s.getNotReadyAddresses())).containsExactly("10.0.0.2");
        assertThat(s.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort()).isEqualTo(8080);
            assertThat(p.getName()).isEqualTo("http");
            assertThat(p.getProtocol()).isEqualTo("TCP");
        });
        EndpointAddress a = s.getAddresses().get(0);
        assertThat(a.getNodeName()).isEqualTo("node-1");
        assertThat(a.getTargetRef().getKind()).isEqualTo("Pod");
        assertThat(a.getTargetRef().getName()).isEqualTo("c");
        assertThat(a.getTargetRef().getUid()).isEqualTo("uid-c");
    }

    @Test
    void publishNotReadyAddressesMakesEveryPodReadyIncludingTerminatingOnes() {
        Service svc = new ServiceBuilder(service("ns", "web", "10.96.0.10", List.of(port("p", 80, new IntOrString(80)))))
                .editSpec().withPublishNotReadyAddresses(true).endSpec().build();
        Pod terminating = new PodBuilder(pod("ns", "t", "10.0.0.3", true)).editMetadata()
                .withDeletionTimestamp("2026-11-27T07:00:00Z").endMetadata().build();
        List<EndpointSubset> subsets = EndpointsController.desiredSubsets(svc,
                List.of(pod("ns", "u", "10.0.0.2", false), terminating));
        assertThat(ips(subsets.get(0).getAddresses())).containsExactly("10.0.0.2", "10.0.0.3");
        assertThat(subsets.get(0).getNotReadyAddresses()).isEmpty();
    }

    @Test
    void terminatingPodsAreLeftOutOfEndpoints() {
        Service svc = service("ns", "web", "10.96.0.10", List.of(port("p", 80, new IntOrString(80))));
        Pod terminating = new PodBuilder(pod("ns", "t", "10.0.0.3", true)).editMetadata()
                .withDeletionTimestamp("2026-11-27T07:00:00Z").endMetadata().build();
        assertThat(EndpointsController.desiredSubsets(svc, List.of(terminating))).isEmpty();
    }

    @Test
    void podsLackingANamedPortAreLeftOutOfThatPortOnly() {
        Service svc = service("ns", "web", "10.96.0.10", List.of(port("http", 80, new IntOrString("http")),
                port("metrics", 9090, new IntOrString(9090))));
        Pod noHttp = new PodBuilder(pod("ns", "n", "10.0.0.5", true)).editSpec()
                .withContainers(new ContainerBuilder().withName("c").withPorts(new ContainerPortBuilder()
                        .withName("web").withContainerPort(8000).build()).build()).endSpec().build();
        Pod other = new PodBuilder(pod("ns", "o", "10.0.0.6", true)).editSpec()
                .withContainers(new ContainerBuilder().withName("c").withPorts(new ContainerPortBuilder()
                        .withName("http").withContainerPort(8000).withProtocol("TCP").build()).build()).endSpec().build();
        List<EndpointSubset> subsets = EndpointsController.desiredSubsets(svc,
                List.of(pod("ns", "a", "10.0.0.1", true), noHttp, other));
        // 10.0.0.1: http→8080 + metrics; 10.0.0.5: metrics only; 10.0.0.6: http→8000 + metrics
        assertThat(subsets).extracting(s -> ips(s.getAddresses()) + "" + s.getPorts().stream()
                        .map(p -> p.getName() + ":" + p.getPort()).toList())
                .containsExactlyInAnyOrder("[10.0.0.1][http:8080]", "[10.0.0.6][http:8000]",
                        "[10.0.0.1, 10.0.0.5, 10.0.0.6][metrics:9090]");
    }

    @Test
    void headlessServiceWithoutPortsListsBareAddresses() {
        Service svc = service("ns", "db", "None", List.of());
        List<EndpointSubset> subsets = EndpointsController.desiredSubsets(svc, List.of(pod("ns", "a", "10.0.0.1", true)));
        assertThat(subsets).singleElement().satisfies(s -> {
            assertThat(ips(s.getAddresses())).containsExactly("10.0.0.1");
            assertThat(s.getPorts()).isEmpty();
        });
        assertThat(EndpointsController.labels(svc)).containsEntry(PodEndpoints.HEADLESS_LABEL, "");
        // a service with a cluster IP and no ports has no endpoints
        assertThat(EndpointsController.desiredSubsets(service("ns", "x", "10.96.0.1", List.of()),
                List.of(pod("ns", "a", "10.0.0.1", true)))).isEmpty();
    }

    @Test
    void repackIgnoresOrderAndTargetResourceVersion() {
        Service svc = service("ns", "web", "10.96.0.10", List.of(port("http", 80, new IntOrString("http"))));
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            pods.add(pod("ns", "p" + i, "10.0.1." + i, i % 3 != 0));
        }
        List<EndpointSubset> a = EndpointsController.desiredSubsets(svc, pods);
        Collections.reverse(pods);
        List<EndpointSubset> b = EndpointsController.desiredSubsets(svc, pods);
        b.get(0).getAddresses().get(0).getTargetRef().setResourceVersion("42");
        Collections.reverse(b.get(0).getAddresses());
        assertThat(EndpointSubsets.repack(b)).isEqualTo(a);
    }

    @Test
    void overCapacityKeepsReadyAddressesFirst() {
        Service svc = service("ns", "web", "10.96.0.10", List.of(port("p", 80, new IntOrString(80))));
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < 1200; i++) {
            pods.add(pod("ns", "p" + i, "10." + (i / 250) + ".0." + (i % 250), i < 900));
        }
        List<EndpointSubset> subsets = EndpointsController.desiredSubsets(svc, pods);
        assertThat(EndpointSubsets.count(subsets)).isEqualTo(1200);
        assertThat(EndpointSubsets.truncate(subsets)).isTrue();
        assertThat(subsets.get(0).getAddresses()).hasSize(900);
        assertThat(subsets.get(0).getNotReadyAddresses()).hasSize(100);
        List<EndpointSubset> small = EndpointsController.desiredSubsets(svc, pods.subList(0, 1000));
        assertThat(EndpointSubsets.truncate(small)).isFalse();
    }

    @Test
    void moreReadyThanCapacityDropsAllNotReady() {
        Service svc = service("ns", "web", "10.96.0.10", List.of(port("p", 80, new IntOrString(80))));
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < 1100; i++) {
            pods.add(pod("ns", "p" + i, "10." + (i / 250) + ".0." + (i % 250), i < 1050));
        }
        List<EndpointSubset> subsets = EndpointsController.desiredSubsets(svc, pods);
        assertThat(EndpointSubsets.truncate(subsets)).isTrue();
        assertThat(subsets.get(0).getAddresses()).hasSize(1000);
        assertThat(subsets.get(0).getNotReadyAddresses()).isEmpty();
    }
}
