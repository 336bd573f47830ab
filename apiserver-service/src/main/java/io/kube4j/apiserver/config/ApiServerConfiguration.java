package io.kube4j.apiserver.config;

import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.apiserver.admission.AdmissionChain;
import io.kube4j.apiserver.allocation.ServiceAllocators;
import io.kube4j.apiserver.openapi.OpenApiHandler;
import io.kube4j.apiserver.registry.ResourceHooks;
import io.kube4j.apiserver.registry.ResourceStore;
import io.kube4j.apiserver.rest.DiscoveryHandler;
import io.kube4j.apiserver.rest.ResourceHandler;
import io.kube4j.apiserver.rest.WatchHandler;
import io.kube4j.apiserver.storage.EtcdStorage;
import io.kube4j.apiserver.storage.EtcdStorageConfig;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.storage.StorageCompactor;
import io.kube4j.apiserver.storage.embedded.EmbeddedStorage;
import io.kube4j.apiserver.storage.embedded.EmbeddedStorageConfig;
import io.kube4j.apiserver.storage.encryption.EncryptingStorage;
import io.kube4j.apiserver.storage.encryption.EncryptionConfiguration;
import io.kube4j.apiserver.watch.WatchCacheManager;
import io.micrometer.core.instrument.MeterRegistry;
import io.swagger.v3.oas.annotations.Operation;
import org.springdoc.core.annotations.RouterOperation;
import org.springdoc.core.annotations.RouterOperations;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.boot.info.BuildProperties;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/** Wires the apiserver: storage, watch cache, the generic store and the HTTP routes. */
@Configuration(proxyBeanMethods = false)
public class ApiServerConfiguration {

    @Bean(destroyMethod = "close")
    Storage storage(ApiServerProperties props, MeterRegistry meters, ResourceRegistry registry) {
        Storage backend = backend(props, meters);
        String encryption = props.encryptionProviderConfig();
        if (encryption == null || encryption.isBlank()) {
            return backend;
        }
        EncryptionConfiguration config;
        try {
            config = EncryptionConfiguration.load(java.nio.file.Path.of(encryption), registry);
        } catch (RuntimeException ex) {
            backend.close();
            throw ex;
        }
        org.slf4j.LoggerFactory.getLogger(ApiServerConfiguration.class)
                .info("encryption at rest from {}: key prefix -> writing provider {}", encryption, config.writers());
        return new EncryptingStorage(backend, config);
    }

    /** The backend {@code kube4j.apiserver.store} names (validated by {@link ApiServerProperties}). */
    private static Storage backend(ApiServerProperties props, MeterRegistry meters) {
        if (ApiServerProperties.STORE_EMBEDDED.equals(props.store())) {
            ApiServerProperties.Embedded e = props.embedded();
            return new EmbeddedStorage(new EmbeddedStorageConfig(java.nio.file.Path.of(e.dataDir()), e.retentionTime(),
                    null), meters);
        }
        ApiServerProperties.Etcd e = props.etcd();
        return new EtcdStorage(new EtcdStorageConfig(e.endpoints(), e.requestTimeout(), e.connectTimeout(),
                e.caFile(), e.certFile(), e.keyFile()), meters);
    }

    /** Compacts the store's history every {@code compaction-interval}, coordinated with other apiservers. */
    @Bean(initMethod = "start", destroyMethod = "close")
    StorageCompactor storageCompactor(Storage storage, ApiServerProperties props) {
        return new StorageCompactor(storage, props.compactionInterval());
    }

    /**
     * Request lines up to 64 KiB, as Go's server (which allows a megabyte of request line and headers) rather than
     * Netty's 4 KiB: a long label or field selector from kubectl, or a long name, gets the API's own answer (a list, a
     * 404, a 422 naming the field) instead of a bare 414 from the HTTP decoder.
     */
    @Bean
    WebServerFactoryCustomizer<NettyReactiveWebServerFactory> longRequestLines() {
        // ordered last: Boot's own Netty customizer sets the decoder from server.netty.* (4 KiB) and must not win;
        // set in code, not application.yaml, so in-process apiservers in other modules' tests get it too
        return new LongRequestLines();
    }

    private static final class LongRequestLines implements WebServerFactoryCustomizer<NettyReactiveWebServerFactory>,
            Ordered {
        @Override
        public void customize(NettyReactiveWebServerFactory factory) {
            factory.addServerCustomizers(server -> server.httpRequestDecoder(
                    spec -> spec.maxInitialLineLength(64 * 1024)));
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }

    /** The built-in resources; without the resource metrics API when {@code kube4j.apiserver.metrics-api.enabled=false}. */
    @Bean
    ResourceRegistry resourceRegistry(org.springframework.core.env.Environment env) {
        ResourceRegistry builtin = ResourceRegistry.builtin();
        if (env.getProperty("kube4j.apiserver.metrics-api.enabled", Boolean.class, true)) {
            return builtin;
        }
        return new ResourceRegistry(builtin.all().stream().filter(t -> !t.group().equals("metrics.k8s.io")).toList(),
                builtin.alsoServed());
    }

    @Bean
    WatchCacheManager watchCacheManager(Storage storage, ResourceRegistry registry, ApiServerProperties props,
                                        MeterRegistry meters) {
        return new WatchCacheManager(storage, registry, props.watchCache(), meters);
    }

    @Bean
    ServiceAllocators serviceAllocators(Storage storage, ApiServerProperties props) {
        return new ServiceAllocators(storage, props.serviceClusterIpRange(), props.serviceNodePortRange());
    }

    @Bean
    ResourceStore resourceStore(Storage storage, WatchCacheManager caches, ServiceAllocators allocators,
                                ResourceRegistry registry, ApiServerProperties props, AdmissionChain admission) {
        return new ResourceStore(storage, caches, new ResourceHooks(allocators), registry, props, admission);
    }

    @Bean
    WatchHandler watchHandler(WatchCacheManager caches, ApiServerProperties props, MeterRegistry meters) {
        return new WatchHandler(caches, props, meters);
    }

    @Bean
    ResourceHandler resourceHandler(ResourceRegistry registry, ResourceStore store, WatchCacheManager caches,
                                    WatchHandler watches, ApiServerProperties props,
                                    java.util.List<io.kube4j.apiserver.rest.ResourceExtension> extensions) {
        return new ResourceHandler(registry, store, caches, watches, props, extensions);
    }

    @Bean
    DiscoveryHandler discoveryHandler(ResourceRegistry registry, ObjectProvider<BuildProperties> build) {
        BuildProperties b = build.getIfAvailable();
        String v = b != null ? b.getVersion() : ApiServerConfiguration.class.getPackage().getImplementationVersion();
        return new DiscoveryHandler(registry, v == null ? "dev" : v);
    }

    @Bean
    OpenApiHandler openApiHandler(ResourceRegistry registry) {
        return new OpenApiHandler(registry);
    }

    @Bean
    @RouterOperations({
            @RouterOperation(path = "/healthz", method = RequestMethod.GET, beanClass = HealthHandler.class, beanMethod = "healthz",
                    operation = @Operation(operationId = "healthz", summary = "The process serves requests")),
            @RouterOperation(path = "/livez", method = RequestMethod.GET, beanClass = HealthHandler.class, beanMethod = "healthz",
                    operation = @Operation(operationId = "livez", summary = "Liveness")),
            @RouterOperation(path = "/readyz", method = RequestMethod.GET, beanClass = HealthHandler.class, beanMethod = "readyz",
                    operation = @Operation(operationId = "readyz", summary = "Readiness: 200 while the watch cache is in sync and etcd answers")),
            @RouterOperation(path = "/version", method = RequestMethod.GET, beanClass = DiscoveryHandler.class, beanMethod = "version",
                    operation = @Operation(operationId = "version", summary = "The Kubernetes version this server reports"))
    })
    RouterFunction<ServerResponse> apiRoutes(DiscoveryHandler discovery, ResourceHandler resources,
                                             OpenApiHandler openapi, HealthHandler health) {
        return RouterFunctions.route()
                .GET("/version", discovery::version)
                .GET("/api", discovery::api)
                .GET("/apis", discovery::apis)
                .GET("/api/{version}", discovery::coreResources)
                .GET("/apis/{group}", discovery::group)
                .GET("/apis/{group}/{version}", discovery::groupResources)
                .GET("/openapi/v2", openapi::v2)
                .GET("/openapi/v3", openapi::index)
                .GET("/openapi/v3/**", openapi::document)
                .GET("/healthz", health::healthz)
                .GET("/livez", health::healthz)
                .GET("/readyz", health::readyz)
                .route(RequestPredicates.path("/api/**").or(RequestPredicates.path("/apis/**")), resources::handle)
                .build();
    }

    @Bean
    HealthHandler healthHandler(WatchCacheManager caches, Storage storage) {
        return new HealthHandler(caches::isReady, storage::currentRevision, HealthHandler.STORAGE_TIMEOUT);
    }
}
