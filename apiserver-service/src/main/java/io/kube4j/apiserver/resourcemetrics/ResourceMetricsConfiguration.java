package io.kube4j.apiserver.resourcemetrics;

import io.kube4j.apiserver.config.ApiServerProperties;
import io.kube4j.apiserver.proxy.KubeletProxy;
import io.kube4j.apiserver.registry.ResourceStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The resource metrics API: its storage, the scrape loop and the REST extension (off with {@code enabled=false}). */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "kube4j.apiserver.metrics-api", name = "enabled", havingValue = "true",
        matchIfMissing = true)
public class ResourceMetricsConfiguration {

    @Bean
    MetricsStorage resourceMetricsStorage(ResourceMetricsProperties props) {
        return new MetricsStorage(props.scrapeInterval());
    }

    @Bean
    StatsScraper resourceMetricsScraper(ResourceStore store, MetricsStorage storage, ResourceMetricsProperties props,
                                        ApiServerProperties apiserver, MeterRegistry meters) {
        return new StatsScraper(store, new KubeletProxy(store, store.registry(), apiserver.kubelet()), storage, props,
                meters);
    }

    @Bean
    ResourceMetricsExtension resourceMetricsExtension(ResourceStore store, MetricsStorage storage,
                                                      StatsScraper scraper) {
        return new ResourceMetricsExtension(store, storage, scraper);
    }
}
