package io.kube4j.gateway.ratelimit;

import io.kube4j.security.UserInfo;
import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;
import java.util.List;

/**
 * Request-rate limits of the gateway ({@code kube4j.gateway.rate-limit.*}): a token bucket per authenticated user
 * (anonymous requests: one bucket per client address), in memory and per gateway replica, and a stricter bucket of
 * failed authentications per client address.
 *
 * @param enabled              limit request rates per user at all
 * @param qps                  default sustained rate of a user (tokens per second)
 * @param burst                default bucket size (requests a user may send at once after being idle)
 * @param rules                overrides per user or per group; a user's own rule wins, else the most generous
 *                             matching group rule, else the default
 * @param exemptGroups         groups never limited (default {@code system:masters}, as Kubernetes' APF exempts them)
 * @param idleEviction         a bucket unused this long (and full again) is forgotten
 * @param failedAuthentication the limit of 401s per client address
 */
@ConfigurationProperties("kube4j.gateway.rate-limit")
public record RateLimitProperties(Boolean enabled, Double qps, Integer burst, List<Rule> rules,
                                  List<String> exemptGroups, Duration idleEviction,
                                  FailedAuthentication failedAuthentication) {

    public RateLimitProperties {
        enabled = enabled == null || enabled;
        qps = qps == null ? 50.0 : qps;
        burst = burst == null ? 100 : burst;
        rules = rules == null ? List.of() : List.copyOf(rules);
        exemptGroups = exemptGroups == null ? List.of(UserInfo.SYSTEM_MASTERS) : List.copyOf(exemptGroups);
        idleEviction = idleEviction == null ? Duration.ofMinutes(5) : idleEviction;
        failedAuthentication = failedAuthentication == null
                ? new FailedAuthentication(null, null, null) : failedAuthentication;
        Limit.of(qps, burst); // validates
    }

    /** The default limit of a user. */
    public Limit defaultLimit() {
        return Limit.of(qps, burst);
    }

    /**
     * An override for one user name or one group (exactly one of the two); qps and burst default to the global ones.
     */
    public record Rule(String user, String group, Double qps, Integer burst) {
        public Rule {
            boolean hasUser = user != null && !user.isBlank();
            boolean hasGroup = group != null && !group.isBlank();
            if (hasUser == hasGroup) {
                throw new IllegalArgumentException(
                        "kube4j.gateway.rate-limit.rules: each rule names exactly one of user or group");
            }
        }
    }

    /**
     * Failed authentications per client address: after {@code burst} 401s the address gets 429 without its
     * credentials being tried, until one token has come back ({@code refillInterval} per token).
     */
    public record FailedAuthentication(Boolean enabled, Integer burst, Duration refillInterval) {
        public FailedAuthentication {
            enabled = enabled == null || enabled;
            burst = burst == null ? 10 : burst;
            refillInterval = refillInterval == null ? Duration.ofSeconds(6) : refillInterval;
            if (burst < 1 || refillInterval.isNegative() || refillInterval.isZero()) {
                throw new IllegalArgumentException("kube4j.gateway.rate-limit.failed-authentication: burst >= 1 and"
                        + " a positive refill-interval, got " + burst + " and " + refillInterval);
            }
        }

        public Limit limit() {
            return new Limit(1e9 / refillInterval.toNanos(), burst);
        }
    }
}
