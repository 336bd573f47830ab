package io.kube4j.apiserver.storage.embedded;

import io.kube4j.apiserver.storage.ListPage;
import io.kube4j.apiserver.storage.StorageEvent;
import io.kube4j.apiserver.storage.StorageFullException;
import io.kube4j.apiserver.storage.StorageUnavailableException;
import io.kube4j.apiserver.storage.StoredObject;
import io.kube4j.apiserver.storage.WriteResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.h2.mvstore.DataUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A full disk under the embedded store (writes to its file fail with ENOSPC, injected through an H2 file system):
 * writes fail with {@link StorageFullException}, reads and watches go on, writes work again once there is space, and
 * nothing acknowledged is lost. The real thing, on a loop-mounted filesystem, is e2e-tests' DiskFullIT.
 */
class EmbeddedStorageDiskFullTest {

    private static final String PREFIX = "/registry/configmaps/default/";

    @TempDir
    Path dir;

    @AfterEach
    void freeSpace() {
        DiskFullFilePath.FULL.set(false);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void fullDiskFailsWritesKeepsReadsAndRecoversWithoutRestart() {
        EmbeddedStorageConfig config = EmbeddedStorageConfig.of(dir);
        Map<String, String> acknowledged = new TreeMap<>();
        List<StorageEvent> events = new CopyOnWriteArrayList<>();
        try (EmbeddedStorage storage = new EmbeddedStorage(config, new SimpleMeterRegistry(), System::currentTimeMillis,
                DiskFullFilePath.prefix())) {
            Disposable watch = storage.watch(PREFIX, 0).subscribe(events::add);
            for (int i = 0; i < 20; i++) {
                String key = PREFIX + "cm-" + i;
                assertThat(storage.create(key, bytes("v" + i), null).block().succeeded()).isTrue();
                acknowledged.put(key, "v" + i);
            }
            StoredObject cm0 = storage.get(PREFIX + "cm-0").block();
            long revisionBefore = storage.currentRevision().block();

            DiskFullFilePath.FULL.set(true);
            assertThatThrownBy(() -> storage.create(PREFIX + "new", bytes("x"), null).block())
                    .isInstanceOf(StorageFullException.class).hasMessageContaining("disk is full");
            assertThatThrownBy(() -> storage.update(PREFIX + "cm-0", bytes("changed"), cm0.modRevision(), null).block())
                    .isInstanceOf(StorageFullException.class);
            assertThatThrownBy(() -> storage.delete(PREFIX + "cm-1", 0).block())
                    .isInstanceOf(StorageFullException.class);
            assertThat(storage.reopenCount()).isGreaterThanOrEqualTo(3);

            // reads see exactly the acknowledged state: nothing of the failed writes, nothing lost
            assertThat(storage.currentRevision().block()).isEqualTo(revisionBefore);
            assertThat(contents(storage.list(PREFIX, null, 0, 0).block())).isEqualTo(acknowledged);
            assertThat(new String(storage.get(PREFIX + "cm-0").block().value(), StandardCharsets.UTF_8)).isEqualTo("v0");
            assertThat(storage.get(PREFIX + "new").block()).isNull();
            // a new watch replays the history from the reopened file
            assertThat(storage.watch(PREFIX, 0).take(20).collectList().block(Duration.ofSeconds(10))).hasSize(20);

            DiskFullFilePath.FULL.set(false);
            WriteResult created = storage.create(PREFIX + "new", bytes("x"), null).block();
            assertThat(created.succeeded()).isTrue();
            assertThat(created.revision()).isEqualTo(revisionBefore + 1);
            acknowledged.put(PREFIX + "new", "x");
            assertThat(storage.update(PREFIX + "cm-0", bytes("changed"), cm0.modRevision(), null).block().succeeded())
                    .isTrue();
            acknowledged.put(PREFIX + "cm-0", "changed");
            assertThat(contents(storage.list(PREFIX, null, 0, 0).block())).isEqualTo(acknowledged);

            // the watch opened before the failure goes on: every acknowledged write once, in order, none of the failed
            await().atMost(Duration.ofSeconds(10)).until(() -> events.size() == 22);
            assertThat(events).extracting(StorageEvent::revision)
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 22).boxed().toList());
            watch.dispose();
        }
        try (EmbeddedStorage reopened = new EmbeddedStorage(config, new SimpleMeterRegistry())) {
            assertThat(contents(reopened.list(PREFIX, null, 0, 0).block())).isEqualTo(acknowledged);
        }
    }

    @Test
    void fullDiskWithoutWritesChangesNothingAndCloseKeepsTheData() {
        try (EmbeddedStorage storage = new EmbeddedStorage(EmbeddedStorageConfig.of(dir), new SimpleMeterRegistry(),
                System::currentTimeMillis, DiskFullFilePath.prefix())) {
            storage.create(PREFIX + "a", bytes("a"), null).block();
            DiskFullFilePath.FULL.set(true);
            assertThat(storage.get(PREFIX + "a").block()).isNotNull();
            assertThat(storage.reopenCount()).isZero();
        } // closing on the full disk cannot write its last bits: the file keeps the last commit
        DiskFullFilePath.FULL.set(false);
        try (EmbeddedStorage reopened = new EmbeddedStorage(EmbeddedStorageConfig.of(dir), new SimpleMeterRegistry())) {
            assertThat(reopened.get(PREFIX + "a").block().value()).isEqualTo(bytes("a"));
        }
    }

    @Test
    void writeFailuresMapToFullOnlyForOutOfSpace() {
        assertThat(EmbeddedStorage.writeFailure(DataUtils.newMVStoreException(DataUtils.ERROR_WRITING_FAILED,
                "Writing to {0} failed", "f", new IOException("No space left on device"))))
                .isInstanceOf(StorageFullException.class);
        assertThat(EmbeddedStorage.writeFailure(DataUtils.newMVStoreException(DataUtils.ERROR_WRITING_FAILED,
                "Writing to {0} failed", "f", new IOException("Disk quota exceeded"))))
                .isInstanceOf(StorageFullException.class);
        assertThat(EmbeddedStorage.writeFailure(DataUtils.newMVStoreException(DataUtils.ERROR_WRITING_FAILED,
                "Writing to {0} failed", "f", new IOException("Input/output error"))))
                .isInstanceOf(StorageUnavailableException.class)
                .isNotInstanceOf(StorageFullException.class);
    }

    private static Map<String, String> contents(ListPage page) {
        Map<String, String> m = new TreeMap<>();
        for (StoredObject o : page.items()) {
            m.put(o.key(), new String(o.value(), StandardCharsets.UTF_8));
        }
        return m;
    }
}
