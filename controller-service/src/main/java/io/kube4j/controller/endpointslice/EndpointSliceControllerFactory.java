package io.kube4j.controller.endpointslice;

import io.kube4j.client.controller.Startable;
import io.kube4j.controller.manager.ControllerContext;
import io.kube4j.controller.manager.ControllerFactory;
import org.springframework.stereotype.Component;

/** Makes the {@code endpointslice} controller: the EndpointSlices of every Service with a selector. */
@Component
public class EndpointSliceControllerFactory implements ControllerFactory {

    private final EndpointSliceControllerProperties properties;

    public EndpointSliceControllerFactory(EndpointSliceControllerProperties properties) {
        this.properties = properties;
    }

    @Override
    public String name() {
        return "endpointslice";
    }

    @Override
    public Startable create(ControllerContext context) {
        return new EndpointSliceController(context, properties);
    }
}
