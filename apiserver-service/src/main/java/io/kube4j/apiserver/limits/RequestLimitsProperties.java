package io.kube4j.apiserver.limits;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * The apiserver's request limits, under {@code kube4j.apiserver} (kube-apiserver's {@code --request-timeout},
 * {@code --max-requests-inflight}, {@code --max-mutating-requests-inflight}; 0 disables a limit).
 *
 * @param requestTimeout              deadline of a non-long-running request (not watches, exec, attach,
 *                                    portforward, log, proxy); a {@code ?timeout=} parameter may only shorten it
 * @param maxRequestsInflight         read-only (get, list) requests served at once; beyond: 429
 * @param maxMutatingRequestsInflight mutating requests served at once; beyond: 429
 */
@ConfigurationProperties("kube4j.apiserver")
public record RequestLimitsProperties(
        @DefaultValue("60s") Duration requestTimeout,
        @DefaultValue("400") int maxRequestsInflight,
        @DefaultValue("200") int maxMutatingRequestsInflight) {
}
