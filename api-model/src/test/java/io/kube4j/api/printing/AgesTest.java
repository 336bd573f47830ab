package io.kube4j.api.printing;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class AgesTest {

    /** The cases of apimachinery's duration_test.go (HumanDuration). */
    @ParameterizedTest
    @CsvSource({"1,1s", "70,70s", "190,3m10s", "600,10m", "1800,30m", "10800,3h", "10830,3h", "11100,3h5m",
            "43200,12h", "172800,2d", "180000,2d2h", "691200,8d", "63072000,2y", "66528000,2y40d", "252460800,8y"})
    void humanDuration(long seconds, String expected) {
        assertThat(Ages.human(Duration.ofSeconds(seconds))).isEqualTo(expected);
    }
}
