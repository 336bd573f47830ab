package io.kube4j.controller.podgc;

import io.kube4j.client.controller.Startable;
import io.kube4j.controller.manager.ControllerContext;
import io.kube4j.controller.manager.ControllerFactory;
import org.springframework.stereotype.Component;

/** Makes the pod garbage collector ({@code --controllers} name {@code podgc}). */
@Component
public final class PodGcControllerFactory implements ControllerFactory {

    private final PodGcControllerProperties props;

    public PodGcControllerFactory(PodGcControllerProperties props) {
        this.props = props;
    }

    @Override
    public String name() {
        return PodGcController.NAME;
    }

    @Override
    public Startable create(ControllerContext context) {
        return new PodGcController(context, new KubePodGcControl(context.client()), props);
    }
}
