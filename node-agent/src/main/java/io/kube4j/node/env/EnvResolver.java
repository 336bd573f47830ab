package io.kube4j.node.env;

import java.util.List;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.node.runtime.ContainerSpec;

/**
 * Computes a container's environment as the kubelet does: {@code envFrom} (ConfigMaps and Secrets, with prefix)
 * first, then {@code env} in order, where a value may come from a fieldRef, resourceFieldRef, configMapKeyRef or
 * secretKeyRef, and {@code $(VAR)} references to earlier variables are expanded.
 */
public interface EnvResolver {

    /**
     * @throws ContainerConfigException when a referenced object or key is missing and not optional (the container
     *                                  then waits with reason {@code CreateContainerConfigError})
     */
    List<ContainerSpec.EnvVar> resolve(Pod pod, Container container, String podIp, String hostIp);
}
