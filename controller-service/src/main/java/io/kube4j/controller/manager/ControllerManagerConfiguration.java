package io.kube4j.controller.manager;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kube4j.client.KubeClient;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.leaderelection.LeaderElectedControllers;
import io.kube4j.client.leaderelection.LeaderElectionConfig;
import io.kube4j.client.util.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Runs the enabled controllers for the application's lifetime. With leader election (the default) only the replica
 * holding the Lease runs them; a replica that loses the lease stops its controllers (before the lease can expire for
 * anyone else), drops its caches and campaigns again with a fresh manager.
 */
@Configuration(proxyBeanMethods = false)
public class ControllerManagerConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ControllerManagerConfiguration.class);

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    KubeClient kubeClient(Environment env) {
        Map<String, String> props = new HashMap<>(Binder.get(env)
                .bind("kube4j.client", Bindable.mapOf(String.class, String.class)).orElse(Map.of()));
        return KubeClient.create(ClientConfig.fromProperties(props));
    }

    @Bean
    SmartLifecycle controllerManagerLifecycle(KubeClient client, ObjectProvider<ControllerFactory> factories,
            ControllerManagerProperties props, MeterRegistry meters) {
        return new ManagerLifecycle(client, factories.orderedStream().toList(), props, meters);
    }

    /** Starts the manager (or the campaign for it) with the application and stops it at shutdown. */
    static final class ManagerLifecycle implements SmartLifecycle {

        private final KubeClient client;
        private final List<ControllerFactory> factories;
        private final ControllerManagerProperties props;
        private final MeterRegistry meters;
        private final String identity = LeaderElectionConfig.defaultIdentity();
        private volatile boolean running;
        private ControllerManager unelected;
        private LeaderElectedControllers elected;

        ManagerLifecycle(KubeClient client, List<ControllerFactory> factories, ControllerManagerProperties props,
                MeterRegistry meters) {
            this.client = client;
            this.factories = factories;
            this.props = props;
            this.meters = meters;
        }

        private ControllerManager newManager() {
            return new ControllerManager(ControllerContext.of(client, props.resync(), meters, Clock.system()),
                    factories, props.controllers());
        }

        @Override
        public synchronized void start() {
            running = true;
            String election;
            if (props.leaderElection().enabled()) {
                campaign();
                election = props.leaderElection().resourceNamespace() + "/" + props.leaderElection().resourceName()
                        + " as " + identity;
            } else {
                unelected = newManager();
                unelected.start();
                election = "disabled";
            }
            log.info("kube4j controller manager {} started: apiserver={} controllers={} resync={} leaderElection={}",
                    Objects.requireNonNullElse(getClass().getPackage().getImplementationVersion(), "dev"),
                    client.config().server(), ControllerManager.enabled(factories, props.controllers()).stream()
                            .map(ControllerFactory::name).toList(), props.resync(), election);
        }

        private synchronized void campaign() {
            if (!running) {
                return;
            }
            elected = new LeaderElectedControllers(client.resources(Lease.class),
                    props.leaderElection().toConfig(identity), Clock.system(), List.of(newManager()),
                    this::lostLeadership);
            elected.start();
        }

        private void lostLeadership() {
            log.warn("{} lost the lease {}/{}: controllers stopped; campaigning again with fresh caches", identity,
                    props.leaderElection().resourceNamespace(), props.leaderElection().resourceName());
            Thread t = new Thread(() -> {
                LeaderElectedControllers old;
                synchronized (this) {
                    old = elected;
                }
                try {
                    old.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                campaign();
            }, "controller-manager-recampaign");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public synchronized void stop() {
            running = false;
            try {
                if (elected != null) {
                    elected.close();
                }
                if (unelected != null) {
                    unelected.stop();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public boolean isRunning() {
            return running;
        }
    }
}
