package io.kube4j.controller.resourcequota;

import io.kube4j.client.controller.Startable;
import io.kube4j.controller.manager.ControllerContext;
import io.kube4j.controller.manager.ControllerFactory;
import org.springframework.stereotype.Component;

/** Makes the resource quota controller ({@code --controllers} name {@code resourcequota}). */
@Component
public final class ResourceQuotaControllerFactory implements ControllerFactory {

    private final ResourceQuotaControllerProperties props;

    public ResourceQuotaControllerFactory(ResourceQuotaControllerProperties props) {
        this.props = props;
    }

    @Override
    public String name() {
        return ResourceQuotaController.NAME;
    }

    @Override
    public Startable create(ControllerContext context) {
        return new ResourceQuotaController(context, props);
    }
}
