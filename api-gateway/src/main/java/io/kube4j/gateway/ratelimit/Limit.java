package io.kube4j.gateway.ratelimit;

import java.time.Duration;

/**
 * A token bucket's shape: {@code qps} tokens come back per second, up to {@code burst}.
 *
 * @param qps   sustained rate (tokens per second, may be below 1: 0.1 = one every 10 s)
 * @param burst bucket capacity
 */
public record Limit(double qps, long burst) implements Comparable<Limit> {

    public Limit {
        if (!(qps > 0) || Double.isInfinite(qps) || burst < 1) {
            throw new IllegalArgumentException("a rate limit needs qps > 0 and burst >= 1, got qps=" + qps
                    + " burst=" + burst);
        }
    }

    public static Limit of(Double qps, Integer burst) {
        return new Limit(qps, burst);
    }

    /** How long one token takes to come back. */
    public Duration tokenInterval() {
        return Duration.ofNanos(Math.max(1, Math.round(1e9 / qps)));
    }

    /** How long an empty bucket takes to fill up. */
    public Duration fillTime() {
        return tokenInterval().multipliedBy(burst);
    }

    /** The more generous limit is the greater: higher rate first, then bigger burst. */
    @Override
    public int compareTo(Limit o) {
        int c = Double.compare(qps, o.qps);
        return c != 0 ? c : Long.compare(burst, o.burst);
    }
}
