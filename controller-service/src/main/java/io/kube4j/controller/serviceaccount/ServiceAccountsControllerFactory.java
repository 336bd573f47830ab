package io.kube4j.controller.serviceaccount;

import io.kube4j.client.controller.Startable;
import io.kube4j.controller.manager.ControllerContext;
import io.kube4j.controller.manager.ControllerFactory;
import org.springframework.stereotype.Component;

/** Makes the service accounts controller ({@code --controllers} name {@code serviceaccount}). */
@Component
public final class ServiceAccountsControllerFactory implements ControllerFactory {

    private final ServiceAccountControllerProperties props;

    public ServiceAccountsControllerFactory(ServiceAccountControllerProperties props) {
        this.props = props;
    }

    @Override
    public String name() {
        return ServiceAccountsController.NAME;
    }

    @Override
    public Startable create(ControllerContext context) {
        return new ServiceAccountsController(context, props);
    }
}
