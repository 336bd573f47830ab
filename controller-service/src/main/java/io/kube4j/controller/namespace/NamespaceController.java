package io.kube4j.controller.namespace;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.Namespace;
import io.kube4j.client.controller.Controller;
import io.kube4j.client.controller.Reconciler;
import io.kube4j.client.controller.Request;
import io.kube4j.client.controller.Result;
import io.kube4j.client.controller.Startable;
import io.kube4j.client.informer.Lister;
import io.kube4j.client.informer.ResourceEventHandler;
import io.kube4j.client.informer.SharedIndexInformer;
import io.kube4j.client.workqueue.BucketRateLimiter;
import io.kube4j.client.workqueue.ItemExponentialFailureRateLimiter;
import io.kube4j.client.workqueue.MaxOfRateLimiter;
import io.kube4j.controller.manager.ControllerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes' namespace controller: every namespace with a deletionTimestamp is queued (after
 * {@code deletionDelay}) and emptied by a {@link NamespacedResourcesDeleter}; while content remains it is looked at
 * again after half the estimate plus a second; every {@code syncPeriod} all Terminating namespaces are queued again.
 */
public final class NamespaceController implements Reconciler, Startable {

    static final String NAME = "namespace";
    private static final Logger log = LoggerFactory.getLogger(NamespaceController.class);

    private final Lister<Namespace> namespaces;
    private final NamespacedResourcesDeleter deleter;
    private final NamespaceControllerProperties props;
    private final Controller controller;
    private ScheduledExecutorService resync;

    public NamespaceController(ControllerContext context, NamespaceDeletionClient client,
                               NamespaceControllerProperties props) {
        SharedIndexInformer<Namespace> informer = context.informer(Namespace.class);
        this.namespaces = informer.lister();
        this.props = props;
        this.deleter = new NamespacedResourcesDeleter(client, context.clock());
        // kube-controller-manager's namespace queue: 5 ms doubling to 60 s per item, 10 qps overall (burst 100)
        this.controller = context.controller(NAME)
                .reconciler(this)
                .workers(props.concurrentSyncs())
                .rateLimiter(new MaxOfRateLimiter<>(
                        new ItemExponentialFailureRateLimiter<>(Duration.ofMillis(5), Duration.ofSeconds(60)),
                        new BucketRateLimiter<>(10, 100, context.clock())))
                .waitFor(informer::hasSynced)
                .build();
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Namespace ns) {
                enqueue(ns);
            }

            @Override
            public void onUpdate(Namespace oldNs, Namespace ns) {
                enqueue(ns);
            }
        });
    }

    private void enqueue(Namespace ns) {
        if (ns.getMetadata().getDeletionTimestamp() != null) {
            controller.queue().addAfter(Request.of(ns), props.deletionDelay());
        }
    }

    @Override
    public Result reconcile(Request request) {
        Namespace ns = namespaces.get(null, request.name());
        if (ns == null || ns.getMetadata().getDeletionTimestamp() == null) {
            return Result.done();
        }
        try {
            deleter.delete(ns);
            return Result.done();
        } catch (NamespacedResourcesDeleter.ContentRemainingException remaining) {
            long wait = remaining.estimateSeconds() / 2 + 1;
            log.debug("namespace {}: content remaining, looking again in {} s", request.name(), wait);
            return Result.requeueAfter(Duration.ofSeconds(wait));
        }
    }

    /** The queue-driven controller (tests look at its queue). */
    Controller controller() {
        return controller;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public synchronized void start() {
        controller.start();
        resync = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "namespace-controller-resync");
            t.setDaemon(true);
            return t;
        });
        long period = props.syncPeriod().toMillis();
        resync.scheduleAtFixedRate(() -> {
            try {
                namespaces.list((String) null).forEach(this::enqueue);
            } catch (RuntimeException e) {
                log.warn("namespace resync failed: {}", e.toString());
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() throws InterruptedException {
        if (resync != null) {
            resync.shutdownNow();
        }
        controller.stop();
    }
}
