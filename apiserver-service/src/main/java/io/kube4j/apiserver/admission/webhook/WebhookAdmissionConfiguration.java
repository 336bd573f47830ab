package io.kube4j.apiserver.admission.webhook;

import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.watch.WatchCacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Dynamic admission: the two webhook plugins (picked up by the admission chain by type) and what they use. */
@Configuration(proxyBeanMethods = false)
public class WebhookAdmissionConfiguration {

    @Bean
    WatchCacheWebhookSource webhookSource(WatchCacheManager caches, ResourceRegistry registry) {
        return new WatchCacheWebhookSource(caches, registry);
    }

    @Bean
    WebhookDispatcher webhookDispatcher(WatchCacheManager caches, Storage storage, ResourceRegistry registry) {
        return new WebhookDispatcher(new WebhookClient(new EndpointsServiceResolver(caches, registry)),
                NamespaceLabels.watchCache(caches, storage, registry));
    }

    @Bean
    MutatingAdmissionWebhook mutatingAdmissionWebhook(WatchCacheWebhookSource source, WebhookDispatcher dispatcher) {
        return new MutatingAdmissionWebhook(source, dispatcher);
    }

    @Bean
    ValidatingAdmissionWebhook validatingAdmissionWebhook(WatchCacheWebhookSource source, WebhookDispatcher dispatcher) {
        return new ValidatingAdmissionWebhook(source, dispatcher);
    }
}
