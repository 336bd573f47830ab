package io.kube4j.controller.volume.protection;

import io.kube4j.client.controller.Startable;
import io.kube4j.controller.manager.ControllerContext;
import io.kube4j.controller.manager.ControllerFactory;
import org.springframework.stereotype.Component;

/** Makes the {@code pv-protection} controller. */
@Component
public final class PvProtectionControllerFactory implements ControllerFactory {

    @Override
    public String name() {
        return PvProtectionController.NAME;
    }

    @Override
    public Startable create(ControllerContext context) {
        return new PvProtectionController(context, 1);
    }
}
