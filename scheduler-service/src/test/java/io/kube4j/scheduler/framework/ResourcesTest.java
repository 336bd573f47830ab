package io.kube4j.scheduler.framework;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.RoundingMode;

import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ResourcesTest {

    /** The fast path must give exactly what Kubernetes' rounding over the exact decimal gives. */
    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "110", "100m", "1m", "999m", "1000m", "1001m", "250m", "4", "32", "1k", "1M",
            "1G", "1T", "1P", "1Ki", "128Mi", "1Gi", "100Gi", "3Ti", "2Pi", "0.5", "2.5Gi", "1e3", "1E3", "1.",
            "+5", "-1", "-100m", "123456789012345", "1234567890123456", "5E", "0.001", "1.5m", "8000Pi"})
    void milliAndValueMatchTheExactDecimal(String s) {
        Quantity q = new Quantity(s);
        BigDecimal exact = q.getNumericalAmount();
        BigDecimal milli = exact.multiply(BigDecimal.valueOf(1000)).setScale(0, RoundingMode.CEILING);
        BigDecimal value = exact.setScale(0, RoundingMode.CEILING);
        if (milli.toBigInteger().bitLength() < 64) {
            assertThat(Resources.milli(q)).as("milli of %s", s).isEqualTo(milli.longValueExact());
        } else {
            assertThatThrownBy(() -> Resources.milli(q)).isInstanceOf(ArithmeticException.class);
        }
        if (value.toBigInteger().bitLength() < 64) {
            assertThat(Resources.value(q)).as("value of %s", s).isEqualTo(value.longValueExact());
        } else {
            assertThatThrownBy(() -> Resources.value(q)).isInstanceOf(ArithmeticException.class);
        }
    }

    @Test
    void exbibytesAreExactAsInKubernetes() {
        // fabric8's decimal path rounds 2^60 multiples to 16 digits; Kubernetes' Value() is exact.
        assertThat(Resources.value(new Quantity("7Ei"))).isEqualTo(7L << 60);
        assertThat(Resources.value(new Quantity("1Ei"))).isEqualTo(1L << 60);
    }

    @Test
    void aQuantityWithoutFormatIsAPlainNumber() {
        assertThat(Resources.value(new Quantity("42", null))).isEqualTo(42);
        assertThat(Resources.milli(new Quantity("42", null))).isEqualTo(42_000);
        assertThat(Resources.value(null)).isZero();
    }
}
