package io.kube4j.controller.daemon;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ControllerRevision;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.kube4j.client.controller.Startable;
import io.kube4j.controller.common.ApiPodControl;
import io.kube4j.controller.history.ControllerHistory;
import io.kube4j.controller.manager.ControllerContext;
import io.kube4j.controller.manager.ControllerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Makes the {@link DaemonSetController} ({@code --controllers} name {@code daemonset}). */
@Component
public class DaemonSetControllerFactory implements ControllerFactory {

    private static final Logger log = LoggerFactory.getLogger(DaemonSetControllerFactory.class);

    private final DaemonSetControllerProperties properties;

    public DaemonSetControllerFactory(DaemonSetControllerProperties properties) {
        this.properties = properties;
    }

    @Override
    public String name() {
        return "daemonset";
    }

    @Override
    public Startable create(ControllerContext context) {
        log.info("daemonset controller: kube4j.controller.daemonset.concurrent-syncs={}, burst-replicas={}",
                properties.concurrentSyncs(), properties.burstReplicas());
        DaemonSetController dsc = new DaemonSetController(
                context.informer(DaemonSet.class), context.informer(Pod.class), context.informer(Node.class),
                context.informer(ControllerRevision.class),
                context.client().resources(DaemonSet.class), context.client().resources(Pod.class),
                new ControllerHistory(context.client().resources(ControllerRevision.class)),
                new ApiPodControl(context.client().resources(Pod.class),
                        context.recorder(DaemonSetController.COMPONENT)),
                context.recorder(DaemonSetController.COMPONENT), context.clock(), properties.burstReplicas());
        return dsc.register(context.controller("daemonset").workers(properties.concurrentSyncs()));
    }
}
