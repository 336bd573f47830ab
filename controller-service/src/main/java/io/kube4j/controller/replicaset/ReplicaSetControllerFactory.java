package io.kube4j.controller.replicaset;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.kube4j.client.controller.Startable;
import io.kube4j.controller.common.ApiPodControl;
import io.kube4j.controller.manager.ControllerContext;
import io.kube4j.controller.manager.ControllerFactory;
import org.springframework.stereotype.Component;

/** Makes the {@link ReplicaSetController} ({@code --controllers} name {@code replicaset}). */
@Component
public class ReplicaSetControllerFactory implements ControllerFactory {

    private final ReplicaSetControllerProperties properties;

    public ReplicaSetControllerFactory(ReplicaSetControllerProperties properties) {
        this.properties = properties;
    }

    @Override
    public String name() {
        return "replicaset";
    }

    @Override
    public Startable create(ControllerContext context) {
        ReplicaSetController rsc = new ReplicaSetController(
                context.informer(ReplicaSet.class), context.informer(Pod.class),
                context.client().resources(ReplicaSet.class), context.client().resources(Pod.class),
                new ApiPodControl(context.client().resources(Pod.class),
                        context.recorder(ReplicaSetController.COMPONENT)),
                context.clock(), properties.burstReplicas());
        return rsc.register(context.controller("replicaset").workers(properties.concurrentSyncs()));
    }
}
