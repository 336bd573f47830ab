package io.kube4j.apiserver.storage.encryption;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.EtcdServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Secrets encrypted at rest with Kubernetes' EncryptionConfiguration: etcd holds only {@code k8s:enc:aesgcm:v1:}
 * ciphertext, the API round-trips the data, plain Secrets written before encryption stay readable, and a key
 * rotation (new key first, restart, rewrite) moves every Secret to the new key while old ones stay readable.
 */
class EncryptionAtRestIT {

    private static final String PASSWORD = "hunter2-" + UUID.randomUUID();
    private static Path dir;
    private static Path configFile;
    private static ApiServerInstance api;
    private static Client etcd;
    private static final String NS = "enc-" + UUID.randomUUID().toString().substring(0, 8);

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("kube4j-encryption");
        configFile = dir.resolve("encryption.yaml");
        writeConfig(List.of("key1"));
        api = ApiServerInstance.start(EtcdServer.shared().endpoint(),
                "kube4j.apiserver.encryption-provider-config=" + configFile);
        etcd = Client.builder().endpoints(EtcdServer.shared().endpoint()).build();
        assertThat(api.client().post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + NS + "\"}}").code()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
        if (etcd != null) {
            etcd.close();
        }
    }

    private static String secret(int n) {
        byte[] k = new byte[32];
        for (int i = 0; i < k.length; i++) {
            k[i] = (byte) (31 * i + n);
        }
        return Base64.getEncoder().encodeToString(k);
    }

    private static void writeConfig(List<String> keys) throws Exception {
        StringBuilder y = new StringBuilder("""
                apiVersion: apiserver.config.k8s.io/v1
                kind: EncryptionConfiguration
                resources:
                  - resources: [secrets]
                    providers:
                      - aesgcm:
                          keys:
                """);
        for (String k : keys) {
            y.append("              - name: ").append(k).append("\n                secret: ")
                    .append(secret(k.hashCode())).append('\n');
        }
        y.append("      - identity: {}\n");
        Files.writeString(configFile, y);
    }

    private static byte[] raw(String key) throws Exception {
        List<KeyValue> kvs = etcd.getKVClient().get(ByteSequence.from(key, StandardCharsets.UTF_8))
                .get(10, TimeUnit.SECONDS).getKvs();
        assertThat(kvs).as(key).hasSize(1);
        return kvs.get(0).getValue().getBytes();
    }

    private static String secretJson(String name) {
        return """
                {"apiVersion":"v1","kind":"Secret","metadata":{"name":"%s"},
                 "data":{"password":"%s"},"stringData":{"user":"admin-%s"}}"""
                .formatted(name, Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8)), PASSWORD);
    }

    private static void assertEncryptedWith(String name, String keyName) throws Exception {
        byte[] v = raw("/registry/secrets/" + NS + "/" + name);
        String s = new String(v, StandardCharsets.ISO_8859_1);
        assertThat(s).startsWith("k8s:enc:aesgcm:v1:" + keyName + ":");
        assertThat(s).doesNotContain(PASSWORD)
                .doesNotContain(Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8)))
                // the object's JSON would name it; the bare name could turn up in random ciphertext bytes
                .doesNotContain("\"name\":\"" + name + "\"");
    }

    private static void assertReadable(ApiClient c, String name) {
        ApiClient.Response r = c.get("/api/v1/namespaces/" + NS + "/secrets/" + name);
        assertThat(r.code()).as(r.body()).isEqualTo(200);
        assertThat(new String(Base64.getDecoder().decode(r.json().path("data").path("password").asString()),
                StandardCharsets.UTF_8)).isEqualTo(PASSWORD);
    }

    @Test
    void secretsAreCiphertextInEtcdAndPlainThroughTheApiAcrossAKeyRotation() throws Exception {
        ApiClient c = api.client();
        assertThat(c.post("/api/v1/namespaces/" + NS + "/secrets", secretJson("s1")).code()).isEqualTo(201);
        assertEncryptedWith("s1", "key1");
        assertReadable(c, "s1");
        ApiClient.Response list = c.get("/api/v1/namespaces/" + NS + "/secrets");
        assertThat(list.json().path("items").get(0).path("data").path("user").asString())
                .isEqualTo(Base64.getEncoder().encodeToString(("admin-" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
        // ConfigMaps are not named in the configuration: stored as they are
        assertThat(c.post("/api/v1/namespaces/" + NS + "/configmaps",
                "{\"metadata\":{\"name\":\"cm\"},\"data\":{\"k\":\"visible\"}}").code()).isEqualTo(201);
        assertThat(new String(raw("/registry/configmaps/" + NS + "/cm"), StandardCharsets.UTF_8)).contains("visible");

        // a Secret written by a server without encryption stays readable (identity provider)
        ApiServerInstance plain = ApiServerInstance.shared();
        assertThat(plain.client().post("/api/v1/namespaces/" + NS + "/secrets", secretJson("old-plain")).code()).isEqualTo(201);
        assertThat(new String(raw("/registry/secrets/" + NS + "/old-plain"), StandardCharsets.UTF_8)).startsWith("{");
        assertReadable(c, "old-plain");

        // rotation: key2 becomes the writer, key1 stays to read; restart
        writeConfig(List.of("key2", "key1"));
        api.restart();
        c = api.client();
        assertReadable(c, "s1");
        assertEncryptedWith("s1", "key1");
        assertThat(c.post("/api/v1/namespaces/" + NS + "/secrets", secretJson("s2")).code()).isEqualTo(201);
        assertEncryptedWith("s2", "key2");
        // rewrite every Secret (kubectl get secrets -A -o json | kubectl replace -f -)
        for (String name : List.of("s1", "old-plain")) {
            ApiClient.Response current = c.get("/api/v1/namespaces/" + NS + "/secrets/" + name);
            assertThat(c.put("/api/v1/namespaces/" + NS + "/secrets/" + name, current.body()).code()).isEqualTo(200);
            assertEncryptedWith(name, "key2");
            assertReadable(c, name);
        }
        // the watch cache sees plain values: a list served from it (resourceVersion=0) has the data
        ApiClient.Response cached = c.get("/api/v1/namespaces/" + NS + "/secrets?resourceVersion=0");
        assertThat(cached.json().path("items")).hasSize(3);
        cached.json().path("items").forEach(i -> assertThat(i.path("data").path("password").asString()).isNotEmpty());

        // key1 dropped after the rewrite: everything is still readable
        writeConfig(List.of("key2"));
        api.restart();
        for (String name : List.of("s1", "s2", "old-plain")) {
            assertReadable(api.client(), name);
        }
    }
}
