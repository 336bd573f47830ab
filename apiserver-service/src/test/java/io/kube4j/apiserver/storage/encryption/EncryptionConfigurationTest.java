package io.kube4j.apiserver.storage.encryption;

import io.kube4j.api.registry.ResourceRegistry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EncryptionConfigurationTest {

    private static final ResourceRegistry REGISTRY = ResourceRegistry.builtin();
    private static final String KEY = "/registry/secrets/ns1/s1";
    private static final byte[] PLAIN = "{\"kind\":\"Secret\",\"data\":{\"p\":\"c2VjcmV0\"}}".getBytes(StandardCharsets.UTF_8);

    private static String key(int bytes, int seed) {
        byte[] k = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            k[i] = (byte) (i * 7 + seed);
        }
        return Base64.getEncoder().encodeToString(k);
    }

    private static EncryptionConfiguration config(String providers) {
        return EncryptionConfiguration.parse("""
                apiVersion: apiserver.config.k8s.io/v1
                kind: EncryptionConfiguration
                resources:
                  - resources: [secrets]
                    providers:
                """ + providers.indent(6), REGISTRY);
    }

    private static String aes(String kind, String name, String secret) {
        return "- " + kind + ":\n    keys:\n      - name: " + name + "\n        secret: " + secret + "\n";
    }

    @Test
    void aesgcmWritesKubernetesFormatAndReadsBack() {
        ValueTransformer t = config(aes("aesgcm", "key1", key(32, 1)) + "- identity: {}\n").transformerFor(KEY);
        byte[] stored = t.toStorage(PLAIN, KEY);
        String prefix = "k8s:enc:aesgcm:v1:key1:";
        assertThat(new String(stored, 0, prefix.length(), StandardCharsets.UTF_8)).isEqualTo(prefix);
        // nonce(12) + ciphertext + tag(16)
        assertThat(stored).hasSize(prefix.length() + 12 + PLAIN.length + 16);
        assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("c2VjcmV0");
        assertThat(t.fromStorage(stored, KEY)).isEqualTo(PLAIN);
        assertThat(t.toStorage(PLAIN, KEY)).as("a fresh nonce per write").isNotEqualTo(stored);
    }

    @Test
    void theStorageKeyIsAuthenticated() {
        ValueTransformer t = config(aes("aesgcm", "key1", key(16, 1))).transformerFor(KEY);
        byte[] stored = t.toStorage(PLAIN, KEY);
        assertThatThrownBy(() -> t.fromStorage(stored, "/registry/secrets/ns1/other"))
                .isInstanceOf(EncryptionException.class).hasMessageContaining("cannot be decrypted");
    }

    @Test
    void aescbcRoundTrips() {
        ValueTransformer t = config(aes("aescbc", "k", key(24, 3))).transformerFor(KEY);
        byte[] stored = t.toStorage(PLAIN, KEY);
        assertThat(new String(stored, StandardCharsets.ISO_8859_1)).startsWith("k8s:enc:aescbc:v1:k:");
        assertThat(t.fromStorage(stored, KEY)).isEqualTo(PLAIN);
    }

    @Test
    void everyProviderReadsAndTheFirstWrites() {
        String k1 = aes("aesgcm", "key1", key(32, 1));
        String k2 = aes("aesgcm", "key2", key(32, 2));
        byte[] old = config(k1).transformerFor(KEY).toStorage(PLAIN, KEY);
        ValueTransformer rotated = config(k2 + k1 + "- identity: {}\n").transformerFor(KEY);
        assertThat(rotated.fromStorage(old, KEY)).isEqualTo(PLAIN);
        assertThat(new String(rotated.toStorage(PLAIN, KEY), StandardCharsets.ISO_8859_1)).startsWith("k8s:enc:aesgcm:v1:key2:");
        assertThat(rotated.fromStorage(PLAIN, KEY)).as("identity reads plain values").isEqualTo(PLAIN);
        assertThat(rotated.isStale(old)).as("written by key1, key2 writes now").isTrue();
        assertThat(rotated.isStale(PLAIN)).isTrue();
        assertThat(rotated.isStale(rotated.toStorage(PLAIN, KEY))).isFalse();
        assertThatThrownBy(() -> config(k2).transformerFor(KEY).fromStorage(PLAIN, KEY))
                .isInstanceOf(EncryptionException.class).hasMessageContaining("no matching prefix");
        assertThatThrownBy(() -> config(k2).transformerFor(KEY).fromStorage(old, KEY))
                .as("a key that was removed").isInstanceOf(EncryptionException.class);
    }

    @Test
    void identityFirstWritesPlainAndStillDecrypts() {
        String k1 = aes("aesgcm", "key1", key(32, 1));
        byte[] old = config(k1).transformerFor(KEY).toStorage(PLAIN, KEY);
        ValueTransformer decrypting = config("- identity: {}\n" + k1).transformerFor(KEY);
        assertThat(decrypting.toStorage(PLAIN, KEY)).isEqualTo(PLAIN);
        assertThat(decrypting.fromStorage(old, KEY)).isEqualTo(PLAIN);
    }

    @Test
    void onlyTheNamedResourcesAreTransformed() {
        EncryptionConfiguration c = config(aes("aesgcm", "key1", key(32, 1)));
        assertThat(c.transformerFor("/registry/configmaps/ns1/c")).isNull();
        assertThat(c.transformerFor("/registry/secretsx/a")).isNull();
        EncryptionConfiguration all = EncryptionConfiguration.parse("""
                kind: EncryptionConfiguration
                resources:
                  - resources: [deployments.apps]
                    providers: [{identity: {}}]
                  - resources: ["*.*"]
                    providers: [{aesgcm: {keys: [{name: a, secret: %s}]}}]
                """.formatted(key(16, 9)), REGISTRY);
        assertThat(all.transformerFor("/registry/configmaps/ns1/c")).isNotNull();
        assertThat(all.transformerFor("/registry/deployments/ns1/d").toStorage(PLAIN, "/registry/deployments/ns1/d"))
                .isEqualTo(PLAIN);
    }

    @Test
    void badConfigurationsAreRefusedWithAReason() {
        assertThatThrownBy(() -> config(aes("aesgcm", "k", key(20, 1))))
                .hasMessageContaining("16, 24 or 32 bytes");
        assertThatThrownBy(() -> config(aes("aesgcm", "k", "not base64!")))
                .hasMessageContaining("not base64");
        assertThatThrownBy(() -> config("- kms: {name: x}\n")).hasMessageContaining("unsupported encryption provider kms");
        assertThatThrownBy(() -> EncryptionConfiguration.parse("""
                kind: EncryptionConfiguration
                resources: [{resources: [nosuchthings], providers: [{identity: {}}]}]
                """, REGISTRY)).hasMessageContaining("unknown resource: nosuchthings");
    }
}
