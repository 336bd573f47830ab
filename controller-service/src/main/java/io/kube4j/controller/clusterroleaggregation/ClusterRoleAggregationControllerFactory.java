package io.kube4j.controller.clusterroleaggregation;

import io.kube4j.client.controller.Startable;
import io.kube4j.controller.manager.ControllerContext;
import io.kube4j.controller.manager.ControllerFactory;
import org.springframework.stereotype.Component;

/** Makes the ClusterRole aggregation controller ({@code --controllers} name {@code clusterrole-aggregation}). */
@Component
public final class ClusterRoleAggregationControllerFactory implements ControllerFactory {

    private final ClusterRoleAggregationProperties props;

    public ClusterRoleAggregationControllerFactory(ClusterRoleAggregationProperties props) {
        this.props = props;
    }

    @Override
    public String name() {
        return ClusterRoleAggregationController.NAME;
    }

    @Override
    public Startable create(ControllerContext context) {
        return new ClusterRoleAggregationController(context, props.concurrentSyncs());
    }
}
