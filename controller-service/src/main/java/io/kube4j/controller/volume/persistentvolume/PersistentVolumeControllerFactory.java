package io.kube4j.controller.volume.persistentvolume;

import io.kube4j.client.controller.Startable;
import io.kube4j.controller.manager.ControllerContext;
import io.kube4j.controller.manager.ControllerFactory;
import org.springframework.stereotype.Component;

/** Makes the PersistentVolume binder with the local-path provisioner ({@code --controllers} name {@code persistentvolume-binder}). */
@Component
public final class PersistentVolumeControllerFactory implements ControllerFactory {

    private final PersistentVolumeControllerProperties props;

    public PersistentVolumeControllerFactory(PersistentVolumeControllerProperties props) {
        this.props = props;
    }

    @Override
    public String name() {
        return PersistentVolumeController.NAME;
    }

    @Override
    public Startable create(ControllerContext context) {
        return new PersistentVolumeController(context, props);
    }
}
