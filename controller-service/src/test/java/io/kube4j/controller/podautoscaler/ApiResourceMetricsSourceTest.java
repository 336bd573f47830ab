package io.kube4j.controller.podautoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.api.Test;

/** The windows and quantities of PodMetrics as the HPA reads them. */
class ApiResourceMetricsSourceTest {

    @Test
    void goDurations() {
        assertThat(ApiResourceMetricsSource.goDuration("2.007606001s")).isEqualTo(Duration.ofNanos(2_007_606_001L));
        assertThat(ApiResourceMetricsSource.goDuration("1m2.5s")).isEqualTo(Duration.ofMillis(62_500));
        assertThat(ApiResourceMetricsSource.goDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(ApiResourceMetricsSource.goDuration("")).isZero();
        assertThatThrownBy(() -> ApiResourceMetricsSource.goDuration("2 s")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void milliValues() {
        assertThat(ApiResourceMetricsSource.milli(new Quantity("250m"))).isEqualTo(250);
        assertThat(ApiResourceMetricsSource.milli(new Quantity("2"))).isEqualTo(2000);
        assertThat(ApiResourceMetricsSource.milli(new Quantity("1Ki"))).isEqualTo(1_024_000);
        assertThat(ApiResourceMetricsSource.milli(new Quantity("1500u"))).isEqualTo(2); // rounded up
    }
}
