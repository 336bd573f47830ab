package io.kube4j.addons.dns;

import io.fabric8.kubernetes.api.model.Node;
import io.kube4j.client.informer.ResourceEventHandler;
import io.kube4j.client.informer.SharedIndexInformer;
import io.kube4j.client.informer.SharedInformerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs the {@link ServicePublisher} off the start-up thread: once when the server listens, again whenever a Node
 * changes (when the address is the node's InternalIP, which its agent reports after registering), and again two
 * seconds after a failure (the apiserver may not answer yet).
 */
public final class ServicePublication implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServicePublication.class);
    private static final long RETRY_MS = 2000;

    private final ServicePublisher publisher;
    private final DnsProperties.Publish settings;
    private final SharedIndexInformer<Node> nodes;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dns-publish");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean started;

    /** Registers on the factory's Node informer when the address comes from a node. */
    public ServicePublication(ServicePublisher publisher, DnsProperties.Publish settings,
                              SharedInformerFactory informers) {
        this.publisher = publisher;
        this.settings = settings;
        this.nodes = settings.address().isBlank() ? informers.informerFor(Node.class, null) : null;
        if (nodes != null) {
            nodes.addEventHandler(new ResourceEventHandler<>() {
                @Override
                public void onAdd(Node obj) {
                    request(0);
                }

                @Override
                public void onUpdate(Node oldObj, Node newObj) {
                    request(0);
                }

                @Override
                public void onDelete(Node obj, boolean finalStateUnknown) {
                    request(0);
                }
            });
        }
    }

    /** Publishes now and from then on whenever a node changes. */
    public void start() {
        started = true;
        request(0);
    }

    private void request(long delayMs) {
        if (started && pending.compareAndSet(false, true)) {
            executor.schedule(this::run, delayMs, TimeUnit.MILLISECONDS);
        }
    }

    private void run() {
        pending.set(false);
        String address = settings.address().isBlank() ? null : settings.address();
        String node = settings.node().isBlank() ? null : settings.node();
        if (address == null) {
            List<Node> all = nodes.getIndexer().list();
            address = ServicePublisher.internalIp(all, node).orElse(null);
            if (node == null && address != null) {
                node = all.stream().filter(n -> ServicePublisher.internalIp(List.of(n), null).isPresent())
                        .map(n -> n.getMetadata().getName()).sorted().findFirst().orElse(null);
            }
        }
        try {
            publisher.publish(address, node);
            if (address == null) {
                log.info("no node reports an InternalIP yet: kube-dns has no endpoints until one does");
            }
        } catch (RuntimeException e) {
            log.warn("publishing kube-dns failed ({}); retrying in {} ms", e.getMessage(), RETRY_MS);
            request(RETRY_MS);
        }
    }

    @Override
    public void close() {
        started = false;
        executor.shutdownNow();
    }
}
