package io.kube4j.controller.podgc;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.client.controller.Startable;
import io.kube4j.client.informer.SharedIndexInformer;
import io.kube4j.controller.manager.ControllerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link PodGc} every {@code gcCheckPeriod} on the shared pod and node informers, once both have synced (a pass
 * on half a cache could take live nodes for deleted ones).
 */
public final class PodGcController implements Startable {

    static final String NAME = "podgc";
    private static final Logger log = LoggerFactory.getLogger(PodGcController.class);

    private final SharedIndexInformer<Pod> podInformer;
    private final SharedIndexInformer<Node> nodeInformer;
    private final PodGc gc;
    private final PodGcControllerProperties props;
    private ScheduledExecutorService loop;

    public PodGcController(ControllerContext context, PodGcControl control, PodGcControllerProperties props) {
        this.podInformer = context.informer(Pod.class);
        this.nodeInformer = context.informer(Node.class);
        this.props = props;
        this.gc = new PodGc(() -> podInformer.lister().list((String) null),
                () -> nodeInformer.lister().list((String) null), control, context.clock(), props, context.meters());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public synchronized void start() {
        loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pod-gc");
            t.setDaemon(true);
            return t;
        });
        long period = props.gcCheckPeriod().toMillis();
        loop.scheduleWithFixedDelay(this::pass, period, period, TimeUnit.MILLISECONDS);
        log.info("pod GC: every {}, terminated-pod threshold {}, quarantine {}", props.gcCheckPeriod(),
                props.terminatedPodGcThreshold(), props.quarantineTime());
    }

    private void pass() {
        if (!podInformer.hasSynced() || !nodeInformer.hasSynced()) {
            return;
        }
        try {
            gc.gc();
        } catch (RuntimeException e) {
            log.warn("pod GC pass failed: {}", e.toString(), e);
        }
    }

    @Override
    public synchronized void stop() throws InterruptedException {
        if (loop != null) {
            loop.shutdownNow();
            loop.awaitTermination(30, TimeUnit.SECONDS);
        }
        gc.shutDown();
    }
}
