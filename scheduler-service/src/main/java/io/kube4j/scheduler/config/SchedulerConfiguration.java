package io.kube4j.scheduler.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.fabric8.kubernetes.api.model.Event;
import io.kube4j.client.KubeClient;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.client.util.Clock;
import io.kube4j.scheduler.Scheduler;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.FrameworkHandle;
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.plugins.DefaultPlugins;
import io.kube4j.scheduler.plugins.defaultbinder.DefaultBinder;
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
    Scheduler scheduler(KubeClient client, SchedulerProperties props, Parallelizer parallelizer,
            EventRecorder events) {
        SharedInformerFactory informers = SharedInformerFactory.forClient(client, props.resync());
        FrameworkHandle handle = new FrameworkHandle.SimpleHandle(client, events, informers, parallelizer,
                Clock.system());
        Framework fw = new Framework(DefaultPlugins.profile(props.schedulerName(),
                new DefaultBinder(client, props.bindTimeout()), props.percentageOfNodesToScore(), handle),
                parallelizer, new Random());
        return new Scheduler(client, informers, List.of(fw), events, Clock.system(), new Scheduler.Settings(
                props.podInitialBackoff(), props.podMaxBackoff(), props.unschedulableFlushInterval(),
                props.bindTimeout(), 16));
    }

    @Bean
    SmartLifecycle schedulerLifecycle(Scheduler scheduler, SchedulerProperties props, KubeClient client) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                scheduler.start(Duration.ofMinutes(2));
                running = true;
                log.info("kube4j scheduler {} started: apiserver={} schedulerName={} percentageOfNodesToScore={}"
                        + " parallelism={}", java.util.Objects.requireNonNullElse(
                        SchedulerConfiguration.class.getPackage().getImplementationVersion(), "dev"),
                        client.config().server(), props.schedulerName(), props.percentageOfNodesToScore() == 0 ? "adaptive"
                                : props.percentageOfNodesToScore(), props.effectiveParallelism());
            }

            @Override
            public void stop() {
                scheduler.close();
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }
        };
    }
}
