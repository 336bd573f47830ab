package io.kube4j.apiserver.rest;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.EtcdServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Two apiserver replicas on one etcd serve consistent data: a write through one is read through the other. */
class ReplicasIT {

    private static ApiServerInstance second;

    @BeforeAll
    static void start() {
        ApiServerInstance.shared();
        second = ApiServerInstance.start(EtcdServer.shared().endpoint());
    }

    @AfterAll
    static void stop() {
        second.close();
    }

    @Test
    void writesThroughOneReplicaAreReadThroughTheOther() {
        ApiClient a = ApiServerInstance.shared().client();
        ApiClient b = second.client();
        assertThat(a.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"replicas-it\"}}").code()).isIn(201, 409);
        String path = "/api/v1/namespaces/replicas-it/configmaps";
        for (int i = 0; i < 50; i++) {
            ApiClient writer = i % 2 == 0 ? a : b;
            ApiClient reader = i % 2 == 0 ? b : a;
            var created = writer.post(path, "{\"metadata\":{\"name\":\"cm-" + i + "\"},\"data\":{\"i\":\"" + i + "\"}}");
            assertThat(created.code()).as(created.body()).isEqualTo(201);
            // a list without resourceVersion is consistent: it must already show the write made elsewhere
            var list = reader.get(path);
            assertThat(list.json().get("items")).hasSize(i + 1);
            assertThat(list.json().at("/metadata/resourceVersion").asLong())
                    .isGreaterThanOrEqualTo(created.json().at("/metadata/resourceVersion").asLong());
            assertThat(reader.get(path + "/cm-" + i).code()).isEqualTo(200);
        }
        var stale = b.put(path + "/cm-0", "{\"metadata\":{\"name\":\"cm-0\",\"resourceVersion\":\"1\"},\"data\":{}}");
        assertThat(stale.code()).isEqualTo(409);
    }
}
