package io.kube4j.scheduler.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kube4j.client.KubeClient;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.client.util.Clock;
import io.kube4j.scheduler.Scheduler;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.FrameworkHandle;
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.framework.Plugin;
import io.kube4j.scheduler.framework.PluginRegistry;
import io.kube4j.scheduler.framework.Profile;
import io.kube4j.scheduler.leaderelection.LeaderElectedScheduler;
import io.kube4j.scheduler.metrics.SchedulerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.kube4j.scheduler.plugins.DefaultPlugins;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Wires the scheduler from {@code kube4j.scheduler.*} and {@code kube4j.client.*} (the apiserver, as the node agent
 * reads it) and runs it for the application's lifetime.
 */
@Configuration(proxyBeanMethods = false)
public class SchedulerConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SchedulerConfiguration.class);

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    KubeClient kubeClient(Environment env) {
        Map<String, String> props = new HashMap<>(Binder.get(env)
                .bind("kube4j.client", Bindable.mapOf(String.class, String.class)).orElse(Map.of()));
        return KubeClient.create(ClientConfig.fromProperties(props));
    }

    @Bean(destroyMethod = "close")
    Parallelizer schedulerParallelizer(SchedulerProperties props) {
        return new Parallelizer(props.effectiveParallelism());
    }

    @Bean(destroyMethod = "close")
    EventRecorder schedulerEventRecorder(KubeClient client, SchedulerProperties props) {
        return new EventRecorder(client.resources(Event.class), props.schedulerName(), null);
    }

    @Bean
    SchedulerMetrics schedulerMetrics(MeterRegistry registry,
            @org.springframework.beans.factory.annotation.Value("${kube4j.scheduler.plugin-metrics-sample-percent:"
                    + SchedulerMetrics.PLUGIN_METRICS_SAMPLE_PERCENT + "}") int pluginMetricsSamplePercent) {
        return new SchedulerMetrics(registry, pluginMetricsSamplePercent);
    }

    @Bean
    Scheduler scheduler(KubeClient client, SchedulerProperties props, Parallelizer parallelizer,
            EventRecorder events, Environment env, SchedulerMetrics metrics) {
        SharedInformerFactory informers = SharedInformerFactory.forClient(client, props.resync());
        List<Framework> frameworks = new java.util.ArrayList<>();
        for (Profile p : profiles(env, props, new FrameworkHandle.SimpleHandle(client, events, informers,
                parallelizer, Clock.system()))) {
            log.info("scheduler profile {}: plugins={} weights={} percentageOfNodesToScore={}", p.schedulerName(),
                    p.plugins().stream().map(Plugin::name).toList(), p.scoreWeights(), p.percentageOfNodesToScore());
            frameworks.add(new Framework(p, parallelizer, new Random()));
        }
        return new Scheduler(client, informers, frameworks, events, Clock.system(), new Scheduler.Settings(
                props.podInitialBackoff(), props.podMaxBackoff(), props.unschedulableFlushInterval(),
                props.bindTimeout(), 64), metrics);
    }

    /**
     * The profiles from {@code kube4j.scheduler.config-file} or {@code kube4j.scheduler.profiles} (else the default
     * profile), with built-in plugins and those found with {@link java.util.ServiceLoader}; invalid configuration stops
     * the startup with a message naming the problem.
     */
    static List<Profile> profiles(Environment env, SchedulerProperties props, FrameworkHandle handle) {
        try {
            PluginRegistry registry = DefaultPlugins.registry(props.bindTimeout())
                    .loadServices(Thread.currentThread().getContextClassLoader());
            return new ProfileFactory(registry, DefaultPlugins.MULTI_POINT, handle).build(ProfileLoader.load(env),
                    props.schedulerName(), props.percentageOfNodesToScore());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid scheduler configuration: " + e.getMessage(), e);
        }
    }

    @Bean
    SmartLifecycle schedulerLifecycle(Scheduler scheduler, SchedulerProperties props, KubeClient client,
            LeaderElectionProperties election) {
        return new SmartLifecycle() {
            private volatile boolean running;
            private LeaderElectedScheduler elected;

            @Override
            public void start() {
                String leaderElection = "disabled";
                if (election.enabled()) {
                    elected = new LeaderElectedScheduler(scheduler, client.resources(Lease.class),
                            election.toConfig(LeaderElectedScheduler.defaultIdentity()), Clock.system());
                    elected.start(Duration.ofMinutes(2));
                    leaderElection = election.resourceNamespace() + "/" + election.resourceName() + " as "
                            + elected.identity();
                } else {
                    scheduler.start(Duration.ofMinutes(2));
                }
                running = true;
                log.info("kube4j scheduler {} started: apiserver={} schedulerName={} percentageOfNodesToScore={}"
                        + " parallelism={} leaderElection={}", java.util.Objects.requireNonNullElse(
                        SchedulerConfiguration.class.getPackage().getImplementationVersion(), "dev"),
                        client.config().server(), props.schedulerName(), props.percentageOfNodesToScore() == 0 ? "adaptive"
                                : props.percentageOfNodesToScore(), props.effectiveParallelism(), leaderElection);
            }

            @Override
            public void stop() {
                if (elected != null) {
                    elected.close();
                } else {
                    scheduler.close();
                }
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }
        };
    }
}
