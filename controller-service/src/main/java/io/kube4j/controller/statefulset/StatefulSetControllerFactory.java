package io.kube4j.controller.statefulset;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.kube4j.client.controller.Startable;
import io.kube4j.controller.history.ControllerHistory;
import io.kube4j.controller.manager.ControllerContext;
import io.kube4j.controller.manager.ControllerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Makes the {@link StatefulSetController} ({@code --controllers} name {@code statefulset}). */
@Component
public class StatefulSetControllerFactory implements ControllerFactory {

    private static final Logger log = LoggerFactory.getLogger(StatefulSetControllerFactory.class);

    private final StatefulSetControllerProperties properties;

    public StatefulSetControllerFactory(StatefulSetControllerProperties properties) {
        this.properties = properties;
    }

    @Override
    public String name() {
        return "statefulset";
    }

    @Override
    public Startable create(ControllerContext context) {
        log.info("statefulset controller: kube4j.controller.statefulset.concurrent-syncs={}",
                properties.concurrentSyncs());
        var claims = context.informer(PersistentVolumeClaim.class);
        StatefulSetController c = new StatefulSetController(
                context.informer(StatefulSet.class), context.informer(Pod.class),
                context.informer(ControllerRevision.class),
                context.client().resources(StatefulSet.class), context.client().resources(Pod.class),
                new ControllerHistory(context.client().resources(ControllerRevision.class)),
                new ApiStatefulPodControl(context.client().resources(Pod.class),
                        context.client().resources(PersistentVolumeClaim.class), claims,
                        context.recorder(StatefulSetController.COMPONENT)),
                context.clock());
        return c.register(context.controller("statefulset").workers(properties.concurrentSyncs()), claims);
    }
}
