package io.kube4j.controller.disruption;

import io.kube4j.client.controller.Startable;
import io.kube4j.controller.manager.ControllerContext;
import io.kube4j.controller.manager.ControllerFactory;
import org.springframework.stereotype.Component;

/** Makes the disruption controller ({@code --controllers} name {@code disruption}). */
@Component
public final class DisruptionControllerFactory implements ControllerFactory {

    private final DisruptionControllerProperties props;

    public DisruptionControllerFactory(DisruptionControllerProperties props) {
        this.props = props;
    }

    @Override
    public String name() {
        return DisruptionController.NAME;
    }

    @Override
    public Startable create(ControllerContext context) {
        return new DisruptionController(context, props);
    }
}
