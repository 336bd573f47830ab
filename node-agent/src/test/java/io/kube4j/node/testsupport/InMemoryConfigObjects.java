package io.kube4j.node.testsupport;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.kube4j.node.env.ConfigObjects;

/** ConfigMaps and Secrets held in memory, for env and volume unit tests. */
public final class InMemoryConfigObjects implements ConfigObjects {

    private final Map<String, ConfigMap> configMaps = new ConcurrentHashMap<>();
    private final Map<String, Secret> secrets = new ConcurrentHashMap<>();

    public InMemoryConfigObjects configMap(String ns, String name, Map<String, String> data) {
        configMaps.put(ns + "/" + name, new ConfigMapBuilder().withNewMetadata().withNamespace(ns).withName(name)
                .endMetadata().withData(data).build());
        return this;
    }

    public InMemoryConfigObjects put(ConfigMap cm) {
        configMaps.put(cm.getMetadata().getNamespace() + "/" + cm.getMetadata().getName(), cm);
        return this;
    }

    /** A Secret with these values (stored base64-encoded in data, as the apiserver returns it). */
    public InMemoryConfigObjects secret(String ns, String name, Map<String, String> values) {
        Map<String, String> data = new java.util.HashMap<>();
        values.forEach((k, v) -> data.put(k, java.util.Base64.getEncoder().encodeToString(v.getBytes())));
        secrets.put(ns + "/" + name, new SecretBuilder().withNewMetadata().withNamespace(ns).withName(name)
                .endMetadata().withData(data).build());
        return this;
    }

    public void removeConfigMap(String ns, String name) {
        configMaps.remove(ns + "/" + name);
    }

    @Override
    public Optional<ConfigMap> configMap(String namespace, String name) {
        return Optional.ofNullable(configMaps.get(namespace + "/" + name));
    }

    @Override
    public Optional<Secret> secret(String namespace, String name) {
        return Optional.ofNullable(secrets.get(namespace + "/" + name));
    }
}
