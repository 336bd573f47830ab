package io.kube4j.apiserver.storage;

import io.kube4j.apiserver.storage.embedded.EmbeddedStorage;
import io.kube4j.apiserver.storage.embedded.EmbeddedStorageConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Two apiservers' compactors on one store: one compacts per interval, to the revision seen an interval earlier. */
class StorageCompactorTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void oneOfTwoCompactorsCompactsEachIntervalToThePreviousIntervalsRevision() {
        try (EmbeddedStorage storage = new EmbeddedStorage(EmbeddedStorageConfig.of(dir), new SimpleMeterRegistry())) {
            StorageCompactor a = new StorageCompactor(storage, Duration.ofMinutes(5));
            StorageCompactor b = new StorageCompactor(storage, Duration.ofMinutes(5));
            write(storage, "x", 3);

            // interval 1: a claims the key first, b follows it; nobody compacts (no earlier revision yet)
            assertThat(a.tick().blockOptional(TIMEOUT)).isEmpty();
            long seenAtFirstTick = storage.currentRevision().block(TIMEOUT);
            assertThat(b.tick().blockOptional(TIMEOUT)).isEmpty();
            write(storage, "y", 3);

            // interval 2: a's view of the key is current, so a wins and compacts to what it saw at interval 1
            assertThat(a.tick().block(TIMEOUT)).isEqualTo(seenAtFirstTick);
            assertThat(b.tick().blockOptional(TIMEOUT)).isEmpty();
            assertThatThrownBy(() -> storage.list("/registry/", null, 0, seenAtFirstTick - 1).block(TIMEOUT))
                    .isInstanceOf(CompactedException.class);
            assertThat(storage.list("/registry/", null, 0, seenAtFirstTick).block(TIMEOUT).items()).hasSize(3);

            // interval 3: b follows a's claim of interval 2 and is behind again; a keeps winning, one compaction each
            write(storage, "z", 2);
            long compacted = a.tick().block(TIMEOUT);
            assertThat(compacted).isGreaterThan(seenAtFirstTick);
            assertThat(b.tick().blockOptional(TIMEOUT)).isEmpty();
        }
    }

    @Test
    void compactorWhoseTargetIsAlreadyCompactedDoesNothing() {
        try (EmbeddedStorage storage = new EmbeddedStorage(EmbeddedStorageConfig.of(dir), new SimpleMeterRegistry())) {
            StorageCompactor a = new StorageCompactor(storage, Duration.ofMinutes(5));
            write(storage, "x", 2);
            a.tick().block(TIMEOUT);
            write(storage, "y", 2);
            storage.compact(storage.currentRevision().block(TIMEOUT)).block(TIMEOUT); // compacted by hand, further
            assertThat(a.tick().blockOptional(TIMEOUT)).isEmpty();
        }
    }

    private static void write(Storage storage, String name, int count) {
        for (int i = 0; i < count; i++) {
            storage.create("/registry/things/" + name + i, name.getBytes(StandardCharsets.UTF_8), null).block(TIMEOUT);
        }
    }
}
