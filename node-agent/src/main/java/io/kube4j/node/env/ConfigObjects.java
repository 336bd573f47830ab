package io.kube4j.node.env;

import java.time.Duration;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.KubeClient;

/**
 * Blocking GETs of the ConfigMaps and Secrets pods reference (for env and volumes), with a timeout. Callers run on
 * pod-worker or refresher threads, never on the shared scheduler.
 */
public final class ConfigObjects {

    private final KubeClient client;
    private final Duration timeout;

    public ConfigObjects(KubeClient client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    /** The ConfigMap, or empty when it does not exist; other failures are thrown. */
    public Optional<ConfigMap> configMap(String namespace, String name) {
        return get(ConfigMap.class, namespace, name);
    }

    /** The Secret, or empty when it does not exist; other failures are thrown. */
    public Optional<Secret> secret(String namespace, String name) {
        return get(Secret.class, namespace, name);
    }

    private <T extends io.fabric8.kubernetes.api.model.HasMetadata> Optional<T> get(Class<T> type, String namespace,
                                                                                    String name) {
        try {
            return Optional.ofNullable(client.resources(type).get(namespace, name).block(timeout));
        } catch (ApiStatusException.NotFound e) {
            return Optional.empty();
        }
    }
}
