package io.kube4j.addons.dns;

import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.EndpointSubsetBuilder;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Publishes the DNS as Kubernetes clusters know it, as kube-apiserver publishes {@code default/kubernetes}: the Service
 * {@code kube-system/kube-dns} (no selector, the ClusterIP kubelets put in pods' {@code resolv.conf}, ports {@code dns}
 * 53/UDP and {@code dns-tcp} 53/TCP to this server's port) and its Endpoints and EndpointSlice pointing at an address
 * pods reach this server on, so the proxy agents forward {@code <clusterIP>:53} here. {@link #publish} creates what is
 * missing and corrects what differs (a wrong ClusterIP, which is immutable, by deleting and re-creating the Service);
 * what is already right is not written.
 */
public final class ServicePublisher {

    private static final Logger log = LoggerFactory.getLogger(ServicePublisher.class);
    public static final String APP_LABEL = "k8s-app";
    public static final String MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
    public static final String MANAGER = "kube4j-dns";
    /** Kubernetes' EndpointSliceMirroring skips Endpoints carrying this label (the slice is published here). */
    public static final String SKIP_MIRROR = "endpointslice.kubernetes.io/skip-mirror";

    /** The few API calls publishing makes (a fake beside it in the tests). */
    public interface Api {
        /** The object, or null when it does not exist. */
        <T extends HasMetadata> T get(Class<T> type, String namespace, String name);

        <T extends HasMetadata> T create(T object);

        <T extends HasMetadata> T update(T object);

        <T extends HasMetadata> void delete(Class<T> type, String namespace, String name);

        /** Through the cluster's client, each call waiting up to {@code timeout}. */
        static Api of(KubeClient client, Duration timeout) {
            return new Api() {
                @Override
                public <T extends HasMetadata> T get(Class<T> type, String namespace, String name) {
                    try {
                        return client.resources(type).get(namespace, name).block(timeout);
                    } catch (ApiStatusException.NotFound e) {
                        return null;
                    }
                }

                @Override
                @SuppressWarnings("unchecked")
                public <T extends HasMetadata> T create(T object) {
                    return client.resources((Class<T>) object.getClass()).create(object).block(timeout);
                }

                @Override
                @SuppressWarnings("unchecked")
                public <T extends HasMetadata> T update(T object) {
                    return client.resources((Class<T>) object.getClass()).update(object).block(timeout);
                }

                @Override
                public <T extends HasMetadata> void delete(Class<T> type, String namespace, String name) {
                    try {
                        client.resources(type).delete(namespace, name, DeleteOptions.defaults()).block(timeout);
                    } catch (ApiStatusException.NotFound e) {
                        // gone already
                    }
                }
            };
        }
    }

    /**
     * What to publish.
     *
     * @param namespace  the Service's namespace ({@code kube-system})
     * @param name       its name ({@code kube-dns})
     * @param clusterIp  its ClusterIP (the 10th address of the service CIDR, 10.96.0.10)
     * @param targetPort the port this server listens on (the Endpoints' port)
     */
    public record Target(String namespace, String name, String clusterIp, int targetPort) {
    }

    private final Api api;
    private final java.util.function.Supplier<Target> targets;
    private Target target;

    public ServicePublisher(Api api, Target target) {
        this(api, () -> target);
        this.target = target;
    }

    /** With the target read at each {@link #publish} (the server's port is known once it listens). */
    public ServicePublisher(Api api, java.util.function.Supplier<Target> targets) {
        this.api = api;
        this.targets = targets;
    }

    /** The InternalIP of node {@code nodeName} (any node when blank, by name), or empty when none reports one. */
    public static Optional<String> internalIp(Collection<Node> nodes, String nodeName) {
        return nodes.stream()
                .filter(n -> nodeName == null || nodeName.isBlank() || nodeName.equals(n.getMetadata().getName()))
                .sorted(Comparator.comparing(n -> n.getMetadata().getName()))
                .flatMap(n -> n.getStatus() == null || n.getStatus().getAddresses() == null ? java.util.stream.Stream.empty()
                        : n.getStatus().getAddresses().stream())
                .filter(a -> "InternalIP".equals(a.getType()) && a.getAddress() != null && !a.getAddress().contains(":"))
                .map(NodeAddress::getAddress)
                .findFirst();
    }

    /**
     * Ensures the Service and, when {@code address} is not null, its Endpoints and EndpointSlice at that address.
     *
     * @return whether anything was written
     */
    public synchronized boolean publish(String address, String nodeName) {
        target = targets.get();
        boolean wrote = ensureService();
        if (address != null) {
            wrote |= ensureEndpoints(address);
            wrote |= ensureSlice(address, nodeName);
        }
        return wrote;
    }

    Service desiredService() {
        return new ServiceBuilder()
                .withNewMetadata().withNamespace(target.namespace()).withName(target.name())
                .withLabels(labels()).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(target.clusterIp())
                .withClusterIPs(target.clusterIp()).withPorts(servicePorts()).endSpec()
                .build();
    }

    private Map<String, String> labels() {
        Map<String, String> l = new LinkedHashMap<>();
        l.put(APP_LABEL, "kube-dns");
        l.put("kubernetes.io/cluster-service", "true");
        l.put("kubernetes.io/name", "kube4j-dns");
        return l;
    }

    private List<ServicePort> servicePorts() {
        return List.of(
                new ServicePortBuilder().withName("dns").withProtocol("UDP").withPort(53)
                        .withTargetPort(new IntOrString(target.targetPort())).build(),
                new ServicePortBuilder().withName("dns-tcp").withProtocol("TCP").withPort(53)
                        .withTargetPort(new IntOrString(target.targetPort())).build());
    }

    private boolean ensureService() {
        Service want = desiredService();
        Service have = api.get(Service.class, target.namespace(), target.name());
        if (have == null) {
            api.create(want);
            log.info("created Service {}/{} (ClusterIP {}, port 53 -> {})", target.namespace(), target.name(),
                    target.clusterIp(), target.targetPort());
            return true;
        }
        ServiceSpec spec = have.getSpec();
        if (!target.clusterIp().equals(spec.getClusterIP())) {
            // the ClusterIP is immutable: the Service must go and come back
            log.warn("Service {}/{} has ClusterIP {}, not {}: re-creating it", target.namespace(), target.name(),
                    spec.getClusterIP(), target.clusterIp());
            api.delete(Service.class, target.namespace(), target.name());
            api.create(want);
            return true;
        }
        boolean portsRight = samePorts(spec.getPorts());
        boolean noSelector = spec.getSelector() == null || spec.getSelector().isEmpty();
        boolean labelsRight = labelsContain(have.getMetadata(), labels());
        if (portsRight && noSelector && labelsRight) {
            return false;
        }
        spec.setPorts(servicePorts());
        spec.setSelector(null);
        have.getMetadata().setLabels(merged(have.getMetadata().getLabels(), labels()));
        api.update(have);
        log.info("corrected Service {}/{} (ports 53 -> {}, no selector)", target.namespace(), target.name(),
                target.targetPort());
        return true;
    }

    private boolean samePorts(List<ServicePort> ports) {
        if (ports == null || ports.size() != 2) {
            return false;
        }
        for (ServicePort want : servicePorts()) {
            boolean found = ports.stream().anyMatch(p -> want.getName().equals(p.getName())
                    && want.getProtocol().equals(p.getProtocol()) && Objects.equals(p.getPort(), 53)
                    && p.getTargetPort() != null && Objects.equals(p.getTargetPort().getIntVal(), target.targetPort()));
            if (!found) {
                return false;
            }
        }
        return true;
    }

    Endpoints desiredEndpoints(String address) {
        return new EndpointsBuilder()
                .withNewMetadata().withNamespace(target.namespace()).withName(target.name())
                .withLabels(merged(labels(), Map.of(SKIP_MIRROR, "true"))).endMetadata()
                .withSubsets(new EndpointSubsetBuilder()
                        .withAddresses(new EndpointAddressBuilder().withIp(address).build())
                        .withPorts(new EndpointPortBuilder().withName("dns").withProtocol("UDP")
                                        .withPort(target.targetPort()).build(),
                                new EndpointPortBuilder().withName("dns-tcp").withProtocol("TCP")
                                        .withPort(target.targetPort()).build())
                        .build())
                .build();
    }

    private boolean ensureEndpoints(String address) {
        Endpoints want = desiredEndpoints(address);
        Endpoints have = api.get(Endpoints.class, target.namespace(), target.name());
        if (have == null) {
            api.create(want);
            log.info("created Endpoints {}/{}: {}:{}", target.namespace(), target.name(), address, target.targetPort());
            return true;
        }
        if (Objects.equals(have.getSubsets(), want.getSubsets())
                && labelsContain(have.getMetadata(), want.getMetadata().getLabels())) {
            return false;
        }
        have.setSubsets(want.getSubsets());
        have.getMetadata().setLabels(merged(have.getMetadata().getLabels(), want.getMetadata().getLabels()));
        api.update(have);
        log.info("corrected Endpoints {}/{}: {}:{}", target.namespace(), target.name(), address, target.targetPort());
        return true;
    }

    EndpointSlice desiredSlice(String address, String nodeName) {
        Map<String, String> l = merged(labels(), Map.of("kubernetes.io/service-name", target.name(),
                MANAGED_BY, MANAGER));
        return new EndpointSliceBuilder()
                .withNewMetadata().withNamespace(target.namespace()).withName(target.name()).withLabels(l)
                .endMetadata()
                .withAddressType("IPv4")
                .withEndpoints(new EndpointBuilder().withAddresses(address)
                        .withNewConditions().withReady(true).withServing(true).withTerminating(false).endConditions()
                        .withNodeName(nodeName == null || nodeName.isBlank() ? null : nodeName).build())
                .withPorts(new io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder().withName("dns")
                                .withProtocol("UDP").withPort(target.targetPort()).build(),
                        new io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder().withName("dns-tcp")
                                .withProtocol("TCP").withPort(target.targetPort()).build())
                .build();
    }

    private boolean ensureSlice(String address, String nodeName) {
        EndpointSlice want = desiredSlice(address, nodeName);
        EndpointSlice have = api.get(EndpointSlice.class, target.namespace(), target.name());
        if (have == null) {
            api.create(want);
            log.info("created EndpointSlice {}/{}: {}:{}", target.namespace(), target.name(), address,
                    target.targetPort());
            return true;
        }
        if (Objects.equals(have.getEndpoints(), want.getEndpoints()) && Objects.equals(have.getPorts(), want.getPorts())
                && "IPv4".equals(have.getAddressType())
                && labelsContain(have.getMetadata(), want.getMetadata().getLabels())) {
            return false;
        }
        have.setEndpoints(want.getEndpoints());
        have.setPorts(want.getPorts());
        have.setAddressType("IPv4");
        have.getMetadata().setLabels(merged(have.getMetadata().getLabels(), want.getMetadata().getLabels()));
        api.update(have);
        log.info("corrected EndpointSlice {}/{}: {}:{}", target.namespace(), target.name(), address,
                target.targetPort());
        return true;
    }

    private static boolean labelsContain(ObjectMeta meta, Map<String, String> want) {
        Map<String, String> have = meta.getLabels() == null ? Map.of() : meta.getLabels();
        return want.entrySet().stream().allMatch(e -> e.getValue().equals(have.get(e.getKey())));
    }

    private static Map<String, String> merged(Map<String, String> a, Map<String, String> b) {
        Map<String, String> m = new LinkedHashMap<>();
        if (a != null) {
            m.putAll(a);
        }
        m.putAll(b);
        return m;
    }
}
