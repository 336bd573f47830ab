package io.kube4j.controller.deployment;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The Deployment controller, {@code kube4j.controller.deployment.*}.
 *
 * @param concurrentSyncs Deployments synced at once (kube-controller-manager's {@code --concurrent-deployment-syncs},
 *                        default 5)
 */
@ConfigurationProperties("kube4j.controller.deployment")
public record DeploymentControllerProperties(@DefaultValue("5") int concurrentSyncs) {

    public DeploymentControllerProperties {
        if (concurrentSyncs < 1) {
            throw new IllegalArgumentException("kube4j.controller.deployment.concurrent-syncs must be at least 1, got "
                    + concurrentSyncs);
        }
    }

    /** Kubernetes' defaults. */
    public static DeploymentControllerProperties defaults() {
        return new DeploymentControllerProperties(5);
    }
}
