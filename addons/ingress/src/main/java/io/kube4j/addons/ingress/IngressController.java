package io.kube4j.addons.ingress;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerStatus;
import io.fabric8.kubernetes.api.model.networking.v1.IngressStatus;
import io.kube4j.addons.ingress.config.IngressProperties;
import io.kube4j.addons.ingress.proxy.IngressMetrics;
import io.kube4j.addons.ingress.proxy.IngressProxy;
import io.kube4j.addons.ingress.proxy.IngressServers;
import io.kube4j.addons.ingress.routing.ClusterView;
import io.kube4j.addons.ingress.routing.RoutingTable;
import io.kube4j.addons.ingress.routing.RoutingTableBuilder;
import io.kube4j.api.validation.NameRules;
import io.kube4j.client.KubeClient;
import io.kube4j.client.informer.ResourceEventHandler;
import io.kube4j.client.informer.SharedIndexInformer;
import io.kube4j.client.informer.SharedInformerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * kube4j's Ingress controller, usable in-process (tests, the all-in-one JVM) or from {@link IngressApplication}:
 * informers on IngressClasses, Ingresses, Services, EndpointSlices and Secrets; on any change one rebuild of the whole
 * {@link RoutingTable} (coalesced: events arriving during a rebuild cause exactly one more), swapped atomically under
 * the running listeners; and the status writer that reports the node address in the owned Ingresses'
 * {@code status.loadBalancer}.
 *
 * <p>Which Ingresses are owned: those whose {@code spec.ingressClassName} (or legacy {@code kubernetes.io/ingress.class}
 * annotation) names an IngressClass with {@code spec.controller} = {@link IngressProperties#controllerName()}, and
 * class-less ones while such a class is marked default ({@code ingressclass.kubernetes.io/is-default-class}).
 */
public final class IngressController implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IngressController.class);
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    static final String IS_DEFAULT_CLASS = "ingressclass.kubernetes.io/is-default-class";
    static final String CLASS_ANNOTATION = "kubernetes.io/ingress.class";

    private final KubeClient client;
    private final IngressProperties props;
    private final SharedInformerFactory informers;
    private final SharedIndexInformer<IngressClass> classes;
    private final SharedIndexInformer<Ingress> ingresses;
    private final SharedIndexInformer<Service> services;
    private final SharedIndexInformer<EndpointSlice> slices;
    private final SharedIndexInformer<Secret> secrets;
    private final RoutingTableBuilder builder;
    private final AtomicReference<RoutingTable> table = new AtomicReference<>(RoutingTable.EMPTY);
    private final AtomicLong versions = new AtomicLong();
    private final AtomicBoolean rebuildPending = new AtomicBoolean();
    private final ExecutorService rebuilder = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "ingress-rebuild");
        t.setDaemon(true);
        return t;
    });
    private final IngressProxy proxy;
    private IngressServers servers;

    public IngressController(KubeClient client, IngressProperties props, MeterRegistry meters) {
        this.client = client;
        this.props = props;
        this.informers = SharedInformerFactory.forClient(client, props.resync());
        this.classes = informers.informerFor(IngressClass.class, null);
        this.ingresses = informers.informerFor(Ingress.class, null);
        this.services = informers.informerFor(Service.class, null);
        this.slices = informers.informerFor(EndpointSlice.class, null);
        this.secrets = informers.informerFor(Secret.class, null);
        this.builder = new RoutingTableBuilder(new InformerView());
        this.proxy = new IngressProxy(table::get, new IngressMetrics(meters), props);
        ResourceEventHandler<HasMetadata> onChange = new ResourceEventHandler<>() {
            @Override
            public void onAdd(HasMetadata obj) {
                requestRebuild();
            }

            @Override
            public void onUpdate(HasMetadata oldObj, HasMetadata newObj) {
                requestRebuild();
            }

            @Override
            public void onDelete(HasMetadata obj, boolean finalStateUnknown) {
                requestRebuild();
            }
        };
        addHandler(classes, onChange);
        addHandler(ingresses, onChange);
        addHandler(services, onChange);
        addHandler(slices, onChange);
        addHandler(secrets, onChange);
    }

    @SuppressWarnings("unchecked")
    private static <T extends HasMetadata> void addHandler(SharedIndexInformer<T> informer,
                                                           ResourceEventHandler<HasMetadata> h) {
        informer.addEventHandler((ResourceEventHandler<T>) (ResourceEventHandler<?>) h);
    }

    /** Starts the informers, builds the first table once they have synced, then binds the listeners. */
    public IngressController start(Duration syncTimeout) {
        if (props.ensureDefaultClass()) {
            DefaultIngressClass.ensure(client.resources(IngressClass.class), props.controllerName(), syncTimeout);
        }
        informers.startAll();
        if (!informers.waitForCacheSync(syncTimeout)) {
            throw new IllegalStateException("ingress informers did not sync within " + syncTimeout);
        }
        rebuild();
        servers = new IngressServers(props, proxy, table::get);
        log.info("kube4j ingress controller started: controller={}, http={}:{}, https={}, status-address={}",
                props.controllerName(), props.bindAddress(), servers.httpPort(),
                servers.httpsPort() < 0 ? "disabled" : props.bindAddress() + ":" + servers.httpsPort(),
                props.statusAddress().isEmpty() ? "<none>" : props.statusAddress());
        return this;
    }

    public int httpPort() {
        return servers.httpPort();
    }

    public int httpsPort() {
        return servers.httpsPort();
    }

    /** The table requests are routed by right now. */
    public RoutingTable table() {
        return table.get();
    }

    private void requestRebuild() {
        if (rebuildPending.compareAndSet(false, true)) {
            rebuilder.execute(() -> {
                rebuildPending.set(false); // events from here on schedule one more rebuild
                try {
                    rebuild();
                } catch (RuntimeException e) {
                    log.error("ingress routing table rebuild failed; keeping version {}", table.get().version(), e);
                }
            });
        }
    }

    private synchronized void rebuild() {
        List<Ingress> owned = ownedIngresses();
        RoutingTable next = builder.build(owned, versions.incrementAndGet());
        table.set(next);
        log.debug("routing table v{}: {} ingresses, {} hosts", next.version(), owned.size(), next.hostCount());
        writeStatus(owned);
    }

    /** The Ingresses this controller serves (see the class comment). */
    List<Ingress> ownedIngresses() {
        Set<String> ours = new java.util.HashSet<>();
        boolean defaultIsOurs = false;
        for (IngressClass c : classes.lister().list((String) null)) {
            if (c.getSpec() != null && props.controllerName().equals(c.getSpec().getController())) {
                ours.add(c.getMetadata().getName());
                Map<String, String> ann = c.getMetadata().getAnnotations();
                defaultIsOurs |= ann != null && "true".equals(ann.get(IS_DEFAULT_CLASS));
            }
        }
        List<Ingress> out = new ArrayList<>();
        for (Ingress ing : ingresses.lister().list((String) null)) {
            String cls = ing.getSpec() == null ? null : ing.getSpec().getIngressClassName();
            if (cls == null && ing.getMetadata().getAnnotations() != null) {
                cls = ing.getMetadata().getAnnotations().get(CLASS_ANNOTATION);
            }
            if (cls == null ? defaultIsOurs : ours.contains(cls)) {
                out.add(ing);
            }
        }
        return out;
    }

    /**
     * Reports {@code status.loadBalancer.ingress = [{ip|hostname: status-address}]} on owned Ingresses that do not
     * show it yet. Asynchronous and idempotent: a failed write (a conflict with another writer) is retried by the next
     * rebuild, at the latest on the informer resync.
     */
    private void writeStatus(List<Ingress> owned) {
        String address = props.statusAddress();
        if (address == null || address.isEmpty()) {
            return;
        }
        IngressLoadBalancerIngress entry = new IngressLoadBalancerIngress();
        if (NameRules.isIp(address)) {
            entry.setIp(address);
        } else {
            entry.setHostname(address);
        }
        List<IngressLoadBalancerIngress> wanted = List.of(entry);
        for (Ingress ing : owned) {
            IngressStatus st = ing.getStatus();
            List<IngressLoadBalancerIngress> current = st == null || st.getLoadBalancer() == null ? null
                    : st.getLoadBalancer().getIngress();
            if (Objects.equals(normalize(current), normalize(wanted))) {
                continue;
            }
            String ns = ing.getMetadata().getNamespace();
            String name = ing.getMetadata().getName();
            client.resources(Ingress.class).updateWithRetry(ns, name, fresh -> {
                if (fresh.getStatus() == null) {
                    fresh.setStatus(new IngressStatus());
                }
                fresh.getStatus().setLoadBalancer(loadBalancer(entry));
                return fresh;
            }, true).subscribe(ok -> log.debug("status of ingress {}/{} set to {}", ns, name, address),
                    e -> log.warn("could not write the status of ingress {}/{}: {}", ns, name, e.toString()));
        }
    }

    private static IngressLoadBalancerStatus loadBalancer(IngressLoadBalancerIngress entry) {
        IngressLoadBalancerStatus lb = new IngressLoadBalancerStatus();
        lb.setIngress(new ArrayList<>(List.of(entry)));
        return lb;
    }

    private static List<String> normalize(List<IngressLoadBalancerIngress> l) {
        return l == null ? List.of() : l.stream().map(i -> i.getIp() + "|" + i.getHostname())
                .sorted().collect(Collectors.toList());
    }

    @Override
    public void close() {
        if (servers != null) {
            servers.close();
        }
        informers.stopAll();
        rebuilder.shutdownNow();
        proxy.close();
    }

    /** The informer caches as the builder's {@link ClusterView}. */
    private final class InformerView implements ClusterView {
        @Override
        public Service service(String namespace, String name) {
            return services.lister().get(namespace, name);
        }

        @Override
        public List<EndpointSlice> endpointSlices(String namespace, String service) {
            List<EndpointSlice> out = new ArrayList<>();
            for (EndpointSlice s : slices.lister().list(namespace)) {
                Map<String, String> labels = s.getMetadata().getLabels();
                if (labels != null && service.equals(labels.get(SERVICE_NAME_LABEL))) {
                    out.add(s);
                }
            }
            return out;
        }

        @Override
        public Secret secret(String namespace, String name) {
            return secrets.lister().get(namespace, name);
        }
    }
}
