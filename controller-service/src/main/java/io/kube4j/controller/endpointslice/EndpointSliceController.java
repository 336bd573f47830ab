package io.kube4j.controller.endpointslice;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
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
import io.kube4j.controller.endpoint.EndpointsController;
import io.kube4j.controller.endpoint.PodEndpoints;
import io.kube4j.controller.endpoint.TriggerTimeTracker;
import io.kube4j.controller.manager.ControllerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' EndpointSlice controller ({@code pkg/controller/endpointslice}): keeps the {@code discovery.k8s.io/v1}
 * EndpointSlices of every Service with a selector, at most {@code maxEndpointsPerSlice} endpoints each, labelled
 * {@code kubernetes.io/service-name} and {@code endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io}
 * and owned by the Service. What to write is planned by {@link SlicePlanner} so that as few slices as possible change.
 * Pod changes are batched per service; changes to managed slices by anyone else (a deleted or edited slice) are
 * repaired. Slices of services that are gone, lose their selector or become ExternalName are deleted.
 */
public final class EndpointSliceController implements Startable {

    private static final Logger log = LoggerFactory.getLogger(EndpointSliceController.class);

    public static final String CONTROLLER_NAME = "endpointslice-controller";
    /** Kubernetes' {@code endpointSliceChangeMinSyncDelay}: slice events are batched at least this long. */
    static final Duration SLICE_CHANGE_MIN_SYNC_DELAY = Duration.ofSeconds(1);
    private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);

    private final ResourceClient<EndpointSlice> slicesClient;
    private final SharedIndexInformer<Service> services;
    private final SharedIndexInformer<Pod> pods;
    private final SharedIndexInformer<Node> nodes;
    private final SharedIndexInformer<EndpointSlice> slices;
    private final EventRecorder recorder;
    private final Duration batchPeriod;
    private final SlicePlanner planner;
    private final SliceTracker tracker = new SliceTracker();
    private final TriggerTimeTracker triggerTimes = new TriggerTimeTracker();
    private final Controller controller;

    public EndpointSliceController(ControllerContext context, EndpointSliceControllerProperties properties) {
        this.slicesClient = context.client().resources(EndpointSlice.class);
        this.services = context.informer(Service.class);
        this.pods = context.informer(Pod.class);
        this.nodes = context.informer(Node.class);
        this.slices = context.informer(EndpointSlice.class);
        this.recorder = context.recorder(CONTROLLER_NAME);
        this.batchPeriod = properties.endpointUpdatesBatchPeriod();
        this.planner = new SlicePlanner(properties.maxEndpointsPerSlice());
        this.controller = context.controller(CONTROLLER_NAME).reconciler(this::reconcile)
                .workers(properties.concurrentSyncs()).waitFor(services::hasSynced).waitFor(pods::hasSynced)
                .waitFor(nodes::hasSynced).waitFor(slices::hasSynced).build();
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
        pods.addEventHandler(new EndpointsController.PodHandler(services.lister()::list,
                (ns, name) -> controller.queue().addAfter(new Request(ns, name), batchPeriod)));
        slices.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(EndpointSlice s) {
                changed(s, false);
            }

            @Override
            public void onUpdate(EndpointSlice oldObj, EndpointSlice newObj) {
                // a slice relabelled away from this controller or another service: both services need a look
                if (!sameOwner(oldObj, newObj)) {
                    changed(oldObj, true);
                }
                changed(newObj, false);
            }

            @Override
            public void onDelete(EndpointSlice s, boolean finalStateUnknown) {
                changed(s, true);
            }
        });
    }

    private void changed(EndpointSlice slice, boolean deletion) {
        String service = serviceOf(slice);
        if (service == null) {
            return;
        }
        Request key = new Request(slice.getMetadata().getNamespace(), service);
        if (tracker.observed(key.toString(), slice, deletion)) {
            Duration delay = batchPeriod.compareTo(SLICE_CHANGE_MIN_SYNC_DELAY) > 0 ? batchPeriod
                    : SLICE_CHANGE_MIN_SYNC_DELAY;
            controller.queue().addAfter(key, delay);
        }
    }

    private static boolean sameOwner(EndpointSlice a, EndpointSlice b) {
        String sa = serviceOf(a);
        return sa != null && sa.equals(serviceOf(b));
    }

    /** The service a slice managed by this controller belongs to, or null for slices managed by others. */
    static String serviceOf(EndpointSlice slice) {
        Map<String, String> l = slice.getMetadata().getLabels();
        if (l == null || !SlicePlanner.MANAGED_BY.equals(l.get(SlicePlanner.MANAGED_BY_LABEL))) {
            return null;
        }
        String name = l.get(SlicePlanner.SERVICE_NAME_LABEL);
        return name == null || name.isEmpty() ? null : name;
    }

    @Override
    public String name() {
        return CONTROLLER_NAME;
    }

    public Controller controller() {
        return controller;
    }

    @Override
    public void start() {
        controller.start();
    }

    @Override
    public void stop() throws InterruptedException {
        controller.stop();
    }

    private List<EndpointSlice> managedSlices(String namespace, String service) {
        return slices.lister().list(namespace).stream().filter(s -> service.equals(serviceOf(s))).toList();
    }

    Result reconcile(Request request) {
        String ns = request.namespace();
        String name = request.name();
        String key = request.toString();
        List<EndpointSlice> existing = managedSlices(ns, name);
        Map<String, EndpointSlice> byName = new HashMap<>();
        existing.forEach(s -> byName.put(s.getMetadata().getName(), s));
        if (tracker.stale(key, byName::get)) {
            // the cache does not show our last writes yet (planning now could duplicate slices): retry with backoff
            return Result.requeue();
        }
        Service service = services.lister().get(ns, name);
        if (service == null || !PodEndpoints.hasSelector(service)) {
            triggerTimes.deleteService(ns, name);
            for (EndpointSlice s : existing) {
                delete(key, s);
            }
            if (service == null) {
                tracker.forget(key);
            }
            return Result.done();
        }
        List<Pod> selected = pods.lister().list(ns, PodEndpoints.selector(service));
        var trigger = triggerTimes.compute(service, selected);
        var desired = SlicePlanner.desired(service, selected, this::zoneOf);
        SlicePlanner.Plan plan = planner.plan(service, desired, existing);
        if (plan.isEmpty()) {
            return Result.done();
        }
        try {
            for (EndpointSlice s : plan.toCreate()) {
                setTriggerTime(s, trigger);
                tracker.written(key, slicesClient.create(s).block(WRITE_TIMEOUT));
            }
            for (EndpointSlice s : plan.toUpdate()) {
                setTriggerTime(s, trigger);
                // resourceVersion precondition: a concurrent change gets us a 409 and a retry on fresh state
                tracker.written(key, slicesClient.update(s).block(WRITE_TIMEOUT));
            }
            for (EndpointSlice s : plan.toDelete()) {
                delete(key, s);
            }
        } catch (ApiStatusException e) {
            if (e instanceof ApiStatusException.Forbidden && String.valueOf(e.getMessage()).contains("terminat")) {
                return Result.done(); // namespace terminating
            }
            if (!(e instanceof ApiStatusException.Conflict) && !(e instanceof ApiStatusException.AlreadyExists)) {
                recorder.event(service, EventRecorder.WARNING, "FailedToUpdateEndpointSlices",
                        "Error updating Endpoint Slices for Service " + ns + "/" + name + ": " + e.getMessage());
            }
            throw e;
        }
        log.debug("endpointslices {}: {} created, {} updated, {} deleted", key, plan.toCreate().size(),
                plan.toUpdate().size(), plan.toDelete().size());
        return Result.done();
    }

    private static void setTriggerTime(EndpointSlice s, java.time.Instant trigger) {
        Map<String, String> ann = s.getMetadata().getAnnotations() == null ? new HashMap<>()
                : new HashMap<>(s.getMetadata().getAnnotations());
        if (trigger != null) {
            ann.put(PodEndpoints.LAST_CHANGE_TRIGGER_TIME, trigger.toString());
        } else {
            ann.remove(PodEndpoints.LAST_CHANGE_TRIGGER_TIME);
        }
        s.getMetadata().setAnnotations(ann.isEmpty() ? null : ann);
    }

    private void delete(String key, EndpointSlice s) {
        try {
            slicesClient.delete(s.getMetadata().getNamespace(), s.getMetadata().getName(),
                    new DeleteOptions(null, null, s.getMetadata().getUid(), null)).block(WRITE_TIMEOUT);
        } catch (ApiStatusException.NotFound e) {
            // already gone
        }
        tracker.deleted(key, s.getMetadata().getName());
    }

    private String zoneOf(String nodeName) {
        Node node = nodes.lister().get(null, nodeName);
        if (node == null || node.getMetadata().getLabels() == null) {
            return null;
        }
        return node.getMetadata().getLabels().get(SlicePlanner.ZONE_LABEL);
    }
}
