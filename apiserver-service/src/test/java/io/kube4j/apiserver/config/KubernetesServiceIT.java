package io.kube4j.apiserver.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.EtcdServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The {@code default/kubernetes} Service on two apiservers of one store, each advertising its own address: the
 * Service has the range's first address and port 443 to the apiserver's port; its Endpoints and EndpointSlice list
 * both apiservers while both renew their Leases, a Lease that stopped being renewed is not listed, an apiserver that
 * stops removes itself, and a deleted Service comes back.
 */
class KubernetesServiceIT {

    static final Duration WAIT = Duration.ofSeconds(20);
    static ApiServerInstance first;
    static ApiServerInstance second;

    @BeforeAll
    static void start() {
        first = ApiServerInstance.start(EtcdServer.shared().endpoint(), "kube4j.apiserver.advertise-address=127.0.0.1",
                "kube4j.apiserver.endpoint-reconcile-interval=1s");
        second = ApiServerInstance.start(EtcdServer.shared().endpoint(), "kube4j.apiserver.advertise-address=127.0.0.2",
                "kube4j.apiserver.endpoint-reconcile-interval=1s");
    }

    @AfterAll
    static void stop() {
        if (second != null) {
            second.close();
        }
        if (first != null) {
            first.close();
        }
    }

    @Test
    void theServiceListsTheLiveApiserversAndComesBack() {
        ApiClient api = first.client();
        JsonNode svc = api.get("/api/v1/namespaces/default/services/kubernetes").json();
        assertThat(svc.at("/spec/clusterIP").asString()).isEqualTo("10.96.0.1");
        assertThat(svc.at("/spec/ports/0/name").asString()).isEqualTo("https");
        assertThat(svc.at("/spec/ports/0/port").asInt()).isEqualTo(443);
        assertThat(svc.at("/metadata/labels/component").asString()).isEqualTo("apiserver");

        await().atMost(WAIT).untilAsserted(() -> assertThat(endpoints(api))
                .contains("127.0.0.1:" + first.port(), "127.0.0.2:" + second.port()));
        // one slice holds one port: the test's two apiservers listen on different ports, so the slice has the
        // first (in address order) and the Endpoints both, as a real cluster's apiservers share one port
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(sliceAddresses(api)).containsExactly("127.0.0.1");
            assertThat(api.get("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes").json()
                    .at("/ports/0/port").asInt()).isEqualTo(first.port());
        });

        // an apiserver that died without cleaning up: its Lease is no longer renewed, so it is not listed
        String stale = Instant.now().minus(1, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.MICROS).toString();
        ApiClient.Response lease = api.post("/apis/coordination.k8s.io/v1/namespaces/kube-system/leases", """
                {"metadata":{"name":"apiserver-endpoint-127-0-0-9-6443","labels":{"apiserver.kube4j.io/endpoint":"true"},
                 "annotations":{"apiserver.kube4j.io/advertise-address":"127.0.0.9","apiserver.kube4j.io/advertise-port":"6443"}},
                 "spec":{"holderIdentity":"gone","leaseDurationSeconds":15,"renewTime":"%s"}}""".formatted(stale));
        assertThat(lease.code()).as(lease.body()).isIn(201, 409);
        // two reconcile intervals later both live apiservers are still there, the dead one is not
        await().pollDelay(Duration.ofSeconds(2)).atMost(WAIT).untilAsserted(() -> assertThat(endpoints(api))
                .contains("127.0.0.1:" + first.port(), "127.0.0.2:" + second.port())
                .noneMatch(e -> e.startsWith("127.0.0.9")));

        // a deleted Service is recreated with the same address
        assertThat(api.delete("/api/v1/namespaces/default/services/kubernetes").code()).isEqualTo(200);
        await().atMost(WAIT).untilAsserted(() -> {
            ApiClient.Response again = api.get("/api/v1/namespaces/default/services/kubernetes");
            assertThat(again.code()).isEqualTo(200);
            assertThat(again.json().at("/spec/clusterIP").asString()).isEqualTo("10.96.0.1");
        });

        // an apiserver that stops removes itself at once
        int secondPort = second.port();
        second.close();
        second = null;
        await().atMost(WAIT).untilAsserted(() -> assertThat(endpoints(api))
                .contains("127.0.0.1:" + first.port()).doesNotContain("127.0.0.2:" + secondPort));
        api.delete("/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/apiserver-endpoint-127-0-0-9-6443");
    }

    @Test
    void usersCannotTakeTheReservedAddress() {
        ApiClient api = first.client();
        api.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"kubesvc-it\"}}");
        ApiClient.Response taken = api.post("/api/v1/namespaces/kubesvc-it/services", """
                {"metadata":{"name":"thief"},"spec":{"clusterIP":"10.96.0.1","ports":[{"port":80}]}}""");
        assertThat(taken.code()).as(taken.body()).isEqualTo(422);
        assertThat(taken.body()).contains("10.96.0.1");
    }

    static List<String> endpoints(ApiClient api) {
        JsonNode ep = api.get("/api/v1/namespaces/default/endpoints/kubernetes").json();
        List<String> out = new ArrayList<>();
        for (JsonNode subset : ep.path("subsets")) {
            int port = subset.at("/ports/0/port").asInt();
            for (JsonNode a : subset.path("addresses")) {
                out.add(a.path("ip").asString() + ":" + port);
            }
        }
        return out;
    }

    static List<String> sliceAddresses(ApiClient api) {
        JsonNode slice = api.get("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes").json();
        List<String> out = new ArrayList<>();
        for (JsonNode e : slice.path("endpoints")) {
            out.add(e.at("/addresses/0").asString());
        }
        return out;
    }
}
