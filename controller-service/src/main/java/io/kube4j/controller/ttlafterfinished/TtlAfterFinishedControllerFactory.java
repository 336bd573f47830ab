package io.kube4j.controller.ttlafterfinished;

import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.kube4j.client.controller.Startable;
import io.kube4j.controller.manager.ControllerContext;
import io.kube4j.controller.manager.ControllerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Makes the {@link TtlAfterFinishedController} ({@code --controllers} name {@code ttl-after-finished}). */
@Component
public class TtlAfterFinishedControllerFactory implements ControllerFactory {

    private static final Logger log = LoggerFactory.getLogger(TtlAfterFinishedControllerFactory.class);

    private final TtlAfterFinishedProperties properties;

    public TtlAfterFinishedControllerFactory(TtlAfterFinishedProperties properties) {
        this.properties = properties;
    }

    @Override
    public String name() {
        return "ttl-after-finished";
    }

    @Override
    public Startable create(ControllerContext context) {
        log.info("ttl-after-finished controller: kube4j.controller.ttl-after-finished.concurrent-syncs={}",
                properties.concurrentSyncs());
        return new TtlAfterFinishedController(context.informer(Job.class), context.client().resources(Job.class),
                context.clock()).register(context.controller("ttl-after-finished")
                .workers(properties.concurrentSyncs()));
    }
}
