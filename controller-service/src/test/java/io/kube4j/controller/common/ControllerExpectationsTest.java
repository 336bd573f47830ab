package io.kube4j.controller.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;

import io.kube4j.client.util.FakeClock;
import org.junit.jupiter.api.Test;

class ControllerExpectationsTest {

    private final FakeClock clock = new FakeClock();

    @Test
    void unknownKeysAreSatisfied() {
        assertThat(new ControllerExpectations(clock).satisfied("ns/rs")).isTrue();
    }

    @Test
    void createsMustAllBeObserved() {
        ControllerExpectations e = new ControllerExpectations(clock);
        e.expectCreations("ns/rs", 3);
        assertThat(e.satisfied("ns/rs")).isFalse();
        e.creationObserved("ns/rs");
        e.creationObserved("ns/rs");
        assertThat(e.satisfied("ns/rs")).isFalse();
        e.creationObserved("ns/rs");
        assertThat(e.satisfied("ns/rs")).isTrue();
        assertThat(e.get("ns/rs").add()).isZero();
    }

    @Test
    void expectationsExpireAfterFiveMinutes() {
        ControllerExpectations e = new ControllerExpectations(clock);
        e.expectCreations("ns/rs", 1);
        clock.advance(Duration.ofMinutes(5));
        assertThat(e.satisfied("ns/rs")).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(e.satisfied("ns/rs")).isTrue();
    }

    @Test
    void loweringWithoutExpectationsCreatesNone() {
        ControllerExpectations e = new ControllerExpectations(clock);
        e.creationObserved("ns/rs");
        assertThat(e.get("ns/rs")).isNull();
        e.expectCreations("ns/rs", 1);
        e.delete("ns/rs");
        assertThat(e.satisfied("ns/rs")).isTrue();
    }

    @Test
    void uidTrackingCountsEachExpectedDeletionOnce() {
        UIDTrackingExpectations e = new UIDTrackingExpectations(clock);
        e.expectDeletions("ns/rs", Set.of("ns/a", "ns/b"));
        e.deletionObserved("ns/rs", "ns/a");
        e.deletionObserved("ns/rs", "ns/a"); // the update with a deletionTimestamp, then the delete
        e.deletionObserved("ns/rs", "ns/other"); // not one we asked for
        assertThat(e.satisfied("ns/rs")).isFalse();
        assertThat(e.deletingKeys("ns/rs")).containsExactly("ns/b");
        e.deletionObserved("ns/rs", "ns/b");
        assertThat(e.satisfied("ns/rs")).isTrue();
        e.delete("ns/rs");
        assertThat(e.deletingKeys("ns/rs")).isEmpty();
    }
}
