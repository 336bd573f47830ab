package io.kube4j.controller.endpoint;

import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;

/** Pods and services for the endpoint controllers' unit tests. */
public final class TestObjects {

    private TestObjects() {
    }

    /** A running pod {@code name} in {@code ns} with label app=web, the given IP and readiness, one container port http:8080. */
    public static Pod pod(String ns, String name, String ip, boolean ready) {
        return new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).withUid("uid-" + name)
                .withResourceVersion("1").withLabels(Map.of("app", "web")).endMetadata()
                .withNewSpec().withNodeName("node-1")
                .withContainers(new ContainerBuilder().withName("c").withPorts(new ContainerPortBuilder().withName("http")
                        .withContainerPort(8080).withProtocol("TCP").build()).build())
                .endSpec()
                .withNewStatus().withPhase("Running").withPodIP(ip)
                .withConditions(new PodConditionBuilder().withType("Ready").withStatus(ready ? "True" : "False")
                        .withLastTransitionTime("2026-11-27T07:00:00Z").build())
                .endStatus().build();
    }

    public static ServicePort port(String name, int port, IntOrString target) {
        return new ServicePortBuilder().withName(name).withPort(port).withProtocol("TCP").withTargetPort(target).build();
    }

    public static Service service(String ns, String name, String clusterIP, List<ServicePort> ports) {
        return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).withUid("svc-uid-" + name)
                .withCreationTimestamp("2026-11-27T06:00:00Z").endMetadata()
                .withNewSpec().withSelector(Map.of("app", "web")).withClusterIP(clusterIP).withPorts(ports).endSpec()
                .build();
    }
}
