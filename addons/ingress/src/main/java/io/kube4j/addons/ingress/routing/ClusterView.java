package io.kube4j.addons.ingress.routing;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;

import java.util.List;

/** What building a routing table reads besides the Ingresses: the informer caches, or maps in unit tests. */
public interface ClusterView {

    Service service(String namespace, String name);

    /** The EndpointSlices labelled {@code kubernetes.io/service-name=<service>} in the namespace. */
    List<EndpointSlice> endpointSlices(String namespace, String service);

    Secret secret(String namespace, String name);
}
