package io.kube4j.node.env;

import java.time.Duration;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.KubeClient;

/**
 * Where env and volumes read the ConfigMaps and Secrets pods reference: blocking GETs (callers run on pod-worker
 * or refresher threads, never on the shared scheduler); empty when the object does not exist, other failures thrown.
 */
public interface ConfigObjects {

    Optional<ConfigMap> configMap(String namespace, String name);

    Optional<Secret> secret(String namespace, String name);

    /** GETs from the apiserver, each bounded by {@code timeout}. */
    static ConfigObjects of(KubeClient client, Duration timeout) {
        return new ConfigObjects() {
            @Override
            public Optional<ConfigMap> configMap(String namespace, String name) {
                return get(ConfigMap.class, namespace, name);
            }

            @Override
            public Optional<Secret> secret(String namespace, String name) {
                return get(Secret.class, namespace, name);
            }

            private <T extends HasMetadata> Optional<T> get(Class<T> type, String namespace, String name) {
                try {
                    return Optional.ofNullable(client.resources(type).get(namespace, name).block(timeout));
                } catch (ApiStatusException.NotFound e) {
                    return Optional.empty();
                }
            }
        };
    }
}
