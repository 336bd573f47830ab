package io.kube4j.controller.manager;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import io.kube4j.client.controller.Startable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controllers of one leadership term: {@link #start} creates the enabled controllers (each registers its informer
 * handlers), starts the shared informers and then the controllers (which wait for the caches before working);
 * {@link #stop} stops the controllers, then the informers, then flushes the event recorders.
 */
public final class ControllerManager implements Startable {

    private static final Logger log = LoggerFactory.getLogger(ControllerManager.class);

    private final ControllerContext context;
    private final List<ControllerFactory> factories;
    private final List<Startable> running = new ArrayList<>();

    public ControllerManager(ControllerContext context, Collection<? extends ControllerFactory> factories,
            Collection<String> enabled) {
        this.context = context;
        this.factories = enabled(factories, enabled);
    }

    /** The factories {@code enabled} selects, in their order. */
    public static List<ControllerFactory> enabled(Collection<? extends ControllerFactory> factories,
            Collection<String> enabled) {
        return factories.stream().filter(f -> isEnabled(f, enabled)).map(ControllerFactory.class::cast).toList();
    }

    /**
     * kube-controller-manager's {@code --controllers} rule: {@code *} enables those on by default, {@code name}
     * enables one, {@code -name} disables one.
     */
    public static boolean isEnabled(ControllerFactory f, Collection<String> enabled) {
        Set<String> set = Set.copyOf(enabled);
        if (set.contains("-" + f.name())) {
            return false;
        }
        if (set.contains(f.name())) {
            return true;
        }
        return set.contains("*") && f.enabledByDefault();
    }

    @Override
    public String name() {
        return "controller-manager";
    }

    public ControllerContext context() {
        return context;
    }

    /** The names of the controllers this manager runs. */
    public List<String> controllerNames() {
        return factories.stream().map(ControllerFactory::name).toList();
    }

    @Override
    public synchronized void start() {
        if (!running.isEmpty()) {
            throw new IllegalStateException("controller manager already started");
        }
        for (ControllerFactory f : factories) {
            running.add(f.create(context));
        }
        context.informers().startAll();
        running.forEach(Startable::start);
        log.info("started controllers {}", controllerNames());
    }

    /** Waits until the shared informers have synced; false when {@code timeout} passed first. */
    public boolean waitForCacheSync(Duration timeout) {
        return context.informers().waitForCacheSync(timeout);
    }

    @Override
    public synchronized void stop() throws InterruptedException {
        List<Startable> reversed = new ArrayList<>(running);
        java.util.Collections.reverse(reversed);
        for (Startable s : reversed) {
            try {
                s.stop();
            } catch (RuntimeException e) {
                log.warn("stopping {} failed: {}", s.name(), e.toString());
            }
        }
        running.clear();
        context.informers().stopAll();
        context.close();
    }
}
