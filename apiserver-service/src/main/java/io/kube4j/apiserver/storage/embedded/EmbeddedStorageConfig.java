package io.kube4j.apiserver.storage.embedded;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how {@link EmbeddedStorage} keeps its file.
 *
 * @param dataDir        directory of the store file ({@value EmbeddedStorage#FILE_NAME}); created when missing
 * @param retentionTime  how long MVStore keeps freed file space before reusing it (MVStore's own default is 45 s;
 *                       every commit is fsynced, so a shorter time is safe and lets the file stay smaller)
 * @param expiryInterval how often keys whose TTL has passed are deleted (the delay of a TTL, like an etcd lease's)
 */
public record EmbeddedStorageConfig(Path dataDir, Duration retentionTime, Duration expiryInterval) {

    public EmbeddedStorageConfig {
        Objects.requireNonNull(dataDir, "dataDir");
        retentionTime = retentionTime != null ? retentionTime : Duration.ofSeconds(10);
        expiryInterval = expiryInterval != null ? expiryInterval : Duration.ofMillis(500);
        if (retentionTime.isNegative() || expiryInterval.isNegative() || expiryInterval.isZero()) {
            throw new IllegalArgumentException("retentionTime must not be negative and expiryInterval must be positive");
        }
    }

    /** The store in {@code dataDir} with default settings. */
    public static EmbeddedStorageConfig of(Path dataDir) {
        return new EmbeddedStorageConfig(dataDir, null, null);
    }
}
