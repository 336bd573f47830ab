package io.kube4j.proxy.userspace;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PortAllocatorTest {

    @ParameterizedTest
    @CsvSource({"'', 0", "36000-36009, 10", "36000+10, 10", "36000, 1"})
    void parses(String range, int size) {
        PortAllocator a = PortAllocator.parse(range, new Random(1));
        assertThat(a.size()).isEqualTo(size);
        assertThat(a.ephemeral()).isEqualTo(size == 0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "36009-36000", "0-10", "65000-70000", "1-x"})
    void rejectsBadRanges(String range) {
        assertThatThrownBy(() -> PortAllocator.parse(range, new Random(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(range);
    }

    @Test
    void ephemeralAlwaysZero() {
        PortAllocator a = PortAllocator.parse("", new Random(1));
        assertThat(a.allocateNext()).isZero();
        assertThat(a.allocateNext()).isZero();
    }

    @Test
    void allocatesEveryPortOfTheRangeOnceThenFailsUntilOneIsReleased() {
        PortAllocator a = PortAllocator.parse("36000-36004", new Random(7));
        Set<Integer> got = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            got.add(a.allocateNext());
        }
        assertThat(got).containsExactlyInAnyOrder(36000, 36001, 36002, 36003, 36004);
        assertThatThrownBy(a::allocateNext).isInstanceOf(IllegalStateException.class).hasMessageContaining("36000-36004");
        a.release(36002);
        a.release(12345); // outside: ignored
        assertThat(a.allocateNext()).isEqualTo(36002);
    }
}
