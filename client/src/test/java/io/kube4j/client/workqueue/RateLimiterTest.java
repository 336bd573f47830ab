package io.kube4j.client.workqueue;

import static org.assertj.core.api.Assertions.assertThat;

import io.kube4j.client.util.FakeClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

    private final FakeClock clock = new FakeClock();

    @Test
    void exponentialBackoffDoublesFromFiveMillisAndIsCapped() {
        RateLimiter<String> limiter = new ItemExponentialFailureRateLimiter<>(Duration.ofMillis(5), Duration.ofSeconds(1000));
        assertThat(limiter.when("a")).isEqualTo(Duration.ofMillis(5));
        assertThat(limiter.when("a")).isEqualTo(Duration.ofMillis(10));
        assertThat(limiter.when("a")).isEqualTo(Duration.ofMillis(20));
        assertThat(limiter.when("a")).isEqualTo(Duration.ofMillis(40));
        assertThat(limiter.when("b")).isEqualTo(Duration.ofMillis(5));
        assertThat(limiter.numRequeues("a")).isEqualTo(4);
        for (int i = 0; i < 100; i++) {
            limiter.when("a");
        }
        assertThat(limiter.when("a")).isEqualTo(Duration.ofSeconds(1000));
    }

    @Test
    void forgetResetsTheBackoff() {
        RateLimiter<String> limiter = new ItemExponentialFailureRateLimiter<>(Duration.ofMillis(5), Duration.ofSeconds(1000));
        limiter.when("a");
        limiter.when("a");
        limiter.forget("a");
        assertThat(limiter.numRequeues("a")).isZero();
        assertThat(limiter.when("a")).isEqualTo(Duration.ofMillis(5));
    }

    @Test
    void tokenBucketAllowsTheBurstThenSpacesAtQps() {
        RateLimiter<String> bucket = new BucketRateLimiter<>(10, 100, clock);
        for (int i = 0; i < 100; i++) {
            assertThat(bucket.when("x" + i)).isZero();
        }
        assertThat(bucket.when("y")).isEqualTo(Duration.ofMillis(100));
        assertThat(bucket.when("z")).isEqualTo(Duration.ofMillis(200));
        // a second refills 10 tokens, two of which pay back the debt
        clock.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 8; i++) {
            assertThat(bucket.when("w" + i)).isZero();
        }
        assertThat(bucket.when("v")).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void tryAcceptTakesATokenOnlyWhenOneIsThere() {
        BucketRateLimiter<String> bucket = new BucketRateLimiter<>(2, 1, clock);
        assertThat(bucket.tryAccept()).isTrue();
        assertThat(bucket.tryAccept()).isFalse(); // refused: nothing taken, no debt
        clock.advance(Duration.ofMillis(499));
        assertThat(bucket.tryAccept()).isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(bucket.tryAccept()).isTrue();
        clock.advance(Duration.ofSeconds(10)); // at most burst tokens are saved
        assertThat(bucket.tryAccept()).isTrue();
        assertThat(bucket.tryAccept()).isFalse();
    }

    @Test
    void defaultControllerLimiterIsTheMaxOfBoth() {
        RateLimiter<String> limiter = RateLimiters.defaultControllerRateLimiter(clock);
        assertThat(limiter.when("a")).isEqualTo(Duration.ofMillis(5));
        assertThat(limiter.when("a")).isEqualTo(Duration.ofMillis(10));
        assertThat(limiter.when("a")).isEqualTo(Duration.ofMillis(20));
        assertThat(limiter.numRequeues("a")).isEqualTo(3);
        limiter.forget("a");
        assertThat(limiter.when("a")).isEqualTo(Duration.ofMillis(5));
    }
}
