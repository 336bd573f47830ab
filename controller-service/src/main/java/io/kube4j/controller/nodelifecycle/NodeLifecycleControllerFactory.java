package io.kube4j.controller.nodelifecycle;

import io.kube4j.client.controller.Startable;
import io.kube4j.controller.manager.ControllerContext;
import io.kube4j.controller.manager.ControllerFactory;
import org.springframework.stereotype.Component;

/** kube-controller-manager's {@code nodelifecycle} controller (node health, NoExecute/NoSchedule taints, taint eviction). */
@Component
public class NodeLifecycleControllerFactory implements ControllerFactory {

    private final NodeLifecycleProperties props;

    public NodeLifecycleControllerFactory(NodeLifecycleProperties props) {
        this.props = props;
    }

    @Override
    public String name() {
        return "nodelifecycle";
    }

    @Override
    public Startable create(ControllerContext context) {
        return new NodeLifecycleController(context, props);
    }
}
