package io.kube4j.node.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodDNSConfig;
import io.fabric8.kubernetes.api.model.PodDNSConfigOption;
import org.junit.jupiter.api.Test;

class PodDnsTest {

    static final PodDns.HostConfig HOST = PodDns.HostConfig.parse(List.of(
            "# written by the installer", "nameserver 127.0.0.53", "nameserver 192.0.2.53 ; the site resolver",
            "search corp.example lab.example.", "options edns0 timeout:2"));
    static final PodDns CLUSTER = new PodDns(List.of("10.96.0.10"), "cluster.local.", HOST);
    static final PodDns NO_CLUSTER_DNS = new PodDns(List.of(), "cluster.local", HOST);

    static Pod pod(String policy, boolean hostNetwork, PodDNSConfig config) {
        return new PodBuilder().withNewMetadata().withName("p").withNamespace("shop").endMetadata()
                .withNewSpec().withDnsPolicy(policy).withHostNetwork(hostNetwork).withDnsConfig(config).endSpec().build();
    }

    @Test
    void parsesResolvConfAsTheLibcDoes() {
        assertThat(HOST.nameservers()).containsExactly("127.0.0.53", "192.0.2.53");
        assertThat(HOST.searches()).containsExactly("corp.example", "lab.example");
        assertThat(HOST.options()).containsExactly("edns0", "timeout:2");
    }

    @Test
    void clusterFirstGetsTheClusterServerSearchesAndNdots() {
        PodDns.Settings s = CLUSTER.configure(pod("ClusterFirst", false, null));
        assertThat(s.nameservers()).containsExactly("10.96.0.10");
        assertThat(s.searches()).containsExactly("shop.svc.cluster.local", "svc.cluster.local", "cluster.local",
                "corp.example", "lab.example");
        assertThat(s.options()).containsExactly("ndots:5");
        assertThat(CLUSTER.configure(pod(null, false, null))).isEqualTo(s);
    }

    @Test
    void hostNetworkPodsNeedClusterFirstWithHostNetForTheClusterServer() {
        assertThat(CLUSTER.configure(pod("ClusterFirst", true, null)).isRuntimeDefault()).isTrue();
        assertThat(CLUSTER.configure(pod("ClusterFirstWithHostNet", true, null)).nameservers())
                .containsExactly("10.96.0.10");
    }

    @Test
    void withoutClusterDnsClusterFirstFallsBackToTheNodesResolution() {
        assertThat(NO_CLUSTER_DNS.configure(pod("ClusterFirst", false, null)).isRuntimeDefault()).isTrue();
        assertThat(CLUSTER.configure(pod("Default", false, null)).isRuntimeDefault()).isTrue();
    }

    @Test
    void defaultWithADnsConfigMergesItIntoTheNodesReachableServers() {
        PodDNSConfig config = new PodDNSConfig(List.of("192.0.2.1"),
                List.of(new PodDNSConfigOption("ndots", "2"), new PodDNSConfigOption("timeout", "5")),
                List.of("team.example"));
        PodDns.Settings s = CLUSTER.configure(pod("Default", false, config));
        assertThat(s.nameservers()).containsExactly("192.0.2.53", "192.0.2.1"); // 127.0.0.53 is not reachable
        assertThat(s.searches()).containsExactly("team.example", "corp.example", "lab.example");
        assertThat(s.options()).containsExactly("edns0", "timeout:5", "ndots:2");
        assertThat(CLUSTER.configure(pod("Default", true, config)).nameservers())
                .containsExactly("127.0.0.53", "192.0.2.53", "192.0.2.1");
    }

    @Test
    void noneIsOnlyTheDnsConfigWithinKubernetesLimits() {
        List<String> searches = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            searches.add("s" + i + ".example");
        }
        PodDNSConfig config = new PodDNSConfig(List.of("192.0.2.1", "192.0.2.2", "192.0.2.1", "192.0.2.3", "192.0.2.4"),
                List.of(new PodDNSConfigOption("single-request", null)), searches);
        PodDns.Settings s = CLUSTER.configure(pod("None", false, config));
        assertThat(s.nameservers()).containsExactly("192.0.2.1", "192.0.2.2", "192.0.2.3");
        assertThat(s.searches()).hasSize(PodDns.MAX_SEARCHES).startsWith("s0.example");
        assertThat(s.options()).containsExactly("single-request");
        assertThat(CLUSTER.configure(pod("None", false, null)).isRuntimeDefault()).isTrue();
    }

    @Test
    void clusterFirstWithADnsConfigKeepsTheClusterServerFirst() {
        PodDNSConfig config = new PodDNSConfig(List.of("192.0.2.1"), List.of(), List.of("extra.example"));
        PodDns.Settings s = CLUSTER.configure(pod("ClusterFirst", false, config));
        assertThat(s.nameservers()).containsExactly("10.96.0.10", "192.0.2.1");
        assertThat(s.searches()).first().isEqualTo("extra.example");
    }
}
