package io.kube4j.apiserver.config;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.api.selector.FieldSelector;
import io.kube4j.api.selector.LabelSelector;
import io.kube4j.apiserver.allocation.ServiceAllocators;
import io.kube4j.apiserver.registry.DeleteRequest;
import io.kube4j.apiserver.registry.ListOptions;
import io.kube4j.apiserver.registry.ObjectCodec;
import io.kube4j.apiserver.registry.ResourceStore;
import io.kube4j.apiserver.rest.ApiException;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@code default/kubernetes} Service, as kube-apiserver's {@code kubernetesservice} controller and lease endpoint
 * reconciler keep it: the Service (ClusterIP = the first address of the service range, port {@code https} 443) is
 * created at start and recreated if deleted; every apiserver with an {@code advertise-address} renews a Lease
 * {@code kube-system/apiserver-endpoint-<address>-<port>} each {@code endpoint-reconcile-interval}, and the
 * Service's Endpoints and EndpointSlice list the addresses of the Leases still alive (a Lease lives 1.5 intervals),
 * so an apiserver that dies drops out by itself and one that stops cleanly removes itself at once. In-cluster
 * clients find the API at {@code kubernetes.default.svc} (the cluster PKI's serving certificates name it and
 * 10.96.0.1).
 */
@Component
public class KubernetesService {

    private static final Logger log = LoggerFactory.getLogger(KubernetesService.class);

    public static final String NAMESPACE = "default";
    public static final String NAME = "kubernetes";
    static final String LEASE_NAMESPACE = "kube-system";
    static final String LEASE_PREFIX = "apiserver-endpoint-";
    /** Marks the endpoint Leases (and nothing else) so they can be listed by label. */
    static final String LEASE_LABEL = "apiserver.kube4j.io/endpoint";
    static final String ADDRESS_ANNOTATION = "apiserver.kube4j.io/advertise-address";
    static final String PORT_ANNOTATION = "apiserver.kube4j.io/advertise-port";
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    static final String MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by";
    static final String MANAGED_BY = "kube-apiserver";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final ResourceStore store;
    private final ResourceRegistry registry;
    private final ApiServerProperties props;
    private final ServiceAllocators allocators;
    private final Clock clock;
    private volatile Disposable loop;
    private volatile String leaseName;
    private volatile int port;

    @Autowired
    public KubernetesService(ResourceStore store, ResourceRegistry registry, ApiServerProperties props,
                             ServiceAllocators allocators) {
        this(store, registry, props, allocators, Clock.systemUTC());
    }

    KubernetesService(ResourceStore store, ResourceRegistry registry, ApiServerProperties props,
                      ServiceAllocators allocators, Clock clock) {
        this.store = store;
        this.registry = registry;
        this.props = props;
        this.allocators = allocators;
        this.clock = clock;
    }

    @EventListener
    public void onReady(ApplicationReadyEvent event) {
        int listening = event.getApplicationContext() instanceof WebServerApplicationContext w
                ? w.getWebServer().getPort() : 0;
        port = props.advertisePort() > 0 ? props.advertisePort() : listening;
        if (!props.advertiseAddress().isEmpty() && port > 0) {
            leaseName = LEASE_PREFIX + props.advertiseAddress().replace('.', '-').replace(':', '-') + "-" + port;
        }
        loop = Flux.interval(Duration.ZERO, props.endpointReconcileInterval())
                .onBackpressureDrop()
                .concatMap(tick -> reconcile().onErrorResume(e -> {
                    log.warn("could not reconcile the {}/{} Service and endpoints: {}", NAMESPACE, NAME, e.toString());
                    return Mono.empty();
                }), 1)
                .subscribe();
    }

    /** One pass: the Service, this apiserver's Lease, then the endpoints from every live Lease. */
    Mono<Void> reconcile() {
        return ensureService()
                .then(Mono.defer(this::renewLease))
                .then(Mono.defer(() -> writeEndpoints(null)));
    }

    /** Stops renewing, deletes this apiserver's Lease and rewrites the endpoints without it (best effort). */
    @PreDestroy
    public void stop() {
        Disposable l = loop;
        if (l != null) {
            l.dispose();
        }
        String own = leaseName;
        if (own == null) {
            return;
        }
        try {
            store.delete(type("coordination.k8s.io", "leases"), LEASE_NAMESPACE, own, DeleteRequest.defaults())
                    .onErrorResume(e -> Mono.empty())
                    .then(writeEndpoints(own))
                    .block(TIMEOUT);
        } catch (RuntimeException e) {
            log.debug("could not remove this apiserver from the {} endpoints at shutdown: {}", NAME, e.toString());
        }
    }

    // ---- the Service ----

    Mono<Void> ensureService() {
        ResourceType services = type("", "services");
        return store.get(services, NAMESPACE, NAME)
                .onErrorResume(ApiException.class, e -> e.code() == 404 ? Mono.empty() : Mono.error(e))
                .hasElement()
                .flatMap(exists -> exists ? Mono.<Void>empty() : store.create(services, NAMESPACE, desiredService())
                        .doOnNext(w -> log.info("created Service {}/{} ({})", NAMESPACE, NAME,
                                allocators.firstAddress()))
                        .onErrorResume(ApiException.class, e -> e.code() == 409 ? Mono.empty() : Mono.error(e))
                        .then());
    }

    Service desiredService() {
        int target = port > 0 ? port : 443;
        return new ServiceBuilder().withNewMetadata().withName(NAME).withNamespace(NAMESPACE)
                .withLabels(Map.of("component", "apiserver", "provider", "kubernetes")).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(allocators.firstAddress())
                .withClusterIPs(allocators.firstAddress()).withSessionAffinity("None")
                .withPorts(new io.fabric8.kubernetes.api.model.ServicePortBuilder().withName("https").withProtocol("TCP")
                        .withPort(443).withTargetPort(new IntOrString(target)).build())
                .endSpec().build();
    }

    // ---- this apiserver's Lease ----

    Mono<Void> renewLease() {
        String name = leaseName;
        if (name == null) {
            return Mono.empty();
        }
        ResourceType leases = type("coordination.k8s.io", "leases");
        ZonedDateTime now = clock.instant().atZone(ZoneOffset.UTC);
        int seconds = (int) Math.max(1, (props.endpointReconcileInterval().toMillis() * 3 / 2 + 999) / 1000);
        Lease desired = new LeaseBuilder().withNewMetadata().withName(name).withNamespace(LEASE_NAMESPACE)
                .withLabels(Map.of(LEASE_LABEL, "true"))
                .withAnnotations(Map.of(ADDRESS_ANNOTATION, props.advertiseAddress(), PORT_ANNOTATION,
                        Integer.toString(port))).endMetadata()
                .withNewSpec().withHolderIdentity(name).withLeaseDurationSeconds(seconds).withRenewTime(now)
                .endSpec().build();
        return store.guaranteedUpdate(leases, LEASE_NAMESPACE, name, current -> {
                    Lease l = (Lease) current;
                    l.getMetadata().setLabels(desired.getMetadata().getLabels());
                    l.getMetadata().setAnnotations(desired.getMetadata().getAnnotations());
                    l.setSpec(desired.getSpec());
                    return l;
                })
                .onErrorResume(ApiException.class, e -> e.code() == 404
                        ? store.create(leases, LEASE_NAMESPACE, desired) : Mono.error(e))
                .then();
    }

    // ---- the endpoints ----

    /** The live advertised endpoints, {@code address:port}, sorted; {@code without} (a Lease name) left out. */
    Mono<List<String>> liveEndpoints(String without) {
        ResourceType leases = type("coordination.k8s.io", "leases");
        Instant now = clock.instant();
        ListOptions selected = new ListOptions(LabelSelector.parse(LEASE_LABEL + "=true"), FieldSelector.everything(),
                null, null, 0, null);
        return store.list(leases, LEASE_NAMESPACE, selected)
                .map(result -> {
                    TreeSet<String> live = new TreeSet<>();
                    for (byte[] json : result.items()) {
                        Lease l = (Lease) ObjectCodec.decode(leases, json, 0);
                        if (l.getMetadata().getName().equals(without) || !alive(l, now)) {
                            continue;
                        }
                        Map<String, String> a = l.getMetadata().getAnnotations();
                        String address = a == null ? null : a.get(ADDRESS_ANNOTATION);
                        String p = a == null ? null : a.get(PORT_ANNOTATION);
                        if (address != null && !address.isBlank() && p != null && p.matches("[0-9]{1,5}")) {
                            live.add(address + ":" + p);
                        }
                    }
                    return List.copyOf(live);
                });
    }

    static boolean alive(Lease l, Instant now) {
        if (l.getSpec() == null || l.getSpec().getRenewTime() == null || l.getSpec().getLeaseDurationSeconds() == null) {
            return false;
        }
        Instant renewed = l.getSpec().getRenewTime().toInstant();
        return renewed.plusSeconds(l.getSpec().getLeaseDurationSeconds()).isAfter(now);
    }

    Mono<Void> writeEndpoints(String without) {
        return liveEndpoints(without).flatMap(live -> Mono.when(writeEndpointsObject(live), writeSlice(live)));
    }

    private Mono<Void> writeEndpointsObject(List<String> live) {
        ResourceType t = type("", "endpoints");
        Endpoints desired = new EndpointsBuilder().withNewMetadata().withName(NAME).withNamespace(NAMESPACE)
                .endMetadata().withSubsets(subsets(live)).build();
        return upsert(t, desired, current -> {
            Endpoints e = (Endpoints) current;
            if (Objects.equals(emptyToNull(e.getSubsets()), emptyToNull(desired.getSubsets()))) {
                return null;
            }
            e.setSubsets(desired.getSubsets());
            return e;
        });
    }

    /** One subset per port, its addresses sorted (as Kubernetes' endpoints repacking). */
    static List<EndpointSubset> subsets(List<String> live) {
        Map<Integer, List<EndpointAddress>> byPort = new java.util.TreeMap<>();
        for (String hostPort : live) {
            int colon = hostPort.lastIndexOf(':');
            byPort.computeIfAbsent(Integer.parseInt(hostPort.substring(colon + 1)), p -> new ArrayList<>())
                    .add(new io.fabric8.kubernetes.api.model.EndpointAddressBuilder()
                            .withIp(hostPort.substring(0, colon)).build());
        }
        List<EndpointSubset> out = new ArrayList<>();
        byPort.forEach((p, addresses) -> out.add(new io.fabric8.kubernetes.api.model.EndpointSubsetBuilder()
                .withAddresses(addresses).withPorts(new EndpointPort(null, "https", p, "TCP")).build()));
        return out;
    }

    private Mono<Void> writeSlice(List<String> live) {
        ResourceType t = type("discovery.k8s.io", "endpointslices");
        List<Endpoint> endpoints = new ArrayList<>();
        Integer slicePort = null;
        for (String hostPort : live) {
            int colon = hostPort.lastIndexOf(':');
            int p = Integer.parseInt(hostPort.substring(colon + 1));
            if (slicePort == null) {
                slicePort = p;
            } else if (slicePort != p) {
                continue; // a slice has one port set; apiservers advertising another port are in the Endpoints
            }
            endpoints.add(new EndpointBuilder().withAddresses(hostPort.substring(0, colon))
                    .withNewConditions().withReady(true).withServing(true).withTerminating(false).endConditions()
                    .build());
        }
        EndpointSlice desired = new EndpointSliceBuilder().withNewMetadata().withName(NAME).withNamespace(NAMESPACE)
                .withLabels(Map.of(SERVICE_NAME_LABEL, NAME, MANAGED_BY_LABEL, MANAGED_BY)).endMetadata()
                .withAddressType("IPv4").withEndpoints(endpoints)
                .withPorts(slicePort == null ? List.of() : List.of(new io.fabric8.kubernetes.api.model.discovery.v1
                        .EndpointPortBuilder().withName("https").withProtocol("TCP").withPort(slicePort).build()))
                .build();
        return upsert(t, desired, current -> {
            EndpointSlice s = (EndpointSlice) current;
            if (Objects.equals(emptyToNull(s.getEndpoints()), emptyToNull(desired.getEndpoints()))
                    && Objects.equals(emptyToNull(s.getPorts()), emptyToNull(desired.getPorts()))) {
                return null;
            }
            s.setEndpoints(desired.getEndpoints());
            s.setPorts(desired.getPorts());
            s.setAddressType("IPv4");
            return s;
        });
    }

    /**
     * Updates the stored object with {@code mutate} (null from it: already as desired, nothing written), or creates
     * {@code desired} when there is none.
     */
    private Mono<Void> upsert(ResourceType t, HasMetadata desired, java.util.function.UnaryOperator<HasMetadata> mutate) {
        String ns = desired.getMetadata().getNamespace();
        String name = desired.getMetadata().getName();
        return store.get(t, ns, name)
                .onErrorResume(ApiException.class, e -> e.code() == 404 ? Mono.empty() : Mono.error(e))
                .flatMap(current -> mutate.apply(current) == null ? Mono.just(true)
                        : store.guaranteedUpdate(t, ns, name, c -> {
                            HasMetadata changed = mutate.apply(c);
                            return changed == null ? c : changed;
                        }).thenReturn(true))
                .switchIfEmpty(Mono.defer(() -> store.create(t, ns, desired)
                        .onErrorResume(ApiException.class, e -> e.code() == 409 ? Mono.empty() : Mono.error(e))
                        .thenReturn(true)))
                .then();
    }

    private ResourceType type(String group, String resource) {
        return registry.byPath(group, "v1", resource).orElseThrow();
    }

    private static <T> List<T> emptyToNull(List<T> l) {
        return l == null || l.isEmpty() ? null : l;
    }
}
