package io.kube4j.controller.deployment;

import io.kube4j.client.controller.Startable;
import io.kube4j.controller.manager.ControllerContext;
import io.kube4j.controller.manager.ControllerFactory;
import org.springframework.stereotype.Component;

/** Makes the {@code deployment} controller ({@link DeploymentController}) of a leadership term. */
@Component
public final class DeploymentControllerFactory implements ControllerFactory {

    private final DeploymentControllerProperties properties;

    public DeploymentControllerFactory(DeploymentControllerProperties properties) {
        this.properties = properties;
    }

    @Override
    public String name() {
        return "deployment";
    }

    @Override
    public Startable create(ControllerContext context) {
        return new DeploymentController(context, properties).controller();
    }
}
