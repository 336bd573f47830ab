package io.kube4j.scheduler.framework;

import io.kube4j.client.KubeClient;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.client.util.Clock;

/**
 * What a plugin may use of the scheduler it runs in (Kubernetes' {@code framework.Handle}). The snapshot of the
 * current cycle is not here: it travels in {@link CycleState#snapshot()}, so a simulation can run on its own snapshot
 * while the scheduler runs on the live one.
 */
public interface FrameworkHandle {

    /** The apiserver client; null when the framework runs without one (in-process benchmarks, unit tests). */
    KubeClient client();

    /** Records Events; null without an apiserver. */
    EventRecorder events();

    /** The scheduler's shared informers (to add listers for PDBs, PriorityClasses ...); null without an apiserver. */
    SharedInformerFactory informers();

    Parallelizer parallelizer();

    Clock clock();

    /** A handle with no apiserver, for unit tests, benchmarks and offline simulation. */
    static FrameworkHandle offline(Parallelizer parallelizer) {
        return new SimpleHandle(null, null, null, parallelizer, Clock.system());
    }

    /** A plain handle over the given parts. */
    record SimpleHandle(KubeClient client, EventRecorder events, SharedInformerFactory informers,
            Parallelizer parallelizer, Clock clock) implements FrameworkHandle {
    }
}
