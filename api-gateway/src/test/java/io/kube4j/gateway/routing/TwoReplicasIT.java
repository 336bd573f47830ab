package io.kube4j.gateway.routing;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.TestPki;
import io.kube4j.gateway.testsupport.GatewayInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two real secure apiservers on one etcd behind one gateway: reads are spread over both; one replica is stopped in
 * the middle of a read-heavy run with writes in flight: no read fails, every write either succeeds or fails with a
 * Status, and no object is created twice; the replica restarted on its port rejoins and gets traffic again.
 */
class TwoReplicasIT {

    static final int READERS = 8;
    static final int WRITERS = 2;

    static ApiServerInstance a;
    static ApiServerInstance b;
    static GatewayInstance gateway;
    static TestPki pki;
    static String ns;

    @BeforeAll
    static void start() {
        a = ApiServerInstance.secureShared();
        pki = a.pki();
        b = ApiServerInstance.startSecure(pki);
        gateway = GatewayInstance.start(pki, List.of(a.url(), b.url()),
                "kube4j.gateway.upstream.health-check-interval=1s");
        ns = "two-replicas-" + UUID.randomUUID().toString().substring(0, 8);
        ApiClient admin = gateway.client(pki.admin());
        ApiClient.Response r = admin.post("/api/v1/namespaces",
                "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + ns + "\"}}");
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        for (int i = 0; i < 5; i++) {
            r = admin.post("/api/v1/namespaces/" + ns + "/configmaps", configMap("\"name\":\"seed-" + i + "\"", "seed", "0"));
            assertThat(r.code()).as(r.body()).isEqualTo(201);
        }
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (b != null) {
            b.close();
        }
    }

    static String configMap(String name, String run, String attempt) {
        return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{" + name + ",\"labels\":{\"run\":\"" + run
                + "\",\"attempt\":\"" + attempt + "\"}},\"data\":{\"k\":\"v\"}}";
    }

    static UpstreamReplica replica(ApiServerInstance i) {
        return gateway.bean(UpstreamPool.class).replicas().stream().filter(r -> r.server().equals(i.url()))
                .findFirst().orElseThrow();
    }

    @Test
    void stoppingAReplicaDuringAReadHeavyRunFailsNoReadAndDuplicatesNoWrite() throws Exception {
        ApiClient client = gateway.client(pki.admin());
        UpstreamReplica ra = replica(a);
        UpstreamReplica rb = replica(b);
        String run = UUID.randomUUID().toString().substring(0, 8);
        AtomicLong reads = new AtomicLong();
        List<String> failedReads = new ArrayList<>();
        Map<String, Integer> writeOutcomes = new ConcurrentHashMap<>();
        List<String> uncleanWrites = new ArrayList<>();
        // the run ends a bounded number of reads after the stop (the machine's speed varies), within 90 s at most
        AtomicBoolean done = new AtomicBoolean();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        ExecutorService pool = Executors.newFixedThreadPool(READERS + WRITERS);
        List<Future<?>> tasks = new ArrayList<>();
        for (int t = 0; t < READERS; t++) {
            int reader = t;
            tasks.add(pool.submit(() -> {
                for (int i = 0; !done.get() && System.nanoTime() < deadline; i++) {
                    String path = (i + reader) % 2 == 0 ? "/api/v1/namespaces/" + ns + "/configmaps"
                            : "/api/v1/namespaces/" + ns + "/configmaps/seed-" + (i % 5);
                    try {
                        ApiClient.Response r = client.get(path);
                        if (r.code() != 200) {
                            synchronized (failedReads) {
                                failedReads.add(path + " -> " + r.code() + " " + r.body());
                            }
                        }
                    } catch (RuntimeException e) {
                        synchronized (failedReads) {
                            failedReads.add(path + " -> " + e);
                        }
                    }
                    reads.incrementAndGet();
                }
            }));
        }
        AtomicInteger attempts = new AtomicInteger();
        for (int t = 0; t < WRITERS; t++) {
            tasks.add(pool.submit(() -> {
                while (!done.get() && System.nanoTime() < deadline) {
                    String attempt = Integer.toString(attempts.incrementAndGet());
                    // generateName: a create sent twice would make two objects with this attempt's label
                    String body = configMap("\"generateName\":\"w-\"", run, attempt);
                    try {
                        ApiClient.Response r = client.post("/api/v1/namespaces/" + ns + "/configmaps", body);
                        writeOutcomes.put(attempt, r.code());
                        boolean cleanFailure = r.code() >= 500 && r.json() != null
                                && "Status".equals(r.json().at("/kind").asText())
                                && !r.json().at("/reason").asText().isEmpty();
                        if (r.code() != 201 && !cleanFailure) {
                            synchronized (uncleanWrites) {
                                uncleanWrites.add(attempt + " -> " + r.code() + " " + r.body());
                            }
                        }
                    } catch (RuntimeException e) {
                        synchronized (uncleanWrites) {
                            uncleanWrites.add(attempt + " -> " + e);
                        }
                    }
                }
            }));
        }
        // both replicas take reads before the stop
        await().atMost(Duration.ofSeconds(30)).until(() -> ra.served() > 100 && rb.served() > 100);
        long servedByABeforeStop = ra.served();
        long servedByBBeforeStop = rb.served();
        // b stops under load
        b.close();
        long readsAtStop = reads.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> !rb.healthy());
        await().atMost(Duration.ofSeconds(60)).until(() -> reads.get() > readsAtStop + 400);
        done.set(true);
        for (Future<?> f : tasks) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();

        assertThat(servedByABeforeStop).isGreaterThan(100);
        assertThat(servedByBBeforeStop).isGreaterThan(100);
        assertThat(failedReads).as("failed reads out of %d", reads.get()).isEmpty();
        assertThat(uncleanWrites).isEmpty();
        assertThat(writeOutcomes).isNotEmpty();

        // count the objects of every attempt: at most one each, exactly one for each success
        ApiClient.Response list = client.get("/api/v1/namespaces/" + ns + "/configmaps?labelSelector=run%3D" + run);
        assertThat(list.code()).as(list.body()).isEqualTo(200);
        Map<String, Integer> objects = new ConcurrentHashMap<>();
        list.json().at("/items").forEach(item ->
                objects.merge(item.at("/metadata/labels/attempt").asText(), 1, Integer::sum));
        assertThat(objects.values()).as("objects per attempt").allMatch(n -> n == 1);
        writeOutcomes.forEach((attempt, code) -> {
            if (code == 201) {
                assertThat(objects).as("attempt %s succeeded", attempt).containsKey(attempt);
            }
        });

        // restarted on its port, the replica passes its health check and takes traffic again
        b.restart();
        await().atMost(Duration.ofSeconds(20)).until(rb::healthy);
        long before = rb.served();
        for (int i = 0; i < 20; i++) {
            ApiClient.Response r = client.get("/api/v1/namespaces/" + ns + "/configmaps/seed-0");
            assertThat(r.code()).as(r.body()).isEqualTo(200);
        }
        assertThat(rb.served()).isGreaterThan(before);

        // the pool's state in the gateway's metrics
        // (the actuator is on the gateway's loopback management port, not behind the edge)
        ApiClient.Response metrics = new ApiClient(gateway.managementUrl()).get("/actuator/prometheus");
        assertThat(metrics.code()).as(metrics.body()).isEqualTo(200);
        assertThat(metrics.body())
                .contains("gateway_upstream_healthy{server=\"" + b.url() + "\"} 1.0")
                .contains("gateway_upstream_outstanding{server=\"" + a.url() + "\"}")
                .contains("gateway_upstream_requests_total{server=\"" + b.url() + "\"}")
                .contains("gateway_upstream_retries_total");
        System.out.printf("TwoReplicasIT: %d reads, %d writes (%d created), served before the stop a=%d b=%d, "
                        + "retries %d%n", reads.get(), writeOutcomes.size(),
                writeOutcomes.values().stream().filter(c -> c == 201).count(), servedByABeforeStop,
                servedByBBeforeStop, gateway.bean(UpstreamPool.class).retries());
    }
}
