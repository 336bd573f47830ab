package io.kube4j.controller.job;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kube4j.client.controller.Startable;
import io.kube4j.controller.common.ApiPodControl;
import io.kube4j.controller.manager.ControllerContext;
import io.kube4j.controller.manager.ControllerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Makes the {@link JobController} ({@code --controllers} name {@code job}). */
@Component
public class JobControllerFactory implements ControllerFactory {

    private static final Logger log = LoggerFactory.getLogger(JobControllerFactory.class);

    private final JobControllerProperties properties;

    public JobControllerFactory(JobControllerProperties properties) {
        this.properties = properties;
    }

    @Override
    public String name() {
        return "job";
    }

    @Override
    public Startable create(ControllerContext context) {
        log.info("job controller: kube4j.controller.job.concurrent-syncs={}, pod-failure-backoff-base={}, "
                + "pod-failure-backoff-max={}", properties.concurrentSyncs(), properties.podFailureBackoffBase(),
                properties.podFailureBackoffMax());
        JobController jc = new JobController(context.informer(Job.class), context.informer(Pod.class),
                context.client().resources(Job.class), context.client().resources(Pod.class),
                new ApiPodControl(context.client().resources(Pod.class), context.recorder(JobController.COMPONENT)),
                context.recorder(JobController.COMPONENT), context.clock(), properties.podFailureBackoffBase(),
                properties.podFailureBackoffMax());
        return jc.register(context.controller("job").workers(properties.concurrentSyncs()));
    }
}
