package io.kube4j.apiserver.storage.embedded;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The short version of {@link EmbeddedStoreBenchmark}'s boundedness run: an hour of Lease renewals by 100 hollow
 * nodes, compacted every 5 minutes, must leave a file that stopped growing (the full 24 hours are in the benchmark).
 */
class EmbeddedStoreGrowthTest {

    @TempDir
    Path dir;

    @Test
    void leaseRenewalsWithCompactionKeepTheFileBounded() {
        try (EmbeddedStorage store = new EmbeddedStorage(new EmbeddedStorageConfig(dir, Duration.ZERO, null),
                new SimpleMeterRegistry())) {
            List<LeaseRenewalSimulation.Sample> samples = LeaseRenewalSimulation.run(store, 100, Duration.ofMinutes(60),
                    Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMinutes(10));
            samples.forEach(s -> System.out.println("growth: " + s));
            long afterTwenty = samples.get(1).fileBytes();
            long end = samples.get(samples.size() - 1).fileBytes();
            // 36,000 updates of ~400 bytes (about 15 MB written); a file that kept them all would keep growing
            assertThat(end).isLessThan(16L << 20);
            assertThat(end).isLessThanOrEqualTo(afterTwenty * 2);
        }
    }
}
