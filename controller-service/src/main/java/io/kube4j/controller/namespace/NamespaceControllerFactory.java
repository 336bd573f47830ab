package io.kube4j.controller.namespace;

import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.client.controller.Startable;
import io.kube4j.controller.manager.ControllerContext;
import io.kube4j.controller.manager.ControllerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/** Makes the namespace controller ({@code --controllers} name {@code namespace}) over every registered resource. */
@Component
public final class NamespaceControllerFactory implements ControllerFactory {

    private final NamespaceControllerProperties props;
    private final ResourceRegistry registry;

    /** Over every resource the controller manager's client knows. */
    @Autowired
    public NamespaceControllerFactory(NamespaceControllerProperties props) {
        this.props = props;
        this.registry = null;
    }

    /** Over the resources of {@code registry} instead of the built-in ones. */
    public NamespaceControllerFactory(NamespaceControllerProperties props, ResourceRegistry registry) {
        this.props = props;
        this.registry = registry;
    }

    @Override
    public String name() {
        return NamespaceController.NAME;
    }

    @Override
    public Startable create(ControllerContext context) {
        return new NamespaceController(context, new KubeNamespaceDeletionClient(context.client(),
                registry != null ? registry : context.client().registry()), props);
    }
}
