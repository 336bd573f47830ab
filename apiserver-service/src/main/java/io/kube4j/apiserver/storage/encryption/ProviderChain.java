package io.kube4j.apiserver.storage.encryption;

import java.util.List;

/**
 * The providers of one resource, in order, as Kubernetes' prefix transformer: the first writes, every one reads
 * the values that carry its prefix; {@code identity} (no prefix) reads whatever no key claims.
 */
final class ProviderChain implements ValueTransformer {

    private final List<AesProvider> keys;
    private final boolean identityFirst;
    private final boolean identityReads;

    /** {@code keys} in configuration order; {@code identityIndex} the position of {@code identity}, or -1. */
    ProviderChain(List<AesProvider> keys, int identityIndex) {
        if (keys.isEmpty() && identityIndex < 0) {
            throw new EncryptionException("a resource needs at least one provider");
        }
        this.keys = List.copyOf(keys);
        this.identityFirst = identityIndex == 0;
        this.identityReads = identityIndex >= 0;
    }

    /** The name of the key new writes use, or {@code identity}. */
    String writer() {
        return identityFirst ? "identity" : keys.get(0).name();
    }

    @Override
    public byte[] toStorage(byte[] plain, String key) {
        return identityFirst ? plain : keys.get(0).toStorage(plain, key);
    }

    @Override
    public boolean isStale(byte[] stored) {
        if (identityFirst) {
            return keys.stream().anyMatch(k -> k.matches(stored));
        }
        return !keys.get(0).matches(stored);
    }

    @Override
    public byte[] fromStorage(byte[] stored, String key) {
        for (AesProvider p : keys) {
            if (p.matches(stored)) {
                return p.fromStorage(stored, key);
            }
        }
        if (identityReads) {
            return stored;
        }
        throw new EncryptionException("no matching prefix found for the data stored at " + key
                + ": it was not written by any configured key");
    }
}
