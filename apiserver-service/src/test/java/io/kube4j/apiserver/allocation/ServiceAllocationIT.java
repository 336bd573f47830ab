package io.kube4j.apiserver.allocation;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.options.GetOption;
import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.ConfigMapWriter;
import io.kube4j.apiserver.testsupport.EtcdServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Service ClusterIP and NodePort allocation with two apiserver replicas on one etcd: no address or port is ever
 * handed out twice, requests for taken or out-of-range ones are refused, and deletion gives them back.
 */
class ServiceAllocationIT {

    private static final String NS = "service-allocation-it";
    private static final String PATH = "/api/v1/namespaces/" + NS + "/services";
    /** 10.96.0.0/12 */
    private static final long RANGE_START = ip("10.96.0.0");
    private static final long RANGE_END = ip("10.111.255.255");

    private static ApiServerInstance second;
    private static ApiClient one;
    private static ApiClient two;

    @BeforeAll
    static void twoReplicas() {
        one = ApiServerInstance.shared().client();
        second = ApiServerInstance.start(EtcdServer.shared().endpoint());
        two = second.client();
        ConfigMapWriter.createNamespace(one, NS);
    }

    @AfterAll
    static void stopSecond() {
        if (second != null) {
            second.close();
        }
    }

    @Test
    void twoHundredConcurrentNodePortServicesThroughTwoReplicasGetDistinctAddressesAndPorts() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<ApiClient.Response> created = new ArrayList<>();
        try {
            List<Future<ApiClient.Response>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                ApiClient via = i % 2 == 0 ? one : two;
                String name = "np-" + i;
                futures.add(pool.submit(() -> via.post(PATH, service(name, "NodePort", null, null))));
            }
            for (Future<ApiClient.Response> f : futures) {
                created.add(f.get(2, TimeUnit.MINUTES));
            }
        } finally {
            pool.shutdownNow();
        }

        Set<String> ips = new HashSet<>();
        Set<Integer> ports = new HashSet<>();
        for (ApiClient.Response r : created) {
            assertThat(r.code()).as(r.body()).isEqualTo(201);
            JsonNode spec = r.json().path("spec");
            String ip = spec.path("clusterIP").asString();
            assertThat(ip(ip)).as(ip).isBetween(RANGE_START, RANGE_END);
            assertThat(spec.path("clusterIPs").get(0).asString()).isEqualTo(ip);
            ips.add(ip);
            int port = spec.path("ports").get(0).path("nodePort").asInt();
            assertThat(port).isBetween(30000, 32767);
            ports.add(port);
        }
        assertThat(ips).hasSize(200);
        assertThat(ports).hasSize(200);
    }

    @Test
    void aTakenClusterIpIsRefusedOnBothReplicas() {
        ApiClient.Response taken = one.post(PATH, service("taken-ip", "ClusterIP", null, null));
        assertThat(taken.code()).as(taken.body()).isEqualTo(201);
        String ip = taken.json().path("spec").path("clusterIP").asString();

        for (ApiClient via : List.of(one, two)) {
            ApiClient.Response r = via.post(PATH, service("wants-taken-ip", "ClusterIP", ip, null));
            assertInvalid(r, "spec.clusterIPs");
            assertThat(r.json().path("message").asString()).contains("already allocated");
        }
        assertThat(one.get(PATH + "/wants-taken-ip").code()).isEqualTo(404);
    }

    @Test
    void aTakenNodePortIsRefused() {
        ApiClient.Response taken = two.post(PATH, service("taken-port", "NodePort", null, null));
        assertThat(taken.code()).as(taken.body()).isEqualTo(201);
        int port = taken.json().path("spec").path("ports").get(0).path("nodePort").asInt();

        assertInvalid(one.post(PATH, service("wants-taken-port", "NodePort", null, port)), "spec.ports[0].nodePort");
    }

    @Test
    void aClusterIpOutsideTheServiceRangeIsRefused() {
        ApiClient.Response r = one.post(PATH, service("outside", "ClusterIP", "192.168.7.7", null));
        assertInvalid(r, "spec.clusterIPs");
        assertThat(r.json().path("message").asString()).contains("not in the valid range");
    }

    @Test
    void aHeadlessServiceAllocatesNoAddress() {
        long before = allocatedIps();
        ApiClient.Response r = two.post(PATH, service("headless", "ClusterIP", "None", null));
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        assertThat(r.json().path("spec").path("clusterIP").asString()).isEqualTo("None");
        assertThat(r.json().path("spec").path("clusterIPs").get(0).asString()).isEqualTo("None");
        assertThat(allocatedIps()).isEqualTo(before);
    }

    @Test
    void deletingAServiceReleasesItsAddressAndPortForAnExplicitRequest() {
        ApiClient.Response created = one.post(PATH, service("released", "NodePort", null, null));
        assertThat(created.code()).as(created.body()).isEqualTo(201);
        String ip = created.json().path("spec").path("clusterIP").asString();
        int port = created.json().path("spec").path("ports").get(0).path("nodePort").asInt();
        // While it exists, both are refused.
        assertInvalid(two.post(PATH, service("reuse", "NodePort", ip, null)), "spec.clusterIPs");

        ApiClient.Response deleted = one.delete(PATH + "/released");
        assertThat(deleted.code()).as(deleted.body()).isEqualTo(200);

        ApiClient.Response reuse = two.post(PATH, service("reuse", "NodePort", ip, port));
        assertThat(reuse.code()).as(reuse.body()).isEqualTo(201);
        assertThat(reuse.json().path("spec").path("clusterIP").asString()).isEqualTo(ip);
        assertThat(reuse.json().path("spec").path("ports").get(0).path("nodePort").asInt()).isEqualTo(port);
    }

    private static void assertInvalid(ApiClient.Response r, String field) {
        assertThat(r.code()).as(r.body()).isEqualTo(422);
        assertThat(r.json().path("reason").asString()).isEqualTo("Invalid");
        List<String> fields = new ArrayList<>();
        r.json().path("details").path("causes").forEach(c -> fields.add(c.path("field").asString()));
        assertThat(fields).as(r.body()).contains(field);
    }

    private static String service(String name, String type, String clusterIp, Integer nodePort) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":{\"type\":\""
                + type + "\"," + (clusterIp == null ? "" : "\"clusterIP\":\"" + clusterIp + "\",")
                + "\"selector\":{\"app\":\"" + name + "\"},\"ports\":[{\"port\":80,\"targetPort\":8080"
                + (nodePort == null ? "" : ",\"nodePort\":" + nodePort) + "}]}}";
    }

    /** How many ClusterIPs are allocated in etcd. */
    private static long allocatedIps() {
        try (Client etcd = Client.builder().endpoints(EtcdServer.shared().endpoint()).build()) {
            ByteSequence prefix = ByteSequence.from("/registry/ranges/serviceips/", StandardCharsets.UTF_8);
            return etcd.getKVClient().get(prefix, GetOption.builder().isPrefix(true).withCountOnly(true).build())
                    .get(10, TimeUnit.SECONDS).getCount();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long ip(String text) {
        return ServiceAllocators.ipv4(text);
    }
}
