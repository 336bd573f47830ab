package io.kube4j.addons.ingress;

import java.time.Duration;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.ResourceClient;

/**
 * The IngressClass {@value #NAME} a cluster's own controller serves ({@code kube4j.ingress.ensure-default-class}):
 * created at start when missing, marked as the default class so Ingresses without {@code ingressClassName} are served
 * too. An existing class of that name is left as it is (an administrator may have changed or un-defaulted it).
 */
public final class DefaultIngressClass {

    private static final Logger log = LoggerFactory.getLogger(DefaultIngressClass.class);

    /** The class's name. */
    public static final String NAME = "kube4j";

    private DefaultIngressClass() {
    }

    /** The class for {@code controllerName}, marked default. */
    public static IngressClass of(String controllerName) {
        return new IngressClassBuilder().withNewMetadata().withName(NAME)
                .withAnnotations(Map.of(IngressController.IS_DEFAULT_CLASS, "true"))
                .addToLabels("app.kubernetes.io/managed-by", "kube4j-ingress").endMetadata()
                .withNewSpec().withController(controllerName).endSpec().build();
    }

    /** Creates the class unless one of that name exists; true when this call created it. */
    public static boolean ensure(ResourceClient<IngressClass> classes, String controllerName, Duration timeout) {
        try {
            classes.create(of(controllerName)).block(timeout);
            log.info("created the default IngressClass {} (controller {})", NAME, controllerName);
            return true;
        } catch (ApiStatusException.AlreadyExists e) {
            log.debug("IngressClass {} exists; left as it is", NAME);
            return false;
        }
    }
}
