package io.kube4j.controller.serviceaccount;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The service account controller, {@code kube4j.controller.serviceaccount.*}; defaults are kube-controller-manager's.
 *
 * @param serviceAccounts the ServiceAccounts every active namespace has ({@code default})
 * @param concurrentSyncs namespaces worked on at once (kube-controller-manager runs this controller with 1 worker)
 */
@ConfigurationProperties("kube4j.controller.serviceaccount")
public record ServiceAccountControllerProperties(
        @DefaultValue("default") List<String> serviceAccounts,
        @DefaultValue("1") int concurrentSyncs) {

    public ServiceAccountControllerProperties {
        serviceAccounts = serviceAccounts == null ? List.of() : List.copyOf(serviceAccounts);
        for (String name : serviceAccounts) {
            if (name == null || !name.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?") || name.length() > 253) {
                throw new IllegalArgumentException("kube4j.controller.serviceaccount.service-accounts: '" + name
                        + "' is not a valid ServiceAccount name (a DNS subdomain)");
            }
        }
        if (concurrentSyncs < 1) {
            throw new IllegalArgumentException("kube4j.controller.serviceaccount.concurrent-syncs must be at least 1, got "
                    + concurrentSyncs);
        }
    }

    /** Kubernetes' defaults: a {@code default} ServiceAccount, one worker. */
    public static ServiceAccountControllerProperties defaults() {
        return new ServiceAccountControllerProperties(List.of("default"), 1);
    }
}
