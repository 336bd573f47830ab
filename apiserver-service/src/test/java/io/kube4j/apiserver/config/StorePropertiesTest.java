package io.kube4j.apiserver.config;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code kube4j.apiserver.store}, {@code embedded.*} and {@code compaction-interval}: defaults and clear errors. */
class StorePropertiesTest {

    private static ApiServerProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values))
                .bindOrCreate("kube4j.apiserver", ApiServerProperties.class);
    }

    @Test
    void defaultsToEtcdWithFiveMinuteCompaction() {
        ApiServerProperties p = bind(Map.of());
        assertThat(p.store()).isEqualTo("etcd");
        assertThat(p.compactionInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(p.embedded().retentionTime()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void embeddedWithADataDir() {
        ApiServerProperties p = bind(Map.of("kube4j.apiserver.store", "embedded",
                "kube4j.apiserver.embedded.data-dir", "/var/lib/kube4j/store",
                "kube4j.apiserver.compaction-interval", "0"));
        assertThat(p.store()).isEqualTo("embedded");
        assertThat(p.embedded().dataDir()).isEqualTo("/var/lib/kube4j/store");
        assertThat(p.compactionInterval()).isZero();
    }

    @Test
    void embeddedWithoutADataDirNamesTheMissingProperty() {
        assertThatThrownBy(() -> bind(Map.of("kube4j.apiserver.store", "embedded")))
                .isInstanceOf(BindException.class)
                .rootCause().hasMessageContaining("kube4j.apiserver.embedded.data-dir");
    }

    @Test
    void unknownStoreIsRefused() {
        assertThatThrownBy(() -> bind(Map.of("kube4j.apiserver.store", "sqlite")))
                .rootCause().hasMessageContaining("must be 'etcd' or 'embedded', not 'sqlite'");
    }
}
