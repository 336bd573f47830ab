package io.kube4j.proxy.tracker;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;

import java.util.List;

/** Service and EndpointSlice objects for tracker tests, shaped like what the apiserver and its controllers write. */
public final class K8sObjects {

    private K8sObjects() {
    }

    /** A ClusterIP Service with one TCP port {@code http} 80 → 8080. */
    public static ServiceBuilder service(String ns, String name, String clusterIP) {
        return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).withResourceVersion("1").endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(clusterIP).withClusterIPs(clusterIP)
                .addNewPort().withName("http").withPort(80).withProtocol("TCP").withNewTargetPort(8080).endPort()
                .endSpec();
    }

    public static Service svc(String ns, String name, String clusterIP) {
        return service(ns, name, clusterIP).build();
    }

    /** A slice of Service {@code service} with one port ({@code http}/TCP/{@code port}) and the given endpoints. */
    public static EndpointSliceBuilder slice(String ns, String name, String service, int port, Endpoint... endpoints) {
        return new EndpointSliceBuilder().withNewMetadata().withNamespace(ns).withName(name)
                .addToLabels("kubernetes.io/service-name", service).endMetadata()
                .withAddressType("IPv4")
                .withPorts(port("http", port, "TCP"))
                .withEndpoints(List.of(endpoints));
    }

    public static EndpointPort port(String name, int port, String protocol) {
        EndpointPort p = new EndpointPort();
        p.setName(name);
        p.setPort(port);
        p.setProtocol(protocol);
        return p;
    }

    /** A ready endpoint on {@code node}. */
    public static Endpoint ep(String ip, String node) {
        return new EndpointBuilder().withAddresses(ip).withNodeName(node)
                .withNewConditions().withReady(true).withServing(true).withTerminating(false).endConditions().build();
    }

    /** An endpoint with explicit conditions (null: left unset). */
    public static Endpoint ep(String ip, String node, Boolean ready, Boolean serving, Boolean terminating) {
        return new EndpointBuilder().withAddresses(ip).withNodeName(node)
                .withNewConditions().withReady(ready).withServing(serving).withTerminating(terminating).endConditions()
                .build();
    }
}
