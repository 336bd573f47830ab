package io.kube4j.client.workqueue;

import io.kube4j.client.util.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * An overall token bucket ({@code qps} tokens a second, at most {@code burst} saved): each {@link #when} reserves a
 * token and answers how long to wait for it, like Go's {@code rate.Limiter.Reserve().Delay()}.
 */
public final class BucketRateLimiter<K> implements RateLimiter<K> {

    private final double qps;
    private final int burst;
    private final Clock clock;
    private double tokens;
    private Instant last;

    public BucketRateLimiter(double qps, int burst, Clock clock) {
        if (qps <= 0 || burst < 1) {
            throw new IllegalArgumentException("need qps > 0 and burst >= 1, got qps=" + qps + " burst=" + burst);
        }
        this.qps = qps;
        this.burst = burst;
        this.clock = clock;
        this.tokens = burst;
        this.last = clock.now();
    }

    @Override
    public synchronized Duration when(K item) {
        refill();
        tokens -= 1;
        return tokens >= 0 ? Duration.ZERO : Duration.ofNanos((long) Math.ceil(-tokens / qps * 1e9));
    }

    /**
     * Takes a token if one is there now, else takes nothing and answers false (Go's
     * {@code flowcontrol.TokenBucketRateLimiter.TryAccept}), for callers that poll instead of waiting.
     */
    public synchronized boolean tryAccept() {
        refill();
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** The tokens added per second. */
    public double qps() {
        return qps;
    }

    private void refill() {
        Instant now = clock.now();
        if (now.isAfter(last)) {
            double elapsed = Duration.between(last, now).toNanos() / 1e9;
            tokens = Math.min(burst, tokens + elapsed * qps);
            last = now;
        }
    }

    @Override
    public void forget(K item) {
    }

    @Override
    public int numRequeues(K item) {
        return 0;
    }
}
