package io.kube4j.gateway.ratelimit;

import io.github.bucket4j.TimeMeter;
import io.kube4j.gateway.metrics.GatewayMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;

/**
 * The rate limits ({@code kube4j.gateway.rate-limit.*}): per user after authentication, failed authentications per
 * address before it, and a periodic sweep of idle buckets.
 */
@Configuration(proxyBeanMethods = false)
public class RateLimitConfiguration {

    private static final Logger log = LoggerFactory.getLogger(RateLimitConfiguration.class);

    @Bean
    RateLimitRules rateLimitRules(RateLimitProperties props) {
        return new RateLimitRules(props);
    }

    @Bean
    @ConditionalOnProperty(name = "kube4j.gateway.rate-limit.enabled", matchIfMissing = true)
    UserRateLimitFilter userRateLimitFilter(RateLimitRules rules, RateLimitProperties props, GatewayMetrics metrics) {
        log.info("Rate limit per user: {} qps, burst {}, {} rules, exempt groups {}", props.qps(), props.burst(),
                props.rules().size(), props.exemptGroups());
        return new UserRateLimitFilter(rules, sweep(new TokenBuckets(TimeMeter.SYSTEM_NANOTIME, props.idleEviction()),
                props.idleEviction()), metrics);
    }

    @Bean
    @ConditionalOnProperty(name = "kube4j.gateway.rate-limit.failed-authentication.enabled", matchIfMissing = true)
    FailedAuthenticationLimiter failedAuthenticationLimiter(RateLimitProperties props, GatewayMetrics metrics) {
        RateLimitProperties.FailedAuthentication f = props.failedAuthentication();
        log.info("Failed authentications per client address: burst {}, one more every {}", f.burst(),
                f.refillInterval());
        return new FailedAuthenticationLimiter(f.limit(),
                sweep(new TokenBuckets(TimeMeter.SYSTEM_NANOTIME, props.idleEviction()), props.idleEviction()),
                metrics);
    }

    private static TokenBuckets sweep(TokenBuckets buckets, Duration idle) {
        Duration every = idle.compareTo(Duration.ofMinutes(1)) < 0 ? idle : Duration.ofMinutes(1);
        return buckets.sweepEvery(every);
    }
}
