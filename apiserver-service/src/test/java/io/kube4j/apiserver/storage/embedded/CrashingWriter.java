package io.kube4j.apiserver.storage.embedded;

import io.kube4j.apiserver.storage.WriteResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import reactor.core.publisher.Flux;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The child JVM of {@link EmbeddedStorageTest}'s crash test: writes to a store in {@code args[0]} with 8 concurrent
 * writers until killed, printing {@code ACK <key> <revision>} for every acknowledged write (flushed at once).
 */
public final class CrashingWriter {

    private CrashingWriter() {
    }

    public static void main(String[] args) {
        EmbeddedStorage storage = new EmbeddedStorage(EmbeddedStorageConfig.of(Path.of(args[0])),
                new SimpleMeterRegistry());
        String run = args[1];
        System.out.println("READY");
        System.out.flush();
        Flux.range(0, Integer.MAX_VALUE)
                .flatMap(i -> storage.create("/registry/crash/" + run + "/" + i,
                                ("value-" + i).getBytes(StandardCharsets.UTF_8), i % 10 == 0 ? Duration.ofHours(1) : null)
                        .doOnNext(r -> ack("/registry/crash/" + run + "/" + i, r)), 8)
                .blockLast();
    }

    private static void ack(String key, WriteResult r) {
        if (r.succeeded()) {
            synchronized (System.out) {
                System.out.println("ACK " + key + " " + r.revision());
                System.out.flush();
            }
        }
    }
}
