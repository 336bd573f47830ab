package io.kube4j.controller.endpoint;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.controller.Controller;
import io.kube4j.client.controller.Request;
import io.kube4j.client.controller.Result;
import io.kube4j.client.controller.Startable;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.ResourceEventHandler;
import io.kube4j.client.informer.SharedIndexInformer;
import io.kube4j.controller.manager.ControllerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' endpoints controller ({@code pkg/controller/endpoint}): keeps one {@code Endpoints} object per Service
 * with a selector, listing the matching pods' addresses (ready, or not ready unless the service publishes not-ready
 * addresses) with the service ports resolved on each pod. Pod changes are batched per service by
 * {@code endpointUpdatesBatchPeriod}; an Endpoints object is written only when its content would change.
 *
 * <p>Endpoints of services without a selector belong to their users and are never touched; the controller labels
 * what it writes {@code endpoints.kubernetes.io/managed-by=endpoint-controller}, so when a service loses its selector
 * (or becomes ExternalName) it removes only Endpoints it wrote itself. Endpoints of deleted services are deleted,
 * and at start every existing Endpoints object is checked for a service (Kubernetes' {@code checkLeftoverEndpoints}).
 */
public final class EndpointsController implements Startable {

    private static final Logger log = LoggerFactory.getLogger(EndpointsController.class);

    /** Marks the Endpoints this controller writes (Kubernetes 1.33's {@code LabelManagedBy}). */
    public static final String MANAGED_BY_LABEL = "endpoints.kubernetes.io/managed-by";
    public static final String CONTROLLER_NAME = "endpoint-controller";
    /** Leader-election records kept in Endpoints by old components: never cleaned up as leftovers. */
    static final String LEADER_ANNOTATION = "control-plane.alpha.kubernetes.io/leader";

    private final ResourceClient<Endpoints> endpointsClient;
    private final SharedIndexInformer<Service> services;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<Endpoints> endpoints;
    private final EventRecorder recorder;
    private final Duration batchPeriod;
    private final TriggerTimeTracker triggerTimes = new TriggerTimeTracker();
    private final Controller controller;
    /**
     * service key → resourceVersion of this controller's last Endpoints write, until the cache shows it (Kubernetes'
     * {@code staleEndpointsTracker}): a sync on an older cached version would only earn a 409.
     */
    private final Map<String, Long> written = new java.util.concurrent.ConcurrentHashMap<>();
    private Thread leftovers;

    public EndpointsController(ControllerContext context, EndpointControllerProperties properties) {
        this.endpointsClient = context.client().resources(Endpoints.class);
        this.services = context.informer(Service.class);
        this.pods = context.informer(Pod.class);
        this.endpoints = context.informer(Endpoints.class);
        this.recorder = context.recorder(CONTROLLER_NAME);
        this.batchPeriod = properties.endpointUpdatesBatchPeriod();
        this.controller = context.controller(CONTROLLER_NAME).reconciler(this::reconcile)
                .workers(properties.concurrentSyncs())
                .waitFor(services::hasSynced).waitFor(pods::hasSynced).waitFor(endpoints::hasSynced).build();
        services.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Service s) {
                controller.enqueue(Request.of(s));
            }

            @Override
            public void onUpdate(Service oldObj, Service newObj) {
                controller.enqueue(Request.of(newObj));
            }

            @Override
            public void onDelete(Service s, boolean finalStateUnknown) {
                controller.enqueue(Request.of(s));
            }
        });
        pods.addEventHandler(new PodHandler(services.lister()::list, this::enqueueBatched));
        endpoints.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onDelete(Endpoints ep, boolean finalStateUnknown) {
                written.remove(Request.of(ep).toString());
                // recreate it if its service still wants it
                controller.enqueue(Request.of(ep));
            }
        });
    }

    private void enqueueBatched(String namespace, String service) {
        controller.queue().addAfter(new Request(namespace, service), batchPeriod);
    }

    @Override
    public String name() {
        return CONTROLLER_NAME;
    }

    public Controller controller() {
        return controller;
    }

    @Override
    public synchronized void start() {
        controller.start();
        leftovers = new Thread(this::checkLeftoverEndpoints, CONTROLLER_NAME + "-leftovers");
        leftovers.setDaemon(true);
        leftovers.start();
    }

    @Override
    public void stop() throws InterruptedException {
        Thread t;
        synchronized (this) {
            t = leftovers;
        }
        if (t != null) {
            t.interrupt();
            t.join();
        }
        controller.stop();
    }

    /** Once the caches are in, queues every Endpoints object: those whose service is gone are deleted. */
    private void checkLeftoverEndpoints() {
        try {
            while (!(endpoints.hasSynced() && services.hasSynced())) {
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        for (Endpoints ep : endpoints.lister().list((String) null)) {
            Map<String, String> ann = ep.getMetadata().getAnnotations();
            if (ann != null && ann.containsKey(LEADER_ANNOTATION)) {
                continue;
            }
            controller.enqueue(Request.of(ep));
        }
    }

    Result reconcile(Request request) {
        String ns = request.namespace();
        String name = request.name();
        Service service = services.lister().get(ns, name);
        Endpoints current = endpoints.lister().get(ns, name);
        Long mine = written.get(request.toString());
        if (mine != null) {
            if (current == null || resourceVersion(current) < mine) {
                return Result.requeue(); // our last write is not in the cache yet: retry with backoff
            }
            written.remove(request.toString(), mine);
        }
        if (service == null) {
            triggerTimes.deleteService(ns, name);
            if (current != null) {
                delete(current);
            }
            return Result.done();
        }
        if (!PodEndpoints.hasSelector(service)) {
            triggerTimes.deleteService(ns, name);
            // selector-less services get their Endpoints from their users: only what this controller wrote goes
            if (current != null && managedByUs(current)) {
                delete(current);
            }
            return Result.done();
        }
        List<Pod> selected = pods.lister().list(ns, PodEndpoints.selector(service));
        Instant trigger = triggerTimes.compute(service, selected);
        List<EndpointSubset> subsets = desiredSubsets(service, selected);
        List<EndpointSubset> truncated = EndpointSubsets.repack(subsets);
        boolean overCapacity = EndpointSubsets.truncate(truncated);
        truncated = EndpointSubsets.repack(truncated); // drops subsets truncation emptied
        Map<String, String> labels = labels(service);

        if (current != null && EndpointSubsets.repack(current.getSubsets()).equals(truncated)
                && Objects.equals(current.getMetadata().getLabels(), labels)
                && overCapacity == hasAnnotation(current, EndpointSubsets.OVER_CAPACITY)) {
            return Result.done(); // nothing changed: no write
        }
        Endpoints desired = new Endpoints();
        ObjectMeta meta = new ObjectMeta();
        meta.setName(name);
        meta.setNamespace(ns);
        if (current != null) {
            meta.setResourceVersion(current.getMetadata().getResourceVersion());
            meta.setUid(current.getMetadata().getUid());
            meta.setOwnerReferences(current.getMetadata().getOwnerReferences());
            meta.setFinalizers(current.getMetadata().getFinalizers());
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        if (current != null && current.getMetadata().getAnnotations() != null) {
            annotations.putAll(current.getMetadata().getAnnotations());
        }
        if (trigger != null) {
            annotations.put(PodEndpoints.LAST_CHANGE_TRIGGER_TIME, DateTimeFormatter.ISO_INSTANT.format(trigger));
        } else {
            annotations.remove(PodEndpoints.LAST_CHANGE_TRIGGER_TIME);
        }
        if (overCapacity) {
            annotations.put(EndpointSubsets.OVER_CAPACITY, "truncated");
        } else {
            annotations.remove(EndpointSubsets.OVER_CAPACITY);
        }
        meta.setAnnotations(annotations.isEmpty() ? null : annotations);
        meta.setLabels(labels);
        desired.setMetadata(meta);
        desired.setSubsets(truncated);
        try {
            Endpoints result;
            if (current == null) {
                result = endpointsClient.create(desired).block(Duration.ofSeconds(30));
            } else {
                // resourceVersion precondition: a concurrent writer gets us a 409 and a retry on fresh state
                result = endpointsClient.update(desired).block(Duration.ofSeconds(30));
            }
            if (result != null) {
                written.put(request.toString(), resourceVersion(result));
            }
        } catch (ApiStatusException e) {
            if (current == null && e instanceof ApiStatusException.Forbidden
                    && String.valueOf(e.getMessage()).contains("terminat")) {
                return Result.done(); // namespace terminating: creates keep failing, drop the key
            }
            if (!(e instanceof ApiStatusException.Conflict) && !(e instanceof ApiStatusException.AlreadyExists)) {
                recorder.event(service, EventRecorder.WARNING,
                        current == null ? "FailedToCreateEndpoint" : "FailedToUpdateEndpoint",
                        (current == null ? "Failed to create endpoint for service " : "Failed to update endpoint ")
                                + ns + "/" + name + ": " + e.getMessage());
            }
            throw e;
        }
        log.debug("endpoints {}/{}: {} addresses written", ns, name, EndpointSubsets.count(truncated));
        return Result.done();
    }

    private static long resourceVersion(Endpoints ep) {
        try {
            return Long.parseLong(ep.getMetadata().getResourceVersion());
        } catch (NumberFormatException | NullPointerException e) {
            return 0;
        }
    }

    private void delete(Endpoints ep) {
        try {
            endpointsClient.delete(ep.getMetadata().getNamespace(), ep.getMetadata().getName(),
                    new DeleteOptions(null, null, ep.getMetadata().getUid(), null)).block(Duration.ofSeconds(30));
        } catch (ApiStatusException.NotFound e) {
            // already gone
        }
    }

    private static boolean managedByUs(Endpoints ep) {
        Map<String, String> l = ep.getMetadata().getLabels();
        return l != null && CONTROLLER_NAME.equals(l.get(MANAGED_BY_LABEL));
    }

    private static boolean hasAnnotation(Endpoints ep, String key) {
        Map<String, String> a = ep.getMetadata().getAnnotations();
        return a != null && a.containsKey(key);
    }

    /** The service's labels, the headless label for services without a cluster IP, and the managed-by label. */
    static Map<String, String> labels(Service service) {
        Map<String, String> labels = new HashMap<>();
        if (service.getMetadata().getLabels() != null) {
            labels.putAll(service.getMetadata().getLabels());
        }
        if (PodEndpoints.isHeadless(service)) {
            labels.put(PodEndpoints.HEADLESS_LABEL, "");
        } else {
            labels.remove(PodEndpoints.HEADLESS_LABEL);
        }
        labels.put(MANAGED_BY_LABEL, CONTROLLER_NAME);
        return labels;
    }

    /**
     * The canonical subsets of the service over {@code pods} (the pods its selector matches): pods that belong in
     * endpoints, ready or not ready, each with the service ports it has; a pod lacking a (named) port is left out of
     * that port; a headless service without ports lists bare addresses.
     */
    public static List<EndpointSubset> desiredSubsets(Service service, Collection<Pod> pods) {
        boolean publishNotReady = Boolean.TRUE.equals(service.getSpec().getPublishNotReadyAddresses());
        List<ServicePort> servicePorts = service.getSpec().getPorts() == null ? List.of() : service.getSpec().getPorts();
        List<EndpointSubsets.Entry> entries = new ArrayList<>();
        for (Pod pod : pods) {
            if (!PodEndpoints.shouldBeInEndpoints(pod, publishNotReady)) {
                continue;
            }
            EndpointAddress address = address(pod, service);
            boolean ready = publishNotReady || PodEndpoints.isReady(pod);
            if (servicePorts.isEmpty()) {
                if (PodEndpoints.isHeadless(service)) {
                    entries.add(new EndpointSubsets.Entry(address, ready, List.of()));
                }
                continue;
            }
            for (ServicePort sp : servicePorts) {
                OptionalInt port = PodEndpoints.findPort(pod, sp);
                if (port.isEmpty()) {
                    continue;
                }
                entries.add(new EndpointSubsets.Entry(address, ready, List.of(endpointPort(sp, port.getAsInt()))));
            }
        }
        return EndpointSubsets.pack(entries);
    }

    static EndpointAddress address(Pod pod, Service service) {
        return new EndpointAddressBuilder().withIp(PodEndpoints.ipv4(pod))
                .withNodeName(PodEndpoints.nodeName(pod))
                .withHostname(PodEndpoints.shouldSetHostname(pod, service) ? pod.getSpec().getHostname() : null)
                .withTargetRef(new ObjectReferenceBuilder().withKind("Pod")
                        .withNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                        .withUid(pod.getMetadata().getUid()).build())
                .build();
    }

    static EndpointPort endpointPort(ServicePort sp, int port) {
        return new EndpointPortBuilder().withName(PodEndpoints.emptyToNull(sp.getName())).withPort(port)
                .withProtocol(PodEndpoints.protocol(sp.getProtocol())).withAppProtocol(sp.getAppProtocol()).build();
    }

    /**
     * Turns pod events into the keys of the services selecting the pod, after the batch period. An update that changes
     * nothing endpoints depend on (see {@link PodEndpoints#change}) costs a comparison and nothing else.
     */
    public static final class PodHandler implements ResourceEventHandler<Pod> {

        /** Where the keys go: namespace, service name. */
        public interface Sink {
            void enqueue(String namespace, String service);
        }

        private final java.util.function.Function<String, List<Service>> servicesInNamespace;
        private final Sink sink;

        /** {@code servicesInNamespace}: the cached services of a namespace (the service lister's namespace index). */
        public PodHandler(java.util.function.Function<String, List<Service>> servicesInNamespace, Sink sink) {
            this.servicesInNamespace = servicesInNamespace;
            this.sink = sink;
        }

        private Set<String> memberships(Pod pod) {
            return PodEndpoints.memberships(servicesInNamespace.apply(pod.getMetadata().getNamespace()), pod);
        }

        @Override
        public void onAdd(Pod pod) {
            memberships(pod).forEach(s -> sink.enqueue(pod.getMetadata().getNamespace(), s));
        }

        @Override
        public void onUpdate(Pod oldPod, Pod newPod) {
            if (Objects.equals(oldPod.getMetadata().getResourceVersion(), newPod.getMetadata().getResourceVersion())) {
                return; // a resync: nothing new
            }
            PodEndpoints.PodChange change = PodEndpoints.change(oldPod, newPod);
            if (!change.any()) {
                return;
            }
            Set<String> now = memberships(newPod);
            Set<String> before = change.labelsChanged() ? memberships(oldPod) : now;
            PodEndpoints.servicesToSync(before, now, change.endpointChanged())
                    .forEach(s -> sink.enqueue(newPod.getMetadata().getNamespace(), s));
        }

        @Override
        public void onDelete(Pod pod, boolean finalStateUnknown) {
            onAdd(pod);
        }
    }
}
