package io.kube4j.controller.podautoscaler;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.kube4j.client.controller.Startable;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.controller.manager.ControllerContext;
import io.kube4j.controller.manager.ControllerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Makes the {@link HorizontalPodAutoscalerController} ({@code --controllers} name {@code horizontalpodautoscaling}). */
@Component
public class HorizontalPodAutoscalerControllerFactory implements ControllerFactory {

    private static final Logger log = LoggerFactory.getLogger(HorizontalPodAutoscalerControllerFactory.class);

    private final HorizontalPodAutoscalerProperties properties;

    public HorizontalPodAutoscalerControllerFactory(HorizontalPodAutoscalerProperties properties) {
        this.properties = properties;
    }

    @Override
    public String name() {
        return "horizontalpodautoscaling";
    }

    @Override
    public Startable create(ControllerContext context) {
        log.info("horizontalpodautoscaling controller: kube4j.controller.horizontal-pod-autoscaler.sync-period={}, "
                        + "tolerance={}, downscale-stabilization={}, cpu-initialization-period={}, "
                        + "initial-readiness-delay={}", properties.syncPeriod(), properties.tolerance(),
                properties.downscaleStabilization(), properties.cpuInitializationPeriod(),
                properties.initialReadinessDelay());
        EventRecorder recorder = context.recorder(HorizontalPodAutoscalerController.COMPONENT);
        HorizontalPodAutoscalerController hpac = new HorizontalPodAutoscalerController(
                context.informer(HorizontalPodAutoscaler.class), context.informer(Pod.class),
                context.client().resources(HorizontalPodAutoscaler.class),
                new ApiScaleClient(context.client().raw(), context.client().registry()),
                new ApiResourceMetricsSource(context.client().raw()),
                recorder::event, context.clock(), properties);
        return hpac.register(context.controller("horizontalpodautoscaling").workers(properties.concurrentSyncs()));
    }
}
