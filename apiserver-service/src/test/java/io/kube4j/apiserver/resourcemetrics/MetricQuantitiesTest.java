package io.kube4j.apiserver.resourcemetrics;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class MetricQuantitiesTest {

    @ParameterizedTest
    @CsvSource({"0,0", "123456,123456n", "5000000,5m", "1500000000,1500m", "2000000000,2", "250000,250u",
            "1234567,1234567n", "10,10n", "1000,1u", "12000000,12m"})
    void cpuAsKubernetesCanonicalDecimal(long nanoCores, String expected) {
        assertThat(MetricQuantities.cpu(nanoCores)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"0,0", "123,123", "1000,1k", "1024,1Ki", "1263616,1234Ki", "1048576,1Mi", "1536,1536",
            "5000,5000", "3221225472,3Gi"})
    void memoryAsKubernetesCanonicalBinary(long bytes, String expected) {
        assertThat(MetricQuantities.memory(bytes)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"15000000000,15s", "15004000000,15.004s", "1500000000,1.5s", "60250000000,1m0.25s",
            "500000000,500ms", "3723000000000,1h2m3s", "0,0s", "1500,1.5µs"})
    void windowAsGoDuration(long nanos, String expected) {
        assertThat(MetricQuantities.goDuration(Duration.ofNanos(nanos))).isEqualTo(expected);
    }
}
