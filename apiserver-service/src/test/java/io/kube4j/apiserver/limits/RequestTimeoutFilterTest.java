package io.kube4j.apiserver.limits;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class RequestTimeoutFilterTest {

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
            "30s, PT30S", "1m30s, PT1M30S", "250ms, PT0.25S", "1.5h, PT1H30M", "0, PT0S", "2us, PT0.000002S",
            "abc, null", "30, null", "s, null", "1x, null", "-1s, null", "10s garbage, null"})
    void parsesGoDurations(String in, String expected) {
        assertThat(RequestTimeoutFilter.parseGoDuration(in)).isEqualTo(expected == null ? null : Duration.parse(expected));
    }
}
