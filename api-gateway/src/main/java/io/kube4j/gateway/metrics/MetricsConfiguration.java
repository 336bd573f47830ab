package io.kube4j.gateway.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.PropertySource;

/**
 * The gateway's meters and the filter that feeds them. Spring Cloud Gateway's own request timer
 * ({@code spring.cloud.gateway.server.webflux.metrics.enabled}) stays off: it sees only routed requests (not the
 * gateway's 401s and 429s) and these meters cover what it would.
 */
@Configuration(proxyBeanMethods = false)
@PropertySource("classpath:io/kube4j/gateway/metrics/management-defaults.properties")
public class MetricsConfiguration {

    @Bean
    GatewayMetrics gatewayMetrics(MeterRegistry registry) {
        return new GatewayMetrics(registry);
    }

    @Bean
    RequestMetricsFilter requestMetricsFilter(GatewayMetrics metrics) {
        return new RequestMetricsFilter(metrics);
    }
}
