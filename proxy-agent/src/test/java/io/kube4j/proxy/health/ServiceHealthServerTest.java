package io.kube4j.proxy.health;

import io.kube4j.proxy.model.EndpointInfo;
import io.kube4j.proxy.model.ProxyState;
import io.kube4j.proxy.model.ServicePortInfo;
import io.kube4j.proxy.model.ServicePortName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Per-Service health check ports over real HTTP on loopback. */
class ServiceHealthServerTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final AtomicBoolean proxyHealthy = new AtomicBoolean(true);
    private final ServiceHealthServer server = new ServiceHealthServer("127.0.0.1", proxyHealthy::get);

    @AfterEach
    void tearDown() {
        server.stop();
    }

    @Test
    void answersWithTheNumberOfReadyLocalEndpoints() throws Exception {
        int hc = freePort();
        ServicePortName http = spn("web", "http");
        ServicePortName https = spn("web", "https");
        server.update(state(Map.of(http, lb(http, hc), https, lb(https, hc)), Map.of(
                http, List.of(ep("10.1.0.1", true, true), ep("10.1.0.2", true, true), ep("10.1.0.3", false, true),
                        ep("10.1.0.4", true, false)),
                https, List.of(ep("10.1.0.1", true, true)))));

        HttpResponse<String> r = get(hc, "/healthz");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-Load-Balancing-Endpoint-Weight")).hasValue("2");
        assertThat(r.body()).isEqualTo("{\"service\": {\"namespace\": \"ns\", \"name\": \"web\"}, \"localEndpoints\": 2, "
                + "\"serviceProxyHealthy\": true}");
        assertThat(get(hc, "/any/path").statusCode()).isEqualTo(200);
        assertThat(server.listening()).containsExactly(Map.entry("ns/web", hc));
    }

    @Test
    void noLocalEndpointsOrAnUnhealthyProxyIs503() throws Exception {
        int hc = freePort();
        ServicePortName http = spn("web", "http");
        server.update(state(Map.of(http, lb(http, hc)), Map.of(http, List.of(ep("10.1.0.5", false, true)))));
        HttpResponse<String> r = get(hc, "/");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("\"localEndpoints\": 0");

        server.update(state(Map.of(http, lb(http, hc)), Map.of(http, List.of(ep("10.1.0.1", true, true)))));
        assertThat(get(hc, "/").statusCode()).as("the same listener, new count").isEqualTo(200);
        proxyHealthy.set(false);
        r = get(hc, "/");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("\"localEndpoints\": 1").contains("\"serviceProxyHealthy\": false");
    }

    @Test
    void listenersFollowTheServices() throws Exception {
        int hc1 = freePort();
        int hc2 = freePort();
        ServicePortName web = spn("web", "http");
        ServicePortName api = spn("api", "http");
        ServicePortName plain = spn("plain", "http");
        Map<ServicePortName, List<EndpointInfo>> eps = Map.of(web, List.of(ep("10.1.0.1", true, true)),
                api, List.of(ep("10.1.0.2", true, true)));
        server.update(state(Map.of(web, lb(web, hc1), api, lb(api, hc2), plain, clusterIP(plain)), eps));
        assertThat(server.listening()).containsOnly(Map.entry("ns/web", hc1), Map.entry("ns/api", hc2));

        // web goes away, api moves its health check port
        int hc3 = freePort();
        server.update(state(Map.of(api, lb(api, hc3)), eps));
        assertThat(server.listening()).containsOnly(Map.entry("ns/api", hc3));
        assertThat(get(hc3, "/").body()).contains("\"name\": \"api\"");
        assertThatThrownBy(() -> get(hc1, "/")).isInstanceOf(ConnectException.class);
        assertThatThrownBy(() -> get(hc2, "/")).isInstanceOf(ConnectException.class);
    }

    @Test
    void aPortInUseIsSkippedAndRetriedWithoutHarmingTheOthers() throws Exception {
        int free = freePort();
        ServicePortName web = spn("web", "http");
        ServicePortName api = spn("api", "http");
        Map<ServicePortName, List<EndpointInfo>> eps = Map.of(web, List.of(ep("10.1.0.1", true, true)));
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            server.update(state(Map.of(web, lb(web, free), api, lb(api, taken.getLocalPort())), eps));
            assertThat(server.listening()).containsOnly(Map.entry("ns/web", free));
            assertThat(get(free, "/").statusCode()).isEqualTo(200);
            int takenPort = taken.getLocalPort();
            taken.close();
            server.update(state(Map.of(web, lb(web, free), api, lb(api, takenPort)), eps));
            assertThat(server.listening()).containsOnly(Map.entry("ns/web", free), Map.entry("ns/api", takenPort));
        }
    }

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static ServicePortName spn(String name, String port) {
        return new ServicePortName("ns", name, port, "TCP");
    }

    private static ServicePortInfo lb(ServicePortName n, int healthCheckNodePort) {
        return new ServicePortInfo(n, "LoadBalancer", "10.96.0.10", 80, "TCP", 30080, List.of(), List.of("203.0.113.1"),
                false, 0, true, false, healthCheckNodePort);
    }

    private static ServicePortInfo clusterIP(ServicePortName n) {
        return new ServicePortInfo(n, "ClusterIP", "10.96.0.20", 80, "TCP", 0, List.of(), List.of(), false, 0, false,
                false, 0);
    }

    private static EndpointInfo ep(String ip, boolean local, boolean ready) {
        return new EndpointInfo(ip, 8080, ready, ready, false, local ? "node-a" : "node-b", local);
    }

    private static ProxyState state(Map<ServicePortName, ServicePortInfo> services,
                                    Map<ServicePortName, List<EndpointInfo>> endpoints) {
        return new ProxyState(new TreeMap<>(services), new HashMap<>(endpoints), Set.of(), Map.of());
    }
}
