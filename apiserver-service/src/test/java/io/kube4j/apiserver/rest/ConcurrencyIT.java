package io.kube4j.apiserver.rest;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.ConfigMapWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Optimistic concurrency of PUT: the resourceVersion in the body is a compare-and-swap precondition. */
class ConcurrencyIT {

    private static final String NS = "concurrency-it";
    private static final int CLIENTS = 50;
    private static final int INCREMENTS_PER_CLIENT = 4;
    private static final String PATH = "/api/v1/namespaces/" + NS + "/configmaps";

    private static ApiClient client;

    @BeforeAll
    static void namespace() {
        client = ApiServerInstance.shared().client();
        ConfigMapWriter.createNamespace(client, NS);
    }

    @Test
    void fiftyClientsIncrementingWithReadModifyWriteLoseNoIncrement() throws Exception {
        createConfigMap("counter");
        Set<String> written = ConcurrentHashMap.newKeySet();
        AtomicInteger conflicts = new AtomicInteger();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                done.add(clients.submit(() -> {
                    // 4 each: 50 clients contend from the start; every extra round only repeats the same race (at
                    // 20 each the test took 70-95 s twice in the suite, retrying 5,000-8,000 conflicts)
                    for (int i = 0; i < INCREMENTS_PER_CLIENT; i++) {
                        int lost = 0;
                        while (true) {
                            ApiClient.Response read = client.get(PATH + "/counter");
                            assertThat(read.code()).as(read.body()).isEqualTo(200);
                            ObjectNode cm = (ObjectNode) read.json();
                            ObjectNode annotations = (ObjectNode) cm.path("metadata").path("annotations");
                            int count = Integer.parseInt(annotations.path("count").asString());
                            annotations.put("count", Integer.toString(count + 1));
                            // The body still carries the resourceVersion that was read.
                            ApiClient.Response write = client.put(PATH + "/counter", cm.toString());
                            if (write.code() == 200) {
                                assertThat(written.add(resourceVersion(write.json()))).isTrue();
                                break;
                            }
                            assertThat(write.code()).as(write.body()).isEqualTo(409);
                            conflicts.incrementAndGet();
                            backOff(++lost);
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            clients.shutdownNow();
        }

        ApiClient.Response end = client.get(PATH + "/counter");
        int total = CLIENTS * INCREMENTS_PER_CLIENT;
        assertThat(end.json().path("metadata").path("annotations").path("count").asString())
                .isEqualTo(Integer.toString(total));
        assertThat(written).hasSize(total).contains(resourceVersion(end.json()));
        System.out.printf("%d increments by %d clients: %d conflicts retried%n", total, CLIENTS, conflicts.get());
    }

    @Test
    void putWithAStaleResourceVersionIsAConflictAndChangesNothing() {
        JsonNode created = createConfigMap("stale");
        String stale = resourceVersion(created);
        ApiClient.Response first = client.put(PATH + "/stale", withData(created, "first").toString());
        assertThat(first.code()).as(first.body()).isEqualTo(200);

        ApiClient.Response second = client.put(PATH + "/stale", withData(created, "second").toString());

        assertThat(second.code()).as(second.body()).isEqualTo(409);
        assertThat(second.json().path("kind").asString()).isEqualTo("Status");
        assertThat(second.json().path("reason").asString()).isEqualTo("Conflict");
        assertThat(second.json().path("code").asInt()).isEqualTo(409);
        ApiClient.Response now = client.get(PATH + "/stale");
        assertThat(now.json()).isEqualTo(first.json());
        assertThat(now.json().path("data").path("value").asString()).isEqualTo("first");
        assertThat(resourceVersion(now.json())).isNotEqualTo(stale).isEqualTo(resourceVersion(first.json()));
    }

    /**
     * A client's jittered, growing pause after losing a race (as client-go's RetryOnConflict does); without it
     * 49 losers re-read and re-write at once for every winner, which only burns the CPU the winner needs.
     */
    private static void backOff(int lost) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, 2 + Math.min(500, 16L << Math.min(lost, 5))));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode createConfigMap(String name) {
        ApiClient.Response r = client.post(PATH, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\""
                + name + "\",\"annotations\":{\"count\":\"0\"}},\"data\":{\"value\":\"initial\"}}");
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        return r.json();
    }

    private static ObjectNode withData(JsonNode object, String value) {
        ObjectNode copy = (ObjectNode) object.deepCopy();
        ((ObjectNode) copy.path("data")).put("value", value);
        return copy;
    }

    private static String resourceVersion(JsonNode object) {
        return object.path("metadata").path("resourceVersion").asString();
    }
}
