package io.kube4j.e2e.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.EtcdServer;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.watch.WatchEvent;
import java.nio.file.Path;
import java.time.Instant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

/**
 * Issue 15: two replicas of the scheduler and of the controller manager, each its own JVM from its exec jar, elect a
 * leader on a Lease; the leader is killed with SIGKILL (no release: the standby must wait for the lease to expire).
 * Measured: the time from the kill to the standby holding the Lease and to its first effect (a bind, a pod created).
 * Checked with a watch opened before anything starts: no pod is ever bound twice or moved, every pod ends bound;
 * no ReplicaSet ever has more live pods than its replicas (+ maxSurge for a Deployment), and each creates exactly its
 * replicas' worth of pods over the whole failover.
 *
 * <p>A private etcd and apiserver: the shared ones of this JVM may be used by a cluster of another test whose
 * scheduler and controllers would act on these objects too.
 */
class LeaderFailoverIT {

    private static final Duration LEASE = Duration.ofSeconds(6);
    private static final Duration RENEW = Duration.ofSeconds(4);
    private static final Duration RETRY = Duration.ofSeconds(1);
    /** Candidates retry every retryPeriod plus up to 20 % jitter; allow for requests and a loaded machine too. */
    private static final Duration TAKEOVER_BOUND = LEASE.plus(RETRY).plusSeconds(2);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Path LOGS = Path.of("target", "leader-failover-logs");

    private static EtcdServer etcd;
    private static ApiServerInstance apiserver;
    private static KubeClient client;
    private final List<AutoCloseable> perTest = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void cluster() {
        etcd = new EtcdServer(); // skips (fails under KUBE4J_REQUIRE_ALL=1) without an etcd binary
        EtcdServer ours = etcd;
        // also when the JVM ends without @AfterAll (destroy again is harmless)
        Runtime.getRuntime().addShutdownHook(new Thread(ours::destroy, "leader-failover-etcd"));
        etcd.start();
        apiserver = ApiServerInstance.start(etcd.endpoint());
        client = KubeClient.create(ClientConfig.of(apiserver.url()));
        ensureNamespace("kube-system");
    }

    @AfterAll
    static void stopCluster() {
        if (client != null) {
            client.close();
        }
        if (apiserver != null) {
            apiserver.close();
        }
        if (etcd != null) {
            etcd.destroy();
        }
    }

    @AfterEach
    void stopChildren() {
        for (AutoCloseable c : perTest) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("[LeaderFailoverIT] cleanup: " + e);
            }
        }
        perTest.clear();
    }

    private static void ensureNamespace(String name) {
        try {
            client.resources(io.fabric8.kubernetes.api.model.Namespace.class)
                    .create(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
                    .block(Duration.ofSeconds(30));
        } catch (ApiStatusException.AlreadyExists exists) {
            // bootstrapped by the apiserver
        }
    }

    private static List<String> electionArgs(String prefix) {
        return List.of("--kube4j.client.server=" + apiserver.url(),
                "--" + prefix + ".leader-election.lease-duration=" + LEASE.toSeconds() + "s",
                "--" + prefix + ".leader-election.renew-deadline=" + RENEW.toSeconds() + "s",
                "--" + prefix + ".leader-election.retry-period=" + RETRY.toSeconds() + "s");
    }

    /** Two replicas, both ready, and which one holds the Lease. */
    private record Pair(ChildJvm leader, String leaderId, ChildJvm standby, String standbyId) {
    }

    private Pair startPair(String role, String module, String leaseName, List<String> args) throws Exception {
        Path jar = ChildJvm.execJar(module);
        ChildJvm a = ChildJvm.start(role + "-a", jar, LOGS, args);
        perTest.add(a);
        ChildJvm b = ChildJvm.start(role + "-b", jar, LOGS, args);
        perTest.add(b);
        a.awaitReady(START_TIMEOUT);
        b.awaitReady(START_TIMEOUT);
        String idA = a.identity(Duration.ofSeconds(10));
        String idB = b.identity(Duration.ofSeconds(10));
        String holder = await("a holder of kube-system/" + leaseName).atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100)).until(() -> holder(leaseName),
                        h -> idA.equals(h) || idB.equals(h));
        return idA.equals(holder) ? new Pair(a, idA, b, idB) : new Pair(b, idB, a, idA);
    }

    private static String holder(String leaseName) {
        Lease l = lease(leaseName);
        return l == null || l.getSpec() == null ? null : l.getSpec().getHolderIdentity();
    }

    /**
     * Kills the leader with SIGKILL, runs {@code duringFailover} once it is dead, and waits until the standby holds
     * the Lease: returns the ms from the kill. Also checks the takeover was safe: the standby acquired the lease no
     * earlier than the dead leader's last renewal + the lease duration (both written by the replicas, on this host's
     * clock).
     */
    private static long killAndAwaitTakeover(Pair pair, String leaseName, Runnable duringFailover)
            throws InterruptedException {
        long killedAt = System.nanoTime();
        pair.leader().kill();
        duringFailover.run();
        AtomicReference<Instant> lastRenewOfDead = new AtomicReference<>();
        Lease taken = await("the standby " + pair.standbyId() + " holding kube-system/" + leaseName)
                .atMost(TAKEOVER_BOUND.plusSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    Lease l = lease(leaseName);
                    if (l != null && pair.leaderId().equals(l.getSpec().getHolderIdentity())) {
                        Instant renewed = l.getSpec().getRenewTime().toInstant();
                        lastRenewOfDead.accumulateAndGet(renewed, (a, b) -> a == null || b.isAfter(a) ? b : a);
                    }
                    return l;
                }, l -> l != null && pair.standbyId().equals(l.getSpec().getHolderIdentity()));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        assertThat(lastRenewOfDead.get()).as("the dead leader's last renewal, seen after the kill").isNotNull();
        assertThat(taken.getSpec().getAcquireTime().toInstant()).as("the standby's acquireTime")
                .isAfterOrEqualTo(lastRenewOfDead.get().plus(LEASE));
        assertThat(taken.getSpec().getLeaseTransitions()).isPositive();
        return ms;
    }

    private static Lease lease(String leaseName) {
        try {
            return client.resources(Lease.class).get("kube-system", leaseName).block(Duration.ofSeconds(10));
        } catch (ApiStatusException.NotFound notYet) {
            return null;
        }
    }

    private static String list(String namespace, Class<? extends HasMetadata> type) {
        return client.resources(type).list(namespace, ListOptions.all()).block(Duration.ofSeconds(30))
                .getMetadata().getResourceVersion();
    }

    // ------------------------------------------------------------------------------------------------------------
    // scheduler
    // ------------------------------------------------------------------------------------------------------------

    /** Every nodeName transition of the namespace's pods, from a watch opened before any pod exists. */
    private static final class BindRecorder {
        final Map<String, String> nodeOf = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> binds = new ConcurrentHashMap<>();
        final Map<String, Long> boundAt = new ConcurrentHashMap<>();
        final List<String> violations = new CopyOnWriteArrayList<>();

        void on(WatchEvent<Pod> e) {
            if (e.type() == WatchEvent.Type.BOOKMARK) {
                return;
            }
            Pod pod = e.object();
            String name = pod.getMetadata().getName();
            String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
            if (e.type() == WatchEvent.Type.DELETED) {
                violations.add(name + " was deleted");
                return;
            }
            if (node == null || node.isEmpty()) {
                if (nodeOf.containsKey(name)) {
                    violations.add(name + " lost its node " + nodeOf.get(name));
                }
                return;
            }
            String before = nodeOf.putIfAbsent(name, node);
            if (before == null) {
                boundAt.put(name, System.nanoTime());
                binds.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
            } else if (!before.equals(node)) {
                binds.get(name).incrementAndGet();
                violations.add(name + " moved from " + before + " to " + node);
            }
        }

        long doubleBinds() {
            return binds.values().stream().filter(n -> n.get() > 1).count();
        }
    }

    @Test
    void theStandbySchedulerTakesOverAndNoPodIsBoundTwice() throws Exception {
        long started = System.nanoTime();
        String ns = "failover-scheduler";
        ensureNamespace(ns);
        for (int i = 0; i < 3; i++) {
            readyNode("failover-node-" + i);
        }
        BindRecorder recorder = new BindRecorder();
        AtomicBoolean watchFailed = new AtomicBoolean();
        Disposable watch = client.resources(Pod.class).watch(ns, ListOptions.all(), list(ns, Pod.class))
                .subscribe(recorder::on, err -> {
                    watchFailed.set(true);
                    recorder.violations.add("the pod watch ended: " + err);
                });
        perTest.add(watch::dispose);

        List<String> args = new ArrayList<>(electionArgs("kube4j.scheduler"));
        Pair pair = startPair("scheduler", "scheduler-service", "kube-scheduler", args);

        // pods at a steady rate, before, during and after the failover
        Map<String, Long> createdAt = new ConcurrentHashMap<>();
        AtomicInteger seq = new AtomicInteger();
        AtomicLong createErrors = new AtomicLong();
        ScheduledExecutorService creator = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pod-creator");
            t.setDaemon(true);
            return t;
        });
        perTest.add(creator::shutdownNow);
        creator.scheduleAtFixedRate(() -> {
            String name = String.format("p-%04d", seq.getAndIncrement());
            long at = System.nanoTime();
            try {
                client.resources(Pod.class).create(pod(ns, name)).block(Duration.ofSeconds(20));
                createdAt.put(name, at);
            } catch (RuntimeException e) {
                createErrors.incrementAndGet();
                System.err.println("[LeaderFailoverIT] creating " + name + ": " + e);
            }
        }, 0, 125, TimeUnit.MILLISECONDS);

        // the leader schedules
        await("the first pods bound by the leader").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> recorder.nodeOf.size() >= 10);

        long killedAt = System.nanoTime();
        AtomicLong deadAt = new AtomicLong(Long.MAX_VALUE);
        long takeoverMs = killAndAwaitTakeover(pair, "kube-scheduler", () -> deadAt.set(System.nanoTime()));
        // the first bind of a pod created once the old leader was dead: only the new leader can have bound it
        long firstBindMs = await("a pod created after the kill bound").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(20)).until(() -> createdAt.entrySet().stream()
                        .filter(c -> c.getValue() > deadAt.get() && recorder.boundAt.containsKey(c.getKey()))
                        .mapToLong(c -> recorder.boundAt.get(c.getKey()) - killedAt).min(),
                        m -> m.isPresent()).getAsLong() / 1_000_000;
        // keep creating a little longer under the new leader, then stop and let everything bind
        await().atMost(Duration.ofSeconds(30)).until(() -> createdAt.values().stream()
                .filter(t -> t > killedAt + TimeUnit.MILLISECONDS.toNanos(takeoverMs)).count() >= 10);
        creator.shutdown();
        assertThat(creator.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        int pods = createdAt.size();
        await("all " + pods + " pods bound").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> recorder.nodeOf.keySet().containsAll(createdAt.keySet()));
        // the apiserver agrees with what the watch saw
        List<Pod> stored = client.resources(Pod.class).list(ns, ListOptions.all()).block(Duration.ofSeconds(30))
                .getItems();
        assertThat(stored).hasSize(pods).allSatisfy(p -> assertThat(p.getSpec().getNodeName())
                .isEqualTo(recorder.nodeOf.get(p.getMetadata().getName())));

        long doubleBinds = recorder.doubleBinds();
        System.out.printf("[LeaderFailoverIT] scheduler takeover %d ms, first bind after kill %d ms, pods %d,"
                + " double binds %d (lease %d s, retry %d s; test %d s)%n", takeoverMs, firstBindMs, pods, doubleBinds,
                LEASE.toSeconds(), RETRY.toSeconds(), TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
        assertThat(recorder.violations).as("nodeName transitions").isEmpty();
        assertThat(watchFailed).isFalse();
        assertThat(doubleBinds).isZero();
        assertThat(createErrors.get()).as("pod creation errors").isZero();
        assertThat(pair.standby().isAlive()).isTrue();
        assertThat(takeoverMs).as("scheduler takeover (ms)").isLessThanOrEqualTo(TAKEOVER_BOUND.toMillis());
        assertThat(firstBindMs).as("first bind after the kill (ms)")
                .isLessThanOrEqualTo(TAKEOVER_BOUND.plusSeconds(1).toMillis());
    }

    private static void readyNode(String name) {
        Map<String, Quantity> resources = Map.of("cpu", new Quantity("64"), "memory", new Quantity("256Gi"),
                "pods", new Quantity("1000"));
        Node node = new NodeBuilder().withNewMetadata().withName(name)
                .addToLabels("kubernetes.io/hostname", name).endMetadata()
                .withNewStatus().withCapacity(resources).withAllocatable(resources)
                .addNewCondition().withType("Ready").withStatus("True").withReason("KubeletReady").endCondition()
                .endStatus().build();
        Node created = client.resources(Node.class).create(node).block(Duration.ofSeconds(30));
        if (created.getStatus() == null || created.getStatus().getConditions() == null
                || created.getStatus().getConditions().isEmpty()) {
            created.setStatus(node.getStatus());
            client.resources(Node.class).updateStatus(created).block(Duration.ofSeconds(30));
        }
    }

    private static Pod pod(String ns, String name) {
        return new PodBuilder().withNewMetadata().withNamespace(ns).withName(name).addToLabels("app", "failover")
                .endMetadata().withNewSpec().addNewContainer().withName("c").withImage("registry.k8s.io/pause:3.9")
                .endContainer().endSpec().build();
    }

    // ------------------------------------------------------------------------------------------------------------
    // controller manager
    // ------------------------------------------------------------------------------------------------------------

    /** Live (not terminating) pods per value of the "app" label, checked against a limit on every event. */
    private static final class PodCounter {
        final Map<String, Set<String>> live = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> added = new ConcurrentHashMap<>();
        final Map<String, Integer> max = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> limit = new ConcurrentHashMap<>();
        final List<String> violations = new CopyOnWriteArrayList<>();
        final AtomicLong firstAddedAfter = new AtomicLong();
        volatile long since = Long.MAX_VALUE;

        synchronized void on(WatchEvent<Pod> e) {
            if (e.type() == WatchEvent.Type.BOOKMARK) {
                return;
            }
            Pod pod = e.object();
            String app = pod.getMetadata().getLabels() == null ? "?" : pod.getMetadata().getLabels().get("app");
            String name = pod.getMetadata().getName();
            Set<String> pods = live.computeIfAbsent(app, a -> ConcurrentHashMap.newKeySet());
            if (e.type() == WatchEvent.Type.ADDED) {
                added.computeIfAbsent(app, a -> new AtomicInteger()).incrementAndGet();
                long now = System.nanoTime();
                if (now > since) {
                    firstAddedAfter.compareAndSet(0, now);
                }
            }
            if (e.type() == WatchEvent.Type.DELETED || pod.getMetadata().getDeletionTimestamp() != null) {
                pods.remove(name);
            } else {
                pods.add(name);
            }
            max.merge(app, pods.size(), Math::max);
            AtomicInteger allowed = limit.get(app);
            if (allowed == null || pods.size() > allowed.get()) {
                violations.add(app + ": " + pods.size() + " live pods, allowed " + allowed + " (" + e.type() + " "
                        + name + ")");
            }
        }

        int live(String app) {
            return live.getOrDefault(app, Set.of()).size();
        }

        int added(String app) {
            AtomicInteger n = added.get(app);
            return n == null ? 0 : n.get();
        }
    }

    @Test
    void theStandbyControllerManagerTakesOverAndNoReplicaSetOverCreates() throws Exception {
        long started = System.nanoTime();
        String ns = "failover-controllers";
        ensureNamespace(ns);
        PodCounter counter = new PodCounter();
        int rsBefore = 4;
        int rsAfter = 10;
        int deployBefore = 4;
        int deployAfter = 8;
        int maxSurge = 1;
        counter.limit.put("rs", new AtomicInteger(rsBefore));
        counter.limit.put("web", new AtomicInteger(deployBefore + maxSurge));
        AtomicBoolean watchFailed = new AtomicBoolean();
        Disposable watch = client.resources(Pod.class).watch(ns, ListOptions.all(), list(ns, Pod.class))
                .subscribe(counter::on, err -> {
                    watchFailed.set(true);
                    counter.violations.add("the pod watch ended: " + err);
                });
        perTest.add(watch::dispose);

        List<String> args = new ArrayList<>(electionArgs("kube4j.controller"));
        args.add("--kube4j.controller.controllers=replicaset,deployment");
        Pair pair = startPair("controller-manager", "controller-service", "kube-controller-manager", args);

        client.resources(ReplicaSet.class).create(new ReplicaSetBuilder().withNewMetadata().withNamespace(ns)
                .withName("rs").endMetadata().withNewSpec().withReplicas(rsBefore).withNewSelector()
                .addToMatchLabels("app", "rs").endSelector().withTemplate(template("rs")).endSpec().build())
                .block(Duration.ofSeconds(30));
        client.resources(Deployment.class).create(new DeploymentBuilder().withNewMetadata().withNamespace(ns)
                .withName("web").endMetadata().withNewSpec().withReplicas(deployBefore).withNewSelector()
                .addToMatchLabels("app", "web").endSelector().withTemplate(template("web")).withNewStrategy()
                .withType("RollingUpdate").withNewRollingUpdate()
                .withNewMaxSurge(maxSurge).withNewMaxUnavailable(0).endRollingUpdate().endStrategy().endSpec().build())
                .block(Duration.ofSeconds(30));
        await("the leader's pods").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> counter.live("rs") == rsBefore && counter.live("web") == deployBefore);

        long killedAt = System.nanoTime();
        counter.since = killedAt;
        // scale up while nobody leads: the new leader must create exactly the difference
        long takeoverMs = killAndAwaitTakeover(pair, "kube-controller-manager", () -> {
            counter.limit.get("rs").set(rsAfter);
            counter.limit.get("web").set(deployAfter + maxSurge);
            client.resources(ReplicaSet.class).updateWithRetry(ns, "rs", r -> {
                r.getSpec().setReplicas(rsAfter);
                return r;
            }, false).block(Duration.ofSeconds(30));
            client.resources(Deployment.class).updateWithRetry(ns, "web", d -> {
                d.getSpec().setReplicas(deployAfter);
                return d;
            }, false).block(Duration.ofSeconds(30));
        });
        await("the new leader's first pod").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                .until(() -> counter.firstAddedAfter.get() != 0);
        long firstPodMs = TimeUnit.NANOSECONDS.toMillis(counter.firstAddedAfter.get() - killedAt);

        await("scaled up").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> counter.live("rs") == rsAfter && counter.live("web") == deployAfter);
        // settled: the controllers have seen their objects' last generation and report the replicas they made
        await("ReplicaSet and Deployment status").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    ReplicaSet rs = client.resources(ReplicaSet.class).get(ns, "rs").block(Duration.ofSeconds(10));
                    Deployment d = client.resources(Deployment.class).get(ns, "web").block(Duration.ofSeconds(10));
                    return rs.getStatus() != null && Objects.equals(rs.getStatus().getReplicas(), rsAfter)
                            && Objects.equals(rs.getStatus().getObservedGeneration(), rs.getMetadata().getGeneration())
                            && d.getStatus() != null && Objects.equals(d.getStatus().getReplicas(), deployAfter)
                            && Objects.equals(d.getStatus().getObservedGeneration(), d.getMetadata().getGeneration());
                });
        List<Pod> stored = client.resources(Pod.class).list(ns, ListOptions.all()).block(Duration.ofSeconds(30))
                .getItems();

        System.out.printf("[LeaderFailoverIT] controller-manager takeover %d ms, first pod created after kill %d ms,"
                + " ReplicaSet pods created %d (replicas %d->%d, max live %d), Deployment pods created %d"
                + " (replicas %d->%d, max live %d), over-creations %d (test %d s)%n", takeoverMs, firstPodMs,
                counter.added("rs"), rsBefore, rsAfter, counter.max.get("rs"), counter.added("web"), deployBefore,
                deployAfter, counter.max.get("web"), counter.violations.size(),
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
        assertThat(counter.violations).as("live pods above replicas (+ maxSurge)").isEmpty();
        assertThat(watchFailed).isFalse();
        // nothing was ever deleted, so pods created == replicas: not one surplus pod was made (and removed again)
        assertThat(counter.added("rs")).as("pods the ReplicaSet created").isEqualTo(rsAfter);
        assertThat(counter.added("web")).as("pods the Deployment created").isEqualTo(deployAfter);
        assertThat(stored).hasSize(rsAfter + deployAfter);
        assertThat(pair.standby().isAlive()).isTrue();
        assertThat(takeoverMs).as("controller-manager takeover (ms)").isLessThanOrEqualTo(TAKEOVER_BOUND.toMillis());
        // the new leader starts its informers when elected: allow for their sync on top of the takeover
        assertThat(firstPodMs).as("first pod created after the kill (ms)")
                .isLessThanOrEqualTo(TAKEOVER_BOUND.plusSeconds(5).toMillis());
    }

    private static PodTemplateSpec template(String app) {
        return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", app).endMetadata().withNewSpec()
                .addNewContainer().withName("c").withImage("registry.k8s.io/pause:3.9").endContainer().endSpec()
                .build();
    }
}
