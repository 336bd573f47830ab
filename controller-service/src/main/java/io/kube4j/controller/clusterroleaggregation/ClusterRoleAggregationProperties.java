package io.kube4j.controller.clusterroleaggregation;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The ClusterRole aggregation controller, {@code kube4j.controller.clusterrole-aggregation.*}.
 *
 * @param concurrentSyncs aggregated ClusterRoles worked on at once (kube-controller-manager's
 *                        {@code --concurrent-clusterrole-aggregation-syncs}, default 5)
 */
@ConfigurationProperties("kube4j.controller.clusterrole-aggregation")
public record ClusterRoleAggregationProperties(@DefaultValue("5") int concurrentSyncs) {

    public ClusterRoleAggregationProperties {
        if (concurrentSyncs < 1) {
            throw new IllegalArgumentException(
                    "kube4j.controller.clusterrole-aggregation.concurrent-syncs must be at least 1, got "
                            + concurrentSyncs);
        }
    }

    /** Kubernetes' defaults. */
    public static ClusterRoleAggregationProperties defaults() {
        return new ClusterRoleAggregationProperties(5);
    }
}
