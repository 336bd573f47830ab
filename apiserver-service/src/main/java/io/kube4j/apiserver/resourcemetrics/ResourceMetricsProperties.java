package io.kube4j.apiserver.resourcemetrics;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * The resource metrics API ({@code metrics.k8s.io/v1beta1}), under {@code kube4j.apiserver.metrics-api}: what
 * metrics-server's {@code --metric-resolution} and {@code --kubelet-request-timeout} set.
 *
 * @param enabled           serve the API and scrape the node agents
 * @param scrapeInterval    how often every Ready node's {@code /stats/summary} is read; CPU is the rate between the
 *                          last two scrapes, so figures lag by up to this much (metrics-server: 15s)
 * @param scrapeTimeout     how long one node may take to answer before its points are left out of that scrape
 * @param scrapeConcurrency nodes scraped at once
 */
@ConfigurationProperties("kube4j.apiserver.metrics-api")
public record ResourceMetricsProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("15s") Duration scrapeInterval,
        @DefaultValue("10s") Duration scrapeTimeout,
        @DefaultValue("32") int scrapeConcurrency) {

    public ResourceMetricsProperties {
        if (scrapeInterval.isNegative() || scrapeInterval.isZero()) {
            throw new IllegalArgumentException("kube4j.apiserver.metrics-api.scrape-interval must be positive");
        }
        if (scrapeTimeout.isNegative() || scrapeTimeout.isZero()) {
            throw new IllegalArgumentException("kube4j.apiserver.metrics-api.scrape-timeout must be positive");
        }
        if (scrapeConcurrency < 1) {
            throw new IllegalArgumentException("kube4j.apiserver.metrics-api.scrape-concurrency must be at least 1");
        }
    }
}
