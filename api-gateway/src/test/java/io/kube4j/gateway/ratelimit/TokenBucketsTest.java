package io.kube4j.gateway.ratelimit;

import io.github.bucket4j.TimeMeter;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class TokenBucketsTest {

    /** A clock the test moves. */
    static final class FakeClock implements TimeMeter {
        final AtomicLong nanos = new AtomicLong(1_000_000_000L);

        void advance(Duration d) {
            nanos.addAndGet(d.toNanos());
        }

        @Override
        public long currentTimeNanos() {
            return nanos.get();
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }
    }

    final FakeClock clock = new FakeClock();
    final TokenBuckets buckets = new TokenBuckets(clock, Duration.ofMinutes(5));

    @Test
    void burstThenRefusedWithTheSecondsUntilTheNextToken() {
        Limit limit = new Limit(0.5, 3); // a token every 2 s
        for (int i = 0; i < 3; i++) {
            assertThat(buckets.tryConsume("u", limit).allowed()).as("request %d", i).isTrue();
        }
        TokenBuckets.Decision refused = buckets.tryConsume("u", limit);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfterSeconds()).isEqualTo(2);

        clock.advance(Duration.ofMillis(1500));
        assertThat(buckets.tryConsume("u", limit).retryAfterSeconds()).as("0.5 s left, rounded up").isEqualTo(1);
        clock.advance(Duration.ofMillis(500));
        assertThat(buckets.tryConsume("u", limit).allowed()).isTrue();
        assertThat(buckets.tryConsume("u", limit).allowed()).isFalse();
    }

    @Test
    void keysHaveTheirOwnBuckets() {
        Limit limit = new Limit(1, 1);
        assertThat(buckets.tryConsume("a", limit).allowed()).isTrue();
        assertThat(buckets.tryConsume("a", limit).allowed()).isFalse();
        assertThat(buckets.tryConsume("b", limit).allowed()).isTrue();
    }

    @Test
    void refillNeverExceedsTheBurst() {
        Limit limit = new Limit(10, 2);
        clock.advance(Duration.ofHours(1));
        assertThat(buckets.tryConsume("u", limit).allowed()).isTrue();
        clock.advance(Duration.ofHours(1));
        assertThat(buckets.tryConsume("u", limit).allowed()).isTrue();
        assertThat(buckets.tryConsume("u", limit).allowed()).isTrue();
        assertThat(buckets.tryConsume("u", limit).allowed()).isFalse();
    }

    @Test
    void peekDoesNotTakeATokenAndAnUnknownKeyIsAllowed() {
        Limit limit = new Limit(1.0 / 6, 2);
        assertThat(buckets.peek("addr").allowed()).isTrue();
        buckets.tryConsume("addr", limit);
        assertThat(buckets.peek("addr").allowed()).isTrue();
        assertThat(buckets.peek("addr").allowed()).isTrue();
        buckets.tryConsume("addr", limit);
        TokenBuckets.Decision blocked = buckets.peek("addr");
        assertThat(blocked.allowed()).isFalse();
        assertThat(blocked.retryAfterSeconds()).isEqualTo(6);
        clock.advance(Duration.ofSeconds(6));
        assertThat(buckets.peek("addr").allowed()).isTrue();
    }

    @Test
    void idleBucketsAreEvictedOnlyOnceFullAgain() {
        Limit slow = new Limit(0.001, 1); // 1000 s to fill, longer than the 5 min idle timeout
        Limit fast = new Limit(100, 10);
        buckets.tryConsume("slow", slow);
        buckets.tryConsume("fast", fast);
        clock.advance(Duration.ofMinutes(4));
        assertThat(buckets.evictIdle()).isZero();
        clock.advance(Duration.ofMinutes(1));
        assertThat(buckets.evictIdle()).as("fast is full and idle for 5 min").isEqualTo(1);
        assertThat(buckets.size()).isEqualTo(1);
        assertThat(buckets.tryConsume("slow", slow).allowed()).as("slow still remembers its empty bucket").isFalse();
        clock.advance(Duration.ofSeconds(1000));
        assertThat(buckets.evictIdle()).isEqualTo(1);
        assertThat(buckets.size()).isZero();
    }

    @Test
    void aChangedLimitStartsANewBucket() {
        assertThat(buckets.tryConsume("u", new Limit(1, 1)).allowed()).isTrue();
        assertThat(buckets.tryConsume("u", new Limit(1, 1)).allowed()).isFalse();
        assertThat(buckets.tryConsume("u", new Limit(5, 5)).allowed()).isTrue();
    }

    @Test
    void retryAfterIsAtLeastOneSecondAndRoundsUp() {
        assertThat(TokenBuckets.retryAfterSeconds(1)).isEqualTo(1);
        assertThat(TokenBuckets.retryAfterSeconds(1_000_000_000L)).isEqualTo(1);
        assertThat(TokenBuckets.retryAfterSeconds(1_000_000_001L)).isEqualTo(2);
        assertThat(TokenBuckets.retryAfterSeconds(0)).isEqualTo(1);
    }
}
