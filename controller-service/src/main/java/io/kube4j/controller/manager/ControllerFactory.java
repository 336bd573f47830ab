package io.kube4j.controller.manager;

import io.kube4j.client.controller.Startable;

/**
 * Makes one controller of the manager. {@link #create} registers the controller's informer handlers on the context's
 * shared informers and returns the controller, not yet started; the manager starts the informers and then the
 * controllers. Factories are Spring beans in the application; tests call them directly.
 */
public interface ControllerFactory {

    /** The name {@code kube4j.controller.controllers} enables or disables, as kube-controller-manager's --controllers. */
    String name();

    /** Whether {@code *} enables it (kube-controller-manager has a few off by default). */
    default boolean enabledByDefault() {
        return true;
    }

    Startable create(ControllerContext context);
}
