package io.kube4j.controller.endpoint;

import io.kube4j.client.controller.Startable;
import io.kube4j.controller.manager.ControllerContext;
import io.kube4j.controller.manager.ControllerFactory;
import org.springframework.stereotype.Component;

/** Makes the {@code endpoint} controller: the Endpoints of every Service with a selector. */
@Component
public class EndpointControllerFactory implements ControllerFactory {

    private final EndpointControllerProperties properties;

    public EndpointControllerFactory(EndpointControllerProperties properties) {
        this.properties = properties;
    }

    @Override
    public String name() {
        return "endpoint";
    }

    @Override
    public Startable create(ControllerContext context) {
        return new EndpointsController(context, properties);
    }
}
