package io.kube4j.node.status;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import io.kube4j.api.codec.Codecs;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.ResourceClient;
import io.kube4j.client.leaderelection.MicroTime;
import io.kube4j.node.agent.NodeContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * The node's heartbeat: the {@code coordination.k8s.io/v1} Lease {@code kube-node-lease/<node>}, after the kubelet's
 * node lease controller. Created when missing (with the namespace, which the apiserver does not create), owned by
 * the Node once its uid is known, and renewed every {@code lease.renewInterval} by updating the copy last written
 * (one request per renewal); a conflict re-reads it.
 */
public final class NodeLeaseRenewer {

    public static final String NAMESPACE = "kube-node-lease";
    /** Shared by every renewer of a registry (a fleet reports one distribution). */
    public static final String RENEW_TIMER = "kubelet_node_lease_renew_duration_seconds";
    public static final String RENEW_ERRORS = "kubelet_node_lease_renew_errors_total";

    private static final Logger log = LoggerFactory.getLogger(NodeLeaseRenewer.class);

    private final NodeContext ctx;
    private final Supplier<Node> node;
    private final ResourceClient<Lease> leases;
    private final ResourceClient<Namespace> namespaces;
    private final Timer renewTimer;
    private final Counter renewErrors;
    private final AtomicBoolean renewing = new AtomicBoolean();
    private volatile Lease lease;
    private volatile Instant lastRenewal;
    private volatile ScheduledFuture<?> ticker;
    private volatile boolean stopped;

    /** {@code node} gives the registered Node (or null until it is), for the Lease's ownerReference. */
    public NodeLeaseRenewer(NodeContext ctx, Supplier<Node> node) {
        this.ctx = Objects.requireNonNull(ctx);
        this.node = node == null ? () -> null : node;
        this.leases = ctx.client().resources(Lease.class);
        this.namespaces = ctx.client().resources(Namespace.class);
        this.renewTimer = Timer.builder(RENEW_TIMER).description("Node Lease renewal latency")
                .publishPercentiles(0.5, 0.99).register(ctx.meters());
        this.renewErrors = Counter.builder(RENEW_ERRORS).description("failed Node Lease renewals")
                .register(ctx.meters());
    }

    /** Renews now, then every renew interval. */
    public void start() {
        start(Duration.ZERO);
    }

    /** First renewal after {@code initialDelay} (a fleet spreads its nodes' renewals), then every renew interval. */
    public synchronized void start(Duration initialDelay) {
        if (ticker != null || stopped) {
            return;
        }
        long every = Math.max(1, ctx.properties().lease().renewInterval().toMillis());
        ticker = ctx.scheduler().scheduleAtFixedRate(this::tick, Math.max(0, initialDelay.toMillis()), every,
                TimeUnit.MILLISECONDS);
    }

    public synchronized void stop() {
        stopped = true;
        if (ticker != null) {
            ticker.cancel(false);
        }
    }

    /** When the Lease was last written (its renewTime); null before the first renewal. */
    public Instant lastRenewal() {
        return lastRenewal;
    }

    /** The Lease as last written. */
    public Lease currentLease() {
        return lease;
    }

    private void tick() {
        if (stopped || !renewing.compareAndSet(false, true)) {
            return; // the previous renewal is still on its way: do not pile up writes
        }
        long t0 = System.nanoTime();
        renew().doFinally(s -> renewing.set(false)).subscribe(
                l -> renewTimer.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS),
                e -> {
                    renewErrors.increment();
                    log.warn("node {}: lease renewal failed: {}", ctx.nodeName(), e.toString());
                });
    }

    /** One renewal: update the cached Lease, or read/create it; retried briefly on transient errors. */
    public Mono<Lease> renew() {
        // each attempt bounded as the kubelet's heartbeat client: a request stuck on a dead connection is given up
        // (and its connection with it) so that the retry, or the next renewal, goes out on a new one
        return Mono.defer(() -> renewOnce().timeout(NodeStatusManager.heartbeatTimeout(ctx.properties())))
                .retryWhen(Retry.backoff(3, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(2))
                        .filter(e -> !(e instanceof ApiStatusException a) || a.code() >= 500 || a.code() == 429
                                || a.code() == 409 || a.code() == 404))
                .doOnNext(l -> {
                    lease = l;
                    lastRenewal = MicroTime.parse(MicroTime.format(ctx.clock().now()));
                });
    }

    private Mono<Lease> renewOnce() {
        Lease known = lease;
        Mono<Lease> base = known != null ? Mono.just(known) : getOrCreate();
        return base.flatMap(l -> leases.update(renewed(l)))
                .onErrorResume(ApiStatusException.Conflict.class, e -> {
                    lease = null; // someone else wrote it: re-read and renew that
                    return leases.get(NAMESPACE, ctx.nodeName()).flatMap(l -> leases.update(renewed(l)));
                })
                .doOnError(ApiStatusException.NotFound.class, e -> lease = null);
    }

    private Mono<Lease> getOrCreate() {
        return leases.get(NAMESPACE, ctx.nodeName())
                .onErrorResume(ApiStatusException.NotFound.class, e -> create()
                        .onErrorResume(ApiStatusException.NotFound.class, nsMissing -> ensureNamespace().then(create())));
    }

    private Mono<Lease> create() {
        Lease l = new Lease();
        l.setApiVersion("coordination.k8s.io/v1");
        l.setKind("Lease");
        ObjectMeta m = new ObjectMeta();
        m.setName(ctx.nodeName());
        m.setNamespace(NAMESPACE);
        l.setMetadata(m);
        l.setSpec(new LeaseSpec());
        Lease desired = renewed(l);
        return leases.create(desired)
                .onErrorResume(ApiStatusException.AlreadyExists.class, e -> leases.get(NAMESPACE, ctx.nodeName()));
    }

    private Mono<Void> ensureNamespace() {
        Namespace ns = new Namespace();
        ns.setApiVersion("v1");
        ns.setKind("Namespace");
        ObjectMeta m = new ObjectMeta();
        m.setName(NAMESPACE);
        ns.setMetadata(m);
        return namespaces.create(ns)
                .doOnNext(x -> log.info("created namespace {}", NAMESPACE))
                .onErrorResume(ApiStatusException.AlreadyExists.class, e -> Mono.empty())
                .then();
    }

    /** A copy of {@code l} held by this node with renewTime now and the Node as owner (when known). */
    Lease renewed(Lease l) {
        Lease c = Codecs.json().convertValue(l, Lease.class);
        LeaseSpec s = c.getSpec() == null ? new LeaseSpec() : c.getSpec();
        s.setHolderIdentity(ctx.nodeName());
        s.setLeaseDurationSeconds((int) ctx.properties().lease().duration().toSeconds());
        s.setRenewTime(MicroTime.of(ctx.clock().now()));
        c.setSpec(s);
        Node n = node.get();
        if (n != null && n.getMetadata() != null && n.getMetadata().getUid() != null) {
            List<OwnerReference> owners = c.getMetadata().getOwnerReferences();
            boolean owned = owners != null && owners.stream()
                    .anyMatch(o -> "Node".equals(o.getKind()) && n.getMetadata().getUid().equals(o.getUid()));
            if (!owned) {
                OwnerReference o = new OwnerReference();
                o.setApiVersion("v1");
                o.setKind("Node");
                o.setName(ctx.nodeName());
                o.setUid(n.getMetadata().getUid());
                c.getMetadata().setOwnerReferences(List.of(o));
            }
        }
        return c;
    }
}
