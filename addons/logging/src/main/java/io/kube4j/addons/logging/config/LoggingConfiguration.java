package io.kube4j.addons.logging.config;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.addons.logging.collect.CheckpointFile;
import io.kube4j.addons.logging.collect.ContainerDirectory;
import io.kube4j.addons.logging.collect.DockerContainerDirectory;
import io.kube4j.addons.logging.collect.InformerPodLabels;
import io.kube4j.addons.logging.collect.LogCollector;
import io.kube4j.addons.logging.collect.LogSink;
import io.kube4j.addons.logging.forward.ForwardFormat;
import io.kube4j.addons.logging.forward.HttpLogForwarder;
import io.kube4j.addons.logging.store.LogStore;
import io.kube4j.addons.logging.web.LogSearchService;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.informer.SharedInformerFactory;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Wires the collector: the Docker engine, the node's pod informer, the store, the forwarders and the search. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(LoggingProperties.class)
public class LoggingConfiguration {

    private static final Logger log = LoggerFactory.getLogger(LoggingConfiguration.class);

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    KubeClient kubeClient(Environment env) {
        Map<String, String> props = new HashMap<>(Binder.get(env)
                .bind("kube4j.client", Bindable.mapOf(String.class, String.class)).orElse(Map.of()));
        return KubeClient.create(ClientConfig.fromProperties(props));
    }

    @Bean(destroyMethod = "close")
    LogStore logStore(LoggingProperties props, MeterRegistry meters) {
        LogStore store = new LogStore(props.dataDir().resolve("segments"), props.retention(),
                props.maxBytes().toBytes(), Clock.systemUTC());
        Gauge.builder("kube4j_logging_store_bytes", store, LogStore::sizeBytes)
                .description("Bytes in the node's log store").baseUnit("bytes").register(meters);
        Gauge.builder("kube4j_logging_store_segments", store, LogStore::segmentCount)
                .description("Hourly segments in the node's log store").register(meters);
        return store;
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    DockerClient loggingDockerClient(LoggingProperties props) {
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(props.dockerHost()).build();
        return DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost()).sslConfig(config.getSSLConfig())
                .connectionTimeout(Duration.ofSeconds(10)).build());
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    ContainerDirectory containerDirectory(DockerClient docker, LoggingProperties props) {
        return new DockerContainerDirectory(docker, props.nodeName());
    }

    @Bean(destroyMethod = "stopAll")
    SharedInformerFactory loggingInformers(KubeClient client) {
        return SharedInformerFactory.forClient(client, Duration.ZERO);
    }

    @Bean
    InformerPodLabels podLabels(SharedInformerFactory informers, LoggingProperties props, KubeClient client) {
        InformerPodLabels labels = new InformerPodLabels(10_000, (ns, name) -> {
            try {
                return java.util.Optional.ofNullable(client.resources(Pod.class).get(ns, name)
                        .block(Duration.ofSeconds(5)));
            } catch (RuntimeException e) {
                return java.util.Optional.empty(); // gone or unreachable: the label wait decides
            }
        });
        informers.informerFor(Pod.class, null, ListOptions.all().withFieldSelector("spec.nodeName=" + props.nodeName()))
                .addEventHandler(labels);
        return labels;
    }

    @Bean(destroyMethod = "close")
    ForwarderList logForwarders(LoggingProperties props, MeterRegistry meters) {
        LoggingProperties.Forward f = props.forward();
        List<HttpLogForwarder> list = new ArrayList<>();
        if (!f.lokiUrl().isBlank()) {
            list.add(new HttpLogForwarder("loki", URI.create(f.lokiUrl()), new ForwardFormat.Loki(), f.batchSize(),
                    f.flushInterval(), f.bufferLines(), f.maxRetries(), f.retryBackoff(), meters));
        }
        if (!f.elasticsearchUrl().isBlank()) {
            list.add(new HttpLogForwarder("elasticsearch", URI.create(f.elasticsearchUrl()),
                    new ForwardFormat.Elasticsearch(f.elasticsearchIndex()), f.batchSize(), f.flushInterval(),
                    f.bufferLines(), f.maxRetries(), f.retryBackoff(), meters));
        }
        return new ForwarderList(list);
    }

    /** The configured forwarders (possibly none), closed together. */
    public record ForwarderList(List<HttpLogForwarder> forwarders) implements AutoCloseable {
        @Override
        public void close() {
            forwarders.forEach(HttpLogForwarder::close);
        }
    }

    @Bean(destroyMethod = "close")
    LogCollector logCollector(LoggingProperties props, ContainerDirectory containers, InformerPodLabels podLabels,
                              LogStore store, ForwarderList forwarders, MeterRegistry meters) {
        List<LogSink> sinks = new ArrayList<>(forwarders.forwarders());
        return new LogCollector(props.nodeName(), containers, podLabels, store, sinks,
                new CheckpointFile(props.dataDir().resolve("checkpoints.json")), props.pollInterval(),
                props.rediscover(), props.labelWait(), meters, Clock.systemUTC());
    }

    @Bean
    LogSearchService logSearchService(LogStore store, LoggingProperties props, MeterRegistry meters) {
        return new LogSearchService(store, props.searchMaxLimit(), meters, Clock.systemUTC());
    }

    /** Starts the pod informer and the collector. */
    @Bean
    SmartLifecycle logCollectorLifecycle(SharedInformerFactory informers, LogCollector collector,
                                         LoggingProperties props) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                // not waiting for the informer's first list: with the apiserver down, files are still read (a pod
                // unknown to the informer is looked up directly, and its lines wait up to label-wait for its labels)
                informers.startAll();
                collector.start();
                running = true;
                String version = LoggingConfiguration.class.getPackage().getImplementationVersion();
                log.info("log collector {} for node {}: data {}, retention {}, max-bytes {}, docker {}, forward loki "
                                + "'{}' elasticsearch '{}'", version == null ? "(dev)" : version, props.nodeName(),
                        props.dataDir(), props.retention(), props.maxBytes(), props.dockerHost(),
                        props.forward().lokiUrl(), props.forward().elasticsearchUrl());
            }

            @Override
            public void stop() {
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }
        };
    }
}
