package io.kube4j.proxy.config;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.client.util.Clock;
import io.kube4j.proxy.Proxier;
import io.kube4j.proxy.health.ProxyHealthServer;
import io.kube4j.proxy.health.ServiceHealthServer;
import io.kube4j.proxy.sync.SyncRunner;
import io.kube4j.proxy.tracker.ProxyStateTracker;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The running agent (everything but {@code --cleanup}): the apiserver client, shared informers for Services and
 * EndpointSlices in all namespaces, the change tracker, the proxier of the selected mode, the sync loop, the health
 * servers, and the lifecycle that starts them in order.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "kube4j.proxy", name = "cleanup", havingValue = "false", matchIfMissing = true)
public class ProxyAgentConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ProxyAgentConfiguration.class);

    /**
     * kube-proxy's informer selector: neither headless Services (and their slices) nor objects handled by another
     * proxy ({@code service.kubernetes.io/service-proxy-name}) reach the agent.
     */
    public static final String LABEL_SELECTOR = "!service.kubernetes.io/service-proxy-name,!service.kubernetes.io/headless";

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    KubeClient kubeClient(Environment env) {
        Map<String, String> props = new HashMap<>(Binder.get(env)
                .bind("kube4j.client", Bindable.mapOf(String.class, String.class)).orElse(Map.of()));
        return KubeClient.create(ClientConfig.fromProperties(props));
    }

    @Bean
    @ConditionalOnMissingBean
    Clock proxyClock() {
        return Clock.system();
    }

    @Bean
    ProxyModeSelector.Selection proxyMode(ProxyModeSelector selector, ProxyAgentProperties props) {
        return selector.select(props);
    }

    @Bean
    Proxier proxier(ProxierFactory factory, ProxyModeSelector.Selection mode) {
        return factory.create(mode);
    }

    @Bean
    SharedInformerFactory proxyInformers(KubeClient client, ProxyAgentProperties props) {
        return SharedInformerFactory.forClient(client, props.configSyncPeriod());
    }

    @Bean
    ProxyStateTracker proxyStateTracker(ProxyAgentProperties props, Clock clock, SharedInformerFactory informers) {
        ProxyStateTracker tracker = new ProxyStateTracker(props.nodeName(), clock);
        ListOptions selector = ListOptions.all().withLabelSelector(LABEL_SELECTOR);
        informers.informerFor(Service.class, null, selector).addEventHandler(tracker.serviceHandler());
        informers.informerFor(EndpointSlice.class, null, selector).addEventHandler(tracker.endpointSliceHandler());
        return tracker;
    }

    @Bean
    SyncRunner syncRunner(Proxier proxier, ProxyStateTracker tracker, ProxyAgentProperties props, MeterRegistry meters,
                          Clock clock) {
        return new SyncRunner(proxier, tracker, props.minSyncPeriod(), props.syncPeriod(), meters, clock);
    }

    /** kube-proxy's {@code /healthz} (and {@code /livez}), unless {@code healthz-bind-address} is empty. */
    @Bean
    @ConditionalOnExpression("'${kube4j.proxy.healthz-bind-address:0.0.0.0:10256}' != ''")
    ProxyHealthServer proxyHealthServer(ProxyAgentProperties props, SyncRunner runner, Clock clock,
                                        MeterRegistry meters) {
        ProxyAgentProperties.HostPort at = props.healthz();
        // kube-proxy's healthz timeout: 2 x the sync period
        ProxyHealthServer server = new ProxyHealthServer(at.host(), at.port(), props.syncPeriod().multipliedBy(2),
                clock, meters);
        runner.addListener(server);
        return server;
    }

    /** Listeners on the healthCheckNodePorts of this node's externalTrafficPolicy=Local Services. */
    @Bean
    ServiceHealthServer serviceHealthServer(SyncRunner runner, ObjectProvider<ProxyHealthServer> proxyHealth) {
        ProxyHealthServer healthz = proxyHealth.getIfAvailable();
        ServiceHealthServer server = new ServiceHealthServer("0.0.0.0", healthz == null ? () -> true
                : healthz::isHealthy);
        runner.addListener(server);
        return server;
    }

    @Bean
    ProxySyncHealthIndicator proxySyncHealthIndicator(SyncRunner runner, ProxyModeSelector.Selection mode,
                                                      ProxyAgentProperties props, Clock clock) {
        return new ProxySyncHealthIndicator(runner, mode.mode(), props.syncPeriod(), clock);
    }

    @Bean
    ProxyAgentLifecycle proxyAgentLifecycle(SharedInformerFactory informers, SyncRunner runner, KubeClient client,
                                            ProxyModeSelector.Selection mode, ProxyAgentProperties props,
                                            ObjectProvider<ProxyHealthServer> proxyHealth,
                                            ServiceHealthServer serviceHealth, Environment env) {
        ProxyHealthServer healthz = proxyHealth.getIfAvailable();
        List<ProxyAgentLifecycle.ManagedServer> servers = new ArrayList<>();
        if (healthz != null) {
            servers.add(new ProxyAgentLifecycle.ManagedServer("healthz", healthz::start, healthz::stop));
        }
        // opens its listeners as synced Services ask for them; only stopping is ours
        servers.add(new ProxyAgentLifecycle.ManagedServer("service health", () -> { }, serviceHealth::stop));
        return new ProxyAgentLifecycle(informers, runner, servers, () -> log.info(
                "kube4j proxy agent {} started: mode={} ({}) node={} clusterCIDR={} minSyncPeriod={} syncPeriod={} "
                        + "healthz={} metrics=:{} apiserver={}",
                Objects.requireNonNullElse(ProxyAgentConfiguration.class.getPackage().getImplementationVersion(), "dev"),
                mode.mode(), mode.reason(), props.nodeName(), props.clusterCidr().isEmpty() ? "none" : props.clusterCidr(),
                props.minSyncPeriod(), props.syncPeriod(),
                healthz == null ? "off" : props.healthz().host() + ":" + healthz.port(),
                env.getProperty("local.server.port", env.getProperty("server.port", "8080")),
                client.config().server()));
    }
}
