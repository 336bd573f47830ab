package io.kube4j.addons.dns;

import io.kube4j.client.KubeClient;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.informer.SharedInformerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/** The add-on's beans: the apiserver client, the informers, the zone they keep, and the server answering from it. */
@Configuration(proxyBeanMethods = false)
public class DnsConfiguration {

    private static final Logger log = LoggerFactory.getLogger(DnsConfiguration.class);
    /** CoreDNS's kubernetes plugin waits this long for its first list before serving anyway. */
    private static final Duration FIRST_SYNC = Duration.ofSeconds(5);

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    KubeClient kubeClient(Environment env) {
        Map<String, String> props = new HashMap<>(Binder.get(env)
                .bind("kube4j.client", Bindable.mapOf(String.class, String.class)).orElse(Map.of()));
        return KubeClient.create(ClientConfig.fromProperties(props));
    }

    @Bean
    SharedInformerFactory dnsInformers(KubeClient client, DnsProperties props) {
        return SharedInformerFactory.forClient(client, props.resyncPeriod());
    }

    @Bean(destroyMethod = "close")
    ZoneMaintainer zoneMaintainer(DnsProperties props, SharedInformerFactory informers) {
        return new ZoneMaintainer(new ZoneBuilder(props.clusterDomain(), props.ttl().toSeconds(), props.cell()),
                informers, null);
    }

    @Bean
    DnsServer dnsServer(DnsProperties props, ZoneMaintainer zone, MeterRegistry meters) throws IOException {
        return new DnsServer(InetAddress.getByName(props.bindAddress()), props.port(), zone,
                props.upstreamAddresses(), props.upstreamTimeout(), meters, props.effectiveUdpWorkers());
    }

    @Bean(destroyMethod = "close")
    @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(name = "kube4j.dns.publish.enabled",
            havingValue = "true")
    ServicePublication dnsPublication(DnsProperties props, KubeClient client, SharedInformerFactory informers,
                                      DnsServer server) {
        DnsProperties.Publish p = props.publish();
        // the target port is read when publishing: with kube4j.dns.port=0 it is known once the server listens
        ServicePublisher.Api api = ServicePublisher.Api.of(client, Duration.ofSeconds(10));
        return new ServicePublication(new ServicePublisher(api, () -> new ServicePublisher.Target(p.namespace(),
                p.name(), p.clusterIp(), server.port())), p, informers);
    }

    /** Ready once the informers have listed: before that the zone may lack names that exist. */
    @Bean
    HealthIndicator dnsZoneHealth(ZoneMaintainer zone) {
        return () -> zone.hasSynced() ? Health.up().withDetail("names", zone.get().names().size()).build()
                : Health.outOfService().withDetail("reason", "informers have not listed yet").build();
    }

    @Bean
    SmartLifecycle dnsLifecycle(SharedInformerFactory informers, DnsServer server, DnsProperties props,
                                KubeClient client,
                                org.springframework.beans.factory.ObjectProvider<ServicePublication> publication) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                informers.startAll();
                if (!informers.waitForCacheSync(FIRST_SYNC)) {
                    log.warn("informers have not listed within {}: serving what is known (is the apiserver up?)",
                            FIRST_SYNC);
                }
                try {
                    server.start();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot listen on " + props.bindAddress() + ":" + props.port(), e);
                }
                running = true;
                publication.ifAvailable(ServicePublication::start);
                log.info("kube4j dns {} started: listening on {}:{} (udp, tcp) zones={}, {}.bns ttl={}s "
                                + "upstreams={} apiserver={} publish={}",
                        Objects.requireNonNullElse(DnsConfiguration.class.getPackage().getImplementationVersion(),
                                "dev"),
                        props.bindAddress(), server.port(), props.clusterDomain(), props.cell(),
                        props.ttl().toSeconds(), props.upstreamAddresses(), client.config().server(),
                        props.publish().enabled() ? props.publish().namespace() + "/" + props.publish().name() + " "
                                + props.publish().clusterIp() + " -> " + (props.publish().address().isBlank()
                                ? "node InternalIP" : props.publish().address()) : "off");
            }

            @Override
            public void stop() {
                running = false;
                server.close();
                informers.stopAll();
            }

            @Override
            public boolean isRunning() {
                return running;
            }
        };
    }
}
