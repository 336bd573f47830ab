package io.kube4j.addons.ingress.config;

import io.kube4j.addons.ingress.IngressController;
import io.kube4j.client.KubeClient;
import io.kube4j.client.config.ClientConfig;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The application's wiring: an apiserver client from {@code kube4j.client.*} (as every kube4j role), and the
 * {@link IngressController}, started when the context is ready and closed with it.
 */
@Configuration(proxyBeanMethods = false)
public class IngressConfiguration {

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    KubeClient kubeClient(Environment env) {
        Map<String, String> props = new HashMap<>(Binder.get(env)
                .bind("kube4j.client", Bindable.mapOf(String.class, String.class)).orElse(Map.of()));
        return KubeClient.create(ClientConfig.fromProperties(props));
    }

    @Bean(destroyMethod = "close")
    IngressController ingressController(KubeClient client, IngressProperties props, MeterRegistry meters) {
        return new IngressController(client, props, meters).start(Duration.ofMinutes(2));
    }
}
