package io.kube4j.gateway.routing;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

import java.time.Duration;

/**
 * Size limits, timeouts and the upstream connection pool ({@code kube4j.gateway.limits.*}).
 *
 * @param maxRequestBody     largest request body (default 3 MiB, kube-apiserver's limit): 413
 *                           {@code RequestEntityTooLarge}, from {@code Content-Length} or while the body streams
 * @param maxResponseBody    largest response body of a request that is not long-running (default 256 MiB): beyond
 *                           it the response is aborted (the connection is closed) and the abort logged
 * @param connectTimeout     TCP connect timeout to a replica (default 5s); a timed-out connect is retried elsewhere
 * @param responseTimeout    how long a request that is not long-running may wait for the response headers (default
 *                           60s, kube-apiserver's request timeout): 504 {@code Timeout}; none for long-running ones
 * @param maxConnections     connections per replica in the pool (default 1024; every watch holds one)
 * @param pendingAcquireTimeout how long a request waits for a pooled connection when all are busy (default 5s)
 * @param maxIdleTime        idle pooled connections are closed after this (default 30s)
 */
@ConfigurationProperties("kube4j.gateway.limits")
public record LimitsProperties(DataSize maxRequestBody, DataSize maxResponseBody, Duration connectTimeout,
                               Duration responseTimeout, Integer maxConnections, Duration pendingAcquireTimeout,
                               Duration maxIdleTime) {
    public LimitsProperties {
        maxRequestBody = maxRequestBody == null ? DataSize.ofMegabytes(3) : maxRequestBody;
        maxResponseBody = maxResponseBody == null ? DataSize.ofMegabytes(256) : maxResponseBody;
        connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
        responseTimeout = responseTimeout == null ? Duration.ofSeconds(60) : responseTimeout;
        maxConnections = maxConnections == null ? 1024 : maxConnections;
        pendingAcquireTimeout = pendingAcquireTimeout == null ? Duration.ofSeconds(5) : pendingAcquireTimeout;
        maxIdleTime = maxIdleTime == null ? Duration.ofSeconds(30) : maxIdleTime;
    }

    /** All defaults. */
    public static LimitsProperties defaults() {
        return new LimitsProperties(null, null, null, null, null, null, null);
    }
}
