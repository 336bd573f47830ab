package io.kube4j.proxy.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.proxy.ProxyAgentApplication;
import io.kube4j.proxy.exec.CommandRunner;
import io.kube4j.proxy.health.ProxyHealthServer;
import io.kube4j.proxy.testsupport.PrivateNetns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

/**
 * The real application, started in-process as {@code java -jar} would start it (component scan, properties,
 * actuator), against the shared apiserver on etcd, in iptables mode with its {@link CommandRunner} pointed into a
 * network namespace of the test's own (so the host's tables are untouched): a Service and its EndpointSlice written
 * to the apiserver end up as rules in that namespace, {@code /healthz} turns 200 after the first sync, and
 * {@code /actuator/prometheus} shows kube-proxy's sync histogram.
 */
class ProxyAgentApplicationIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String NS = "proxy-app-it-" + UUID.randomUUID().toString().substring(0, 6);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private PrivateNetns netns;
    private ConfigurableApplicationContext app;

    @AfterEach
    void tearDown() {
        if (app != null) {
            app.getBean(KubeClient.class).resources(Namespace.class).delete(null, NS, DeleteOptions.defaults())
                    .onErrorComplete().block(WAIT);
            app.close();
        }
        if (netns != null) {
            netns.close();
        }
    }

    @Test
    void servicesFromTheApiserverBecomeRulesAndHealthAndMetricsSaySo() throws Exception {
        Requirements.requireBinary("etcd");
        String apiserver = ApiServerInstance.shared().url();
        netns = PrivateNetns.create("app");
        CommandRunner inside = netns.runner();

        app = new SpringApplicationBuilder(ProxyAgentApplication.class)
                .initializers(ctx -> ctx.getBeanFactory().registerSingleton("netnsCommandRunner", inside))
                .run("--server.port=0", "--server.address=127.0.0.1", "--kube4j.client.server=" + apiserver,
                        "--kube4j.proxy.node-name=node-app-it", "--kube4j.proxy.mode=iptables",
                        "--kube4j.proxy.healthz-bind-address=127.0.0.1:0", "--kube4j.proxy.min-sync-period=100ms");
        assertThat(app.getBean(CommandRunner.class)).isSameAs(inside);
        int metricsPort = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
        int healthzPort = app.getBean(ProxyHealthServer.class).port();

        // after the first sync: 200 with the time of that sync (kube-proxy's JSON)
        await().atMost(WAIT).untilAsserted(() -> {
            HttpResponse<String> healthz = get(healthzPort, "/healthz");
            assertThat(healthz.statusCode()).isEqualTo(200);
            assertThat(healthz.body()).matches("(?s).*\"lastUpdated\": ?\"\\d{4}-.*")
                    .containsPattern("\"nodeHealthy\": ?true").contains("\"currentTime\"");
        });
        await().atMost(WAIT).untilAsserted(() -> assertThat(get(metricsPort, "/actuator/health").statusCode())
                .isEqualTo(200));

        KubeClient client = app.getBean(KubeClient.class);
        client.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata()
                .build()).block(WAIT);
        Service svc = client.resources(Service.class).create(new ServiceBuilder()
                .withNewMetadata().withNamespace(NS).withName("web").endMetadata()
                .withNewSpec().withSelector(java.util.Map.of("app", "web"))
                .addNewPort().withName("http").withPort(80).withNewTargetPort(8080).withProtocol("TCP").endPort()
                .endSpec().build()).block(WAIT);
        String clusterIP = svc.getSpec().getClusterIP();
        assertThat(clusterIP).as("the apiserver allocated a ClusterIP").isNotBlank();
        client.resources(EndpointSlice.class).create(new EndpointSliceBuilder()
                .withNewMetadata().withNamespace(NS).withName("web-abc12")
                .addToLabels("kubernetes.io/service-name", "web").endMetadata()
                .withAddressType("IPv4")
                .addNewEndpoint().withAddresses("10.244.1.2").withNewConditions().withReady(true).endConditions()
                .withNodeName("node-app-it").endEndpoint()
                .addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort()
                .build()).block(WAIT);

        await().atMost(WAIT).untilAsserted(() -> assertThat(inside.run("iptables-save", "-t", "nat").orThrow()
                .stdout()).contains("-d " + clusterIP + "/32", "--to-destination 10.244.1.2:8080"));

        String prometheus = get(metricsPort, "/actuator/prometheus").body();
        assertThat(prometheus).contains("kubeproxy_sync_proxy_rules_duration_seconds_bucket",
                "kubeproxy_sync_proxy_rules_last_timestamp_seconds", "kubeproxy_network_programming_duration_seconds");
        assertThat(get(metricsPort, "/actuator/health").body()).contains("\"status\":\"UP\"");
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
