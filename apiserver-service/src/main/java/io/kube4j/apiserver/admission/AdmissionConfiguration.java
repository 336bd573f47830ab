package io.kube4j.apiserver.admission;

import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.apiserver.admission.limitranger.LimitRanger;
import io.kube4j.apiserver.admission.namespacelifecycle.NamespaceLifecycle;
import io.kube4j.apiserver.admission.noderestriction.NodeRestriction;
import io.kube4j.apiserver.admission.podsecurity.PodSecurity;
import io.kube4j.apiserver.admission.serviceaccount.ServiceAccountAdmission;
import io.kube4j.apiserver.admission.resourcequota.ResourceQuotaAdmission;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.watch.WatchCacheManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.List;

/**
 * The built-in admission plugins as beans and the {@link AdmissionChain} built from every {@link AdmissionPlugin}
 * bean (in {@link AdmissionOrder}), minus {@code kube4j.apiserver.admission.disabled-plugins}.
 */
@Configuration(proxyBeanMethods = false)
public class AdmissionConfiguration {

    private static final Logger log = LoggerFactory.getLogger(AdmissionConfiguration.class);

    @Bean
    AdmissionLookup admissionLookup(WatchCacheManager caches, Storage storage, ResourceRegistry registry) {
        return new AdmissionLookup(caches, storage, registry);
    }

    @Bean
    AdmissionChain admissionChain(ObjectProvider<AdmissionPlugin> plugins, AdmissionProperties props) {
        List<AdmissionPlugin> ordered = plugins.orderedStream().toList();
        List<String> known = ordered.stream().map(AdmissionPlugin::name).toList();
        for (String d : props.disabledPlugins()) {
            if (!known.contains(d)) {
                log.warn("kube4j.apiserver.admission.disabled-plugins: no plugin named {} (known: {})", d, known);
            }
        }
        AdmissionChain chain = new AdmissionChain(ordered, props.disabledPlugins());
        log.info("admission plugins enabled, in order: {}; disabled: {}", chain.enabledPlugins(), props.disabledPlugins());
        return chain;
    }

    @Bean
    NamespaceLifecycle namespaceLifecycle(AdmissionLookup lookup) {
        return new NamespaceLifecycle(lookup);
    }

    @Bean
    LimitRanger limitRanger(AdmissionLookup lookup) {
        return new LimitRanger(lookup);
    }

    @Bean
    ResourceQuotaAdmission resourceQuotaAdmission(AdmissionLookup lookup) {
        return new ResourceQuotaAdmission(lookup);
    }

    @Bean
    ServiceAccountAdmission serviceAccountAdmission(AdmissionLookup lookup) {
        return new ServiceAccountAdmission(lookup);
    }

    @Bean
    NodeRestriction nodeRestriction() {
        return new NodeRestriction();
    }

    @Bean
    PodSecurity podSecurity(AdmissionLookup lookup) {
        return new PodSecurity(lookup);
    }

    @Bean
    DefaultTolerationSeconds defaultTolerationSeconds(DefaultTolerationSecondsProperties props) {
        return new DefaultTolerationSeconds(props);
    }

    @Bean
    io.kube4j.apiserver.admission.storage.DefaultStorageClass defaultStorageClass(AdmissionLookup lookup) {
        return new io.kube4j.apiserver.admission.storage.DefaultStorageClass(lookup);
    }

    @Bean
    io.kube4j.apiserver.admission.networking.DefaultIngressClass defaultIngressClass(AdmissionLookup lookup) {
        return new io.kube4j.apiserver.admission.networking.DefaultIngressClass(lookup);
    }

    @Bean
    io.kube4j.apiserver.admission.storage.StorageObjectInUseProtection storageObjectInUseProtection() {
        return new io.kube4j.apiserver.admission.storage.StorageObjectInUseProtection();
    }

    @Bean
    PriorityAdmission priorityAdmission(WatchCacheManager caches, Storage storage, AdmissionLookup lookup) {
        return new PriorityAdmission(new WatchCachePriorityClassLookup(caches, storage,
                lookup.type("scheduling.k8s.io", "v1", "priorityclasses")));
    }
}
