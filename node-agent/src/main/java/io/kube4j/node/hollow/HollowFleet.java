package io.kube4j.node.hollow;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;

import io.kube4j.node.agent.NodeAgent;
import io.kube4j.node.config.PodLifecycleProperties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fabric8.kubernetes.api.model.Event;
import io.kube4j.client.KubeClient;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.util.Clock;
import io.kube4j.node.agent.NodeContext;
import io.kube4j.node.config.NodeAgentProperties;
import io.kube4j.node.runtime.hollow.HollowRuntime;
import io.kube4j.node.status.HostFacts;
import io.kube4j.node.status.NodeLeaseRenewer;
import io.kube4j.node.status.NodePressure;
import io.kube4j.node.status.NodeStatusManager;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Many hollow (simulated) nodes in one JVM, after kubemark: each node has its own {@link NodeContext} (name
 * {@code <prefix><i>}, pod CIDR {@code 10.<64+i/256>.<i%256>.0/24}, InternalIP {@code 10.255.<i/250>.<i%250+1>})
 * and a {@link HollowRuntime}, while all of them share ONE {@link KubeClient} (one connection pool), one scheduler,
 * one meter registry and one event recorder. What runs on each node is the {@code agentFactory}'s business:
 * {@link #statusAndLease()} registers the Node and renews its Lease; the full node agent plugs in the same way.
 */
public final class HollowFleet implements AutoCloseable {

    /** One started hollow node as the fleet sees it. */
    public interface HollowNode extends AutoCloseable {

        /** Starts the node's parts; must return at once (registration and the rest go on in the background). */
        void start();

        /** Stops them; the Node and its Lease stay in the apiserver. */
        @Override
        void close();
    }

    private static final Logger log = LoggerFactory.getLogger(HollowFleet.class);

    private final KubeClient client;
    private final NodeAgentProperties base;
    private final int count;
    private final MeterRegistry meters;
    private final HollowRuntime.Resources resources;
    private final Function<NodeContext, HollowNode> agentFactory;
    private final ScheduledExecutorService scheduler;
    private final EventRecorder events;
    private final Clock clock = Clock.system();
    private final List<NodeContext> contexts = new ArrayList<>();
    private final List<HollowNode> nodes = new ArrayList<>();

    /**
     * @param client       the one client every node shares
     * @param base         configuration shared by the nodes ({@code hollow.namePrefix}, lease, status intervals)
     * @param count        how many nodes
     * @param resources    what each node advertises
     * @param meters       the one registry every node reports to
     * @param agentFactory makes what runs on one node from its context
     */
    public HollowFleet(KubeClient client, NodeAgentProperties base, int count, HollowRuntime.Resources resources,
                       MeterRegistry meters, Function<NodeContext, HollowNode> agentFactory) {
        if (count < 0 || count > 64 * 256) {
            throw new IllegalArgumentException("a hollow fleet has 0 to 16384 nodes, got " + count);
        }
        this.client = Objects.requireNonNull(client);
        this.base = Objects.requireNonNull(base).withRuntime("hollow");
        this.count = count;
        this.resources = resources == null ? HollowRuntime.Resources.DEFAULT : resources;
        this.meters = Objects.requireNonNull(meters);
        this.agentFactory = Objects.requireNonNull(agentFactory);
        AtomicInteger ids = new AtomicInteger();
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(2, r -> {
            Thread t = new Thread(r, "hollow-fleet-timer-" + ids.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        s.setRemoveOnCancelPolicy(true);
        this.scheduler = s;
        this.events = new EventRecorder(client.resources(Event.class), "kubelet", "hollow-fleet");
    }

    /** The default node: a {@link NodeStatusManager} and a {@link NodeLeaseRenewer} whose first renewal is jittered. */
    public static Function<NodeContext, HollowNode> statusAndLease() {
        return ctx -> {
            // no node API: port 0 (its InternalIP 10.255.x.y is not on this machine; nothing may call it)
            NodeStatusManager status = new NodeStatusManager(ctx, 0,
                    () -> NodePressure.NONE, HostFacts.hollow(ctx.nodeName()));
            NodeLeaseRenewer lease = new NodeLeaseRenewer(ctx, status::currentNode);
            return new HollowNode() {
                @Override
                public void start() {
                    status.start();
                    // 1,000 nodes renewing every 10 s is 100 writes/s: spread them over the interval.
                    long interval = ctx.properties().lease().renewInterval().toMillis();
                    lease.start(Duration.ofMillis(ThreadLocalRandom.current().nextLong(Math.max(1, interval))));
                }

                @Override
                public void close() {
                    lease.stop();
                    status.stop();
                }
            };
        };
    }

    /**
     * Full node agents (pod sources with a per-node informer on {@code spec.nodeName}, pod workers, probes,
     * status, Lease) on the hollow runtime, without a node API server, syncing pods on {@code podWorkers}.
     */
    public static Function<NodeContext, HollowNode> fullAgents(PodLifecycleProperties lifecycle,
                                                               ExecutorService podWorkers) {
        return ctx -> {
            NodeAgent agent = new NodeAgent(ctx, lifecycle, podWorkers, false);
            return new HollowNode() {
                @Override
                public void start() {
                    agent.start();
                }

                @Override
                public void close() {
                    agent.close();
                }
            };
        };
    }

    /** The name of node {@code i}. */
    public String nodeName(int i) {
        return base.hollow().namePrefix() + i;
    }

    static String podCidr(int i) {
        return "10." + (64 + i / 256) + "." + (i % 256) + ".0/24";
    }

    static String nodeIp(int i) {
        return "10.255." + (i / 250) + "." + (i % 250 + 1);
    }

    /** Creates and starts every node; returns once all are started (registration continues in the background). */
    public synchronized void start() {
        Path root = base.rootPath().resolve("hollow");
        for (int i = 0; i < count; i++) {
            String name = nodeName(i);
            NodeAgentProperties p = base.withIdentity(name, podCidr(i), root.resolve(name).toString());
            HollowRuntime runtime = new HollowRuntime(name, nodeIp(i), p.podCidr(), p.hollow().startDelay(), clock,
                    resources);
            NodeContext ctx = new NodeContext(name, nodeIp(i), p, client, runtime, scheduler, events, meters, clock,
                    root.resolve(name));
            HollowNode node = agentFactory.apply(ctx);
            contexts.add(ctx);
            nodes.add(node);
            node.start();
        }
        log.info("hollow fleet started {} nodes ({}0..{}{}), {} CPUs / {} bytes memory each", count,
                base.hollow().namePrefix(), base.hollow().namePrefix(), count - 1, resources.cpus(),
                resources.memoryBytes());
    }

    /** The nodes' contexts, in index order. */
    public synchronized List<NodeContext> contexts() {
        return Collections.unmodifiableList(new ArrayList<>(contexts));
    }

    /** The nodes as the factory made them, in index order. */
    public synchronized List<HollowNode> nodes() {
        return Collections.unmodifiableList(new ArrayList<>(nodes));
    }

    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** Stops every node, the scheduler and the event recorder; the client belongs to the caller. */
    @Override
    public synchronized void close() {
        for (HollowNode n : nodes) {
            try {
                n.close();
            } catch (RuntimeException e) {
                log.warn("stopping a hollow node failed: {}", e.toString());
            }
        }
        for (NodeContext c : contexts) {
            c.runtime().close();
        }
        scheduler.shutdownNow();
        try {
            events.close(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
