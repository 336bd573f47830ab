package io.kube4j.controller.cronjob;

import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kube4j.client.controller.Startable;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.controller.manager.ControllerContext;
import io.kube4j.controller.manager.ControllerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Makes the {@link CronJobController} ({@code --controllers} name {@code cronjob}). */
@Component
public class CronJobControllerFactory implements ControllerFactory {

    private static final Logger log = LoggerFactory.getLogger(CronJobControllerFactory.class);

    private final CronJobControllerProperties properties;

    public CronJobControllerFactory(CronJobControllerProperties properties) {
        this.properties = properties;
    }

    @Override
    public String name() {
        return "cronjob";
    }

    @Override
    public Startable create(ControllerContext context) {
        log.info("cronjob controller: kube4j.controller.cronjob.concurrent-syncs={}", properties.concurrentSyncs());
        EventRecorder recorder = context.recorder(CronJobController.COMPONENT);
        return new CronJobController(context.informer(CronJob.class), context.informer(Job.class),
                context.client().resources(CronJob.class), context.client().resources(Job.class), recorder::event,
                context.clock()).register(context.controller("cronjob").workers(properties.concurrentSyncs()));
    }
}
