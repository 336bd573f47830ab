package io.kube4j.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetStatus;
import io.kube4j.apiserver.testsupport.EtcdServer;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.util.Clock;
import io.kube4j.client.watch.WatchEvent;
import io.kube4j.controller.manager.ControllerContext;
import io.kube4j.controller.manager.ControllerFactory;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.node.hollow.HollowFleetApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.convert.ApplicationConversionService;
import reactor.core.Disposable;

/**
 * The controllers under load, as the benchmark: a Deployment of {@code -Dreplicas=1000} on
 * {@code -Dnodes=200} hollow nodes. etcd and the apiserver (own JVM), a hollow fleet of FULL node agents (pods go
 * Running and Ready, graceful deletes complete) in its own JVM from this module's classpath, the scheduler in its
 * own JVM from its exec jar, and the controller manager in this JVM with just the ReplicaSet and Deployment
 * controllers ({@link ControllerManager}, settings {@code -Dkube4j.controller.<name>.*} with Kubernetes' defaults),
 * so that each role's CPU time is measured apart.
 * <ol>
 * <li>Phase 1: create the Deployment; time until {@code status.availableReplicas == updatedReplicas == replicas}
 * (observedGeneration current), with when the last pod was created, scheduled, Running and Ready (from a pod watch).
 * <li>Phase 2: change the pod template (an env var and the image tag); time until the rollout completes
 * (observedGeneration current, updated = available = replicas, no old pods in the status) and until the last old
 * pod is gone; the default RollingUpdate 25%/25%; prints the peak of non-terminating pods and the fewest Ready ones.
 * </ol>
 * Each phase prints the apiserver's write requests ({@code apiserver_request_total} of the write verbs, scraped from
 * its {@code /actuator/prometheus} before and after) in total, per second and by resource, the CPU seconds of every
 * process, and the controllers' work-queue latency ({@code workqueue_queue_duration_seconds}, the time a key waits
 * in the queue) and work duration (exact p50/p90/p99/max over the phase's samples, per queue).
 * {@code -Dmode=replicaset} runs a bare ReplicaSet instead (phase 2: scale it to 0); {@code -Dmode=pods} the floor
 * without controllers: the same pods created by the benchmark with {@code -Dconcurrency=16} requests in flight
 * (phase 2: delete them). Every wait stops after {@code -Dtimeout.s=300}; the benchmark then reports and exits.
 */
public final class DeploymentBenchmark {

    private static final String NAME = "bench";
    private static final String NODE_PREFIX = "bench-hollow-";

    private DeploymentBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int nodes = BenchSupport.intProp("nodes", 200);
        int replicas = BenchSupport.intProp("replicas", 1000);
        int timeoutS = BenchSupport.intProp("timeout.s", 300);
        int concurrency = BenchSupport.intProp("concurrency", 16);
        String mode = System.getProperty("mode", "deployment");
        if (!List.of("deployment", "replicaset", "pods").contains(mode)) {
            throw new IllegalArgumentException("-Dmode must be deployment, replicaset or pods, got " + mode);
        }
        Duration timeout = Duration.ofSeconds(timeoutS);
        String loadBefore = SchedulerWorkload.loadAverage();
        Path logs = Files.createTempDirectory("kube4j-deploy-bench");
        EtcdServer etcd = BenchSupport.startEtcd();
        ProcessHandle etcdProcess = ProcessHandle.current().children()
                .filter(p -> p.info().command().map(c -> c.endsWith("etcd")).orElse(false)).findFirst().orElse(null);
        JvmProcess fleet = null;
        JvmProcess scheduler = null;
        ControllerManager manager = null;
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-progress");
            t.setDaemon(true);
            return t;
        });
        try (ApiServerProcess api = ApiServerProcess.start(etcd.endpoint(), logs);
             KubeClient observer = KubeClient.create(ClientConfig.of(api.url()));
             KubeClient controllerClient = KubeClient.create(ClientConfig.of(api.url()))) {
            try {
                System.out.printf(Locale.ROOT, "controller benchmark (%s): %d replicas on %d hollow nodes; timeout %d s per"
                        + " wait; load average before: %s%n", mode, replicas, nodes, timeoutS, loadBefore);
                System.out.println("  " + SchedulerWorkload.jvm() + "; " + BenchSupport.storageNote(etcd) + "; logs in "
                        + logs);

                // ---- the hollow fleet and the scheduler, each in its own JVM, started together
                long f0 = System.nanoTime();
                fleet = JvmProcess.start("fleet", System.getProperty("fleet.jvmArgs", "-Xms256m -Xmx2g"), List.of(
                        "-cp", JvmProcess.classpathOf(HollowFleetApplication.class),
                        "-Dkube4j.node.hollow.nodes=" + nodes, "-Dkube4j.node.hollow.name-prefix=" + NODE_PREFIX,
                        "-Dkube4j.node.root-dir=" + logs.resolve("fleet"),
                        HollowFleetApplication.class.getName(), api.url()), logs);
                // a single scheduler replica: no leader election
                int schedulerPort = JvmProcess.freePort();
                scheduler = JvmProcess.start("scheduler", System.getProperty("scheduler.jvmArgs", "-Xms128m -Xmx1g"),
                        List.of("-jar", JvmProcess.findExecJar("scheduler-service", "scheduler.jar").toString(),
                                "--server.address=127.0.0.1", "--server.port=" + schedulerPort,
                                "--kube4j.client.server=" + api.url(),
                                "--kube4j.scheduler.leader-election.enabled=false"), logs);
                fleet.awaitCondition(() -> readyNodes(observer) >= nodes, timeout, nodes + " Ready nodes");
                System.out.printf(Locale.ROOT, "  %d hollow nodes (full agents, pid %d) Ready in %.1f s%n", nodes,
                        fleet.pid(), (System.nanoTime() - f0) / 1e9);
                scheduler.awaitHttpOk("http://127.0.0.1:" + schedulerPort + "/actuator/health", timeout);
                System.out.printf(Locale.ROOT, "  scheduler (pid %d) up after %.1f s%n", scheduler.pid(),
                        (System.nanoTime() - f0) / 1e9);

                // ---- the controllers, in this JVM
                SampledMeterRegistry meters = new SampledMeterRegistry("workqueue_");
                List<ControllerFactory> factories = controllerFactories(mode);
                manager = new ControllerManager(ControllerContext.of(controllerClient, Duration.ZERO, meters,
                        Clock.system()), factories, factories.stream().map(ControllerFactory::name).toList());
                manager.start();
                if (!manager.waitForCacheSync(Duration.ofMinutes(2))) {
                    throw new IllegalStateException("the controllers' informers did not sync within 2 minutes");
                }
                System.out.printf(Locale.ROOT, "  controllers in this JVM: %s; apiserver pid %d (%s)%n",
                        manager.controllerNames(), api.pid(), System.getProperty("apiserver.jvmArgs", "-Xms256m -Xmx1g"));

                String ns = "bench-deploy";
                observer.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(ns)
                        .endMetadata().build()).block(Duration.ofSeconds(30));
                Cluster cluster = new Cluster(api, etcdProcess, fleet, scheduler, meters);
                PodTracker pods = PodTracker.watch(observer, ns);
                AtomicReference<HasMetadata> owner = new AtomicReference<>();
                Disposable ownerWatch = watchOwner(observer, ns, mode, owner, pods);

                // ---- phase 1: create
                boolean hasOwner = !mode.equals("pods");
                Phase p1 = new Phase("phase 1: create " + describe(mode, replicas), replicas, hasOwner, owner);
                pods.begin(p1, cluster);
                pods.ownerCheck(p1, o -> ownerDone(o, replicas, Long.MIN_VALUE));
                Thread creator = null;
                switch (mode) {
                    case "deployment" -> observer.resources(Deployment.class).create(deployment(ns, replicas))
                            .block(Duration.ofSeconds(30));
                    case "replicaset" -> observer.resources(ReplicaSet.class).create(replicaSet(ns, replicas))
                            .block(Duration.ofSeconds(30));
                    default -> creator = createPods(observer, ns, replicas, concurrency);
                }
                boolean ok = run(p1, pods, cluster, ticker, timeout);
                if (creator != null) {
                    creator.join(timeout.toMillis());
                }
                if (owner.get() instanceof Deployment d && d.getSpec().getStrategy() != null) {
                    var st = d.getSpec().getStrategy();
                    var ru = st.getRollingUpdate();
                    System.out.println("  strategy (as defaulted by the apiserver): " + st.getType() + (ru == null ? ""
                            : " maxSurge " + intOrString(ru.getMaxSurge()) + " maxUnavailable "
                            + intOrString(ru.getMaxUnavailable())));
                }

                // ---- phase 2: roll out a new template (deployment), scale to 0 (replicaset), delete (pods)
                if (ok) {
                    Phase p2 = switch (mode) {
                        case "deployment" -> new Phase("phase 2: rolling update of " + replicas + " replicas", replicas,
                                true, owner);
                        case "replicaset" -> new Phase("phase 2: scale the ReplicaSet to 0", 0, true, owner);
                        default -> new Phase("phase 2: delete the " + replicas + " pods", 0, false, owner);
                    };
                    pods.begin(p2, cluster);
                    switch (mode) {
                        case "deployment" -> {
                            Deployment updated = observer.resources(Deployment.class).updateWithRetry(ns, NAME, d -> {
                                d.getSpec().setTemplate(template("2"));
                                return d;
                            }, false).block(Duration.ofSeconds(30));
                            long generation = updated.getMetadata().getGeneration();
                            pods.ownerCheck(p2, o -> ownerDone(o, replicas, generation));
                        }
                        case "replicaset" -> {
                            ReplicaSet updated = observer.resources(ReplicaSet.class).updateWithRetry(ns, NAME, rs -> {
                                rs.getSpec().setReplicas(0);
                                return rs;
                            }, false).block(Duration.ofSeconds(30));
                            long generation = updated.getMetadata().getGeneration();
                            pods.ownerCheck(p2, o -> ownerDone(o, 0, generation));
                        }
                        default -> creator = deletePods(observer, ns, replicas, concurrency);
                    }
                    run(p2, pods, cluster, ticker, timeout);
                    if (creator != null) {
                        creator.join(timeout.toMillis());
                    }
                }
                ownerWatch.dispose();
                pods.close();
                System.out.printf(Locale.ROOT, "load average after: %s%n", SchedulerWorkload.loadAverage());
            } finally {
                // the roles stop before the apiserver does, so that none of them logs a lost connection
                ticker.shutdownNow();
                if (manager != null) {
                    manager.stop();
                }
                if (scheduler != null) {
                    scheduler.close();
                }
                if (fleet != null) {
                    fleet.close();
                }
            }
        } finally {
            etcd.destroy();
        }
        System.exit(0);
    }

    /**
     * The controllers {@code mode} needs (deployment: ReplicaSet and Deployment; replicaset: ReplicaSet; pods: none),
     * with their settings from {@code -Dkube4j.controller.<name>.*}.
     */
    private static List<ControllerFactory> controllerFactories(String mode) {
        List<ControllerFactory> f = new java.util.ArrayList<>();
        if (!mode.equals("pods")) {
            f.add(new io.kube4j.controller.replicaset.ReplicaSetControllerFactory(bind("kube4j.controller.replicaset",
                    io.kube4j.controller.replicaset.ReplicaSetControllerProperties.class)));
        }
        if (mode.equals("deployment")) {
            f.add(new io.kube4j.controller.deployment.DeploymentControllerFactory(bind("kube4j.controller.deployment",
                    io.kube4j.controller.deployment.DeploymentControllerProperties.class)));
        }
        return f;
    }

    /** {@code type} bound from the system properties under {@code prefix}, with its defaults, as the application would. */
    private static <T> T bind(String prefix, Class<T> type) {
        Map<String, String> sys = new HashMap<>();
        System.getProperties().forEach((k, v) -> sys.put(k.toString(), v.toString()));
        return new Binder(List.of(new MapConfigurationPropertySource(sys)), null,
                ApplicationConversionService.getSharedInstance()).bindOrCreate(prefix, type);
    }

    private static String describe(String mode, int replicas) {
        return switch (mode) {
            case "deployment" -> "a Deployment of " + replicas + " replicas";
            case "replicaset" -> "a ReplicaSet of " + replicas + " replicas";
            default -> replicas + " bare pods (no controllers: the floor)";
        };
    }

    // ------------------------------------------------------------------ the workload

    /** The pod template: one container with requests (the hollow nodes fit 1000 of them easily), revision {@code rev}. */
    static PodTemplateSpec template(String rev) {
        return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", NAME).endMetadata()
                .withNewSpec().addToContainers(container(rev)).endSpec().build();
    }

    private static Container container(String rev) {
        return new ContainerBuilder().withName("app").withImage("registry.example.com/team/app:1." + rev)
                .withEnv(new EnvVar("REVISION", rev, null))
                .withNewResources().addToRequests("cpu", new Quantity("100m"))
                .addToRequests("memory", new Quantity("128Mi")).endResources().build();
    }

    private static Deployment deployment(String ns, int replicas) {
        // strategy left out: the apiserver defaults it to RollingUpdate with maxSurge 25%, maxUnavailable 25%
        return new DeploymentBuilder().withNewMetadata().withName(NAME).withNamespace(ns).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", NAME).endSelector()
                .withTemplate(template("1")).endSpec().build();
    }

    private static ReplicaSet replicaSet(String ns, int replicas) {
        return new ReplicaSetBuilder().withNewMetadata().withName(NAME).withNamespace(ns).endMetadata()
                .withNewSpec().withReplicas(replicas).withNewSelector().addToMatchLabels("app", NAME).endSelector()
                .withTemplate(template("1")).endSpec().build();
    }

    /** Mode pods: creates the pods from a thread of its own, {@code concurrency} requests in flight. */
    private static Thread createPods(KubeClient client, String ns, int replicas, int concurrency) {
        PodTemplateSpec t = template("1");
        return background("bench-creator", () -> report("creates", BenchSupport.closedLoop(replicas, concurrency,
                i -> client.resources(Pod.class).create(new PodBuilder().withNewMetadata().withName(NAME + "-" + i)
                                .withNamespace(ns).withLabels(t.getMetadata().getLabels()).endMetadata()
                                .withSpec(t.getSpec()).build())
                        .map(x -> "").toFuture().thenApply(x -> (String) null))));
    }

    /** Mode pods: deletes the pods (gracefully, as a controller does) from a thread of its own. */
    private static Thread deletePods(KubeClient client, String ns, int replicas, int concurrency) {
        return background("bench-deleter", () -> report("deletes", BenchSupport.closedLoop(replicas, concurrency,
                i -> client.resources(Pod.class).delete(ns, NAME + "-" + i, DeleteOptions.defaults())
                        .map(x -> "").toFuture().thenApply(x -> (String) null))));
    }

    private interface Work {
        void run() throws Exception;
    }

    private static Thread background(String name, Work work) {
        Thread t = new Thread(() -> {
            try {
                work.run();
            } catch (Exception e) {
                System.out.println("  " + name + " failed: " + e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void report(String what, BenchSupport.Run r) {
        System.out.printf(Locale.ROOT, "  (the benchmark's %s: %.0f/s, %s, %d failures%s)%n", what, r.opsPerSecond(),
                r.latencySummary(), r.failures(), r.firstFailure() == null ? "" : ": " + r.firstFailure());
    }

    private static long readyNodes(KubeClient client) {
        return client.resources(Node.class).list(null, ListOptions.all()).block(Duration.ofSeconds(30)).getItems()
                .stream().filter(n -> n.getMetadata().getName().startsWith(NODE_PREFIX))
                .filter(n -> n.getStatus() != null && n.getStatus().getConditions() != null
                        && n.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType())
                        && "True".equals(c.getStatus())))
                .count();
    }

    // ------------------------------------------------------------------ the owner (Deployment or ReplicaSet)

    private static Disposable watchOwner(KubeClient client, String ns, String mode, AtomicReference<HasMetadata> owner,
            PodTracker pods) {
        Class<? extends HasMetadata> type = mode.equals("deployment") ? Deployment.class
                : mode.equals("replicaset") ? ReplicaSet.class : null;
        if (type == null) {
            return () -> { };
        }
        String rv = client.resources(type).list(ns, ListOptions.all()).block(Duration.ofSeconds(30)).getMetadata()
                .getResourceVersion();
        return client.resources(type).watch(ns, ListOptions.all(), rv).subscribe(ev -> {
            if (ev.object() != null && NAME.equals(ev.object().getMetadata().getName())
                    && ev.type() != WatchEvent.Type.BOOKMARK) {
                owner.set(ev.object());
                pods.ownerChanged();
            }
        });
    }

    /**
     * Whether the owner has converged on {@code replicas}: its controller saw generation {@code generation} (or the
     * current one) and every replica is updated and available, with no others left in its status.
     */
    static boolean ownerDone(HasMetadata o, int replicas, long generation) {
        if (o == null) {
            return false;
        }
        long gen = Math.max(generation, o.getMetadata().getGeneration() == null ? 0 : o.getMetadata().getGeneration());
        if (o instanceof Deployment d) {
            DeploymentStatus s = d.getStatus();
            return s != null && n(s.getObservedGeneration()) >= gen && n(s.getUpdatedReplicas()) == replicas
                    && n(s.getAvailableReplicas()) == replicas && n(s.getReplicas()) == replicas;
        }
        if (o instanceof ReplicaSet rs) {
            ReplicaSetStatus s = rs.getStatus();
            return s != null && n(s.getObservedGeneration()) >= gen && n(s.getReplicas()) == replicas
                    && n(s.getAvailableReplicas()) == replicas;
        }
        return false;
    }

    static String ownerStatus(HasMetadata o) {
        if (o instanceof Deployment d && d.getStatus() != null) {
            DeploymentStatus s = d.getStatus();
            return String.format(Locale.ROOT, "deployment gen %d/%d replicas %d updated %d ready %d available %d",
                    n(s.getObservedGeneration()), n(d.getMetadata().getGeneration()), n(s.getReplicas()),
                    n(s.getUpdatedReplicas()), n(s.getReadyReplicas()), n(s.getAvailableReplicas()));
        }
        if (o instanceof ReplicaSet rs && rs.getStatus() != null) {
            ReplicaSetStatus s = rs.getStatus();
            return String.format(Locale.ROOT, "replicaset gen %d/%d replicas %d ready %d available %d",
                    n(s.getObservedGeneration()), n(rs.getMetadata().getGeneration()), n(s.getReplicas()),
                    n(s.getReadyReplicas()), n(s.getAvailableReplicas()));
        }
        return o == null ? "no owner" : "owner without status";
    }

    private static String intOrString(io.fabric8.kubernetes.api.model.IntOrString v) {
        return v == null ? "unset" : v.getIntVal() != null ? v.getIntVal().toString() : v.getStrVal();
    }

    private static long n(Number v) {
        return v == null ? 0 : v.longValue();
    }

    // ------------------------------------------------------------------ phases

    /** The processes whose CPU time a phase reports, and the controllers' meters. */
    private record Cluster(ApiServerProcess api, ProcessHandle etcd, JvmProcess fleet, JvmProcess scheduler,
                           SampledMeterRegistry meters) {

        /** CPU seconds so far: apiserver, etcd, fleet, scheduler, this JVM (controllers and the benchmark's watches). */
        double[] cpu() {
            return new double[] {api.cpuSeconds(), etcd == null ? Double.NaN : JvmProcess.cpuSeconds(etcd),
                    fleet.cpuSeconds(), scheduler.cpuSeconds(), SchedulerWorkload.processCpuNanos() / 1e9};
        }
    }

    /**
     * One phase: how many new pods it expects ({@code expected}; 0 for a phase that only removes pods), whether an
     * owner must converge ({@code hasOwner}), and (set when it begins) how many pods were there before it, all of
     * which must be gone at its end. The {@link PodTracker} feeds it every change under the tracker's lock, which
     * guards all its fields, and it records its milestones the moment they happen.
     */
    static final class Phase {
        final String title;
        final int expected;
        final boolean hasOwner;
        private final AtomicReference<HasMetadata> owner;
        private Predicate<HasMetadata> ownerDone;
        final Map<String, Long> milestones = new LinkedHashMap<>();
        final CountDownLatch done = new CountDownLatch(1);
        long start;
        int oldPods;
        int oldLeft;
        int created;
        int scheduled;
        int running;
        int ready;
        int peakActive;
        int peakObjects;
        int fewestReady = Integer.MAX_VALUE;
        ApiRequestCounts requestsBefore;
        double[] cpuBefore;
        Map<SampledMeterRegistry.Key, Integer> queueMark;
        Map<String, Double> addsBefore;
        Map<String, Double> retriesBefore;

        Phase(String title, int expected, boolean hasOwner, AtomicReference<HasMetadata> owner) {
            this.title = title;
            this.expected = expected;
            this.hasOwner = hasOwner;
            this.owner = owner;
        }

        private void mark(String milestone, long at) {
            milestones.putIfAbsent(milestone, at);
        }

        /** Records what has just been reached; the phase ends once its pods are Ready, the owner converged and the old pods are gone. */
        void check(long now) {
            if (expected > 0) {
                if (created >= expected) {
                    mark("last pod created", now);
                }
                if (scheduled >= expected) {
                    mark("last pod scheduled", now);
                }
                if (running >= expected) {
                    mark("last pod Running", now);
                }
                if (ready >= expected) {
                    mark("last pod Ready", now);
                }
            }
            if (hasOwner && ownerDone != null && ownerDone.test(owner.get())) {
                mark("controller status converged", now);
            }
            if (oldPods > 0 && oldLeft == 0) {
                mark("last old pod gone", now);
            }
            boolean podsDone = expected == 0 || milestones.containsKey("last pod Ready");
            boolean ownerOk = !hasOwner || milestones.containsKey("controller status converged");
            if (podsDone && ownerOk && oldLeft == 0) {
                mark("done", now);
                done.countDown();
            }
        }
    }

    /** Runs a phase until it is done or times out, printing progress every 10 s, then reports it. */
    private static boolean run(Phase p, PodTracker pods, Cluster cluster, ScheduledExecutorService ticker,
            Duration timeout) throws Exception {
        System.out.println(p.title + ":");
        long[] lastWrites = {p.requestsBefore.writes()};
        long[] lastAt = {p.start};
        var progress = ticker.scheduleAtFixedRate(() -> {
            try {
                long now = System.nanoTime();
                long w = ApiRequestCounts.scrape(cluster.api().url()).writes();
                synchronized (pods) {
                    System.out.printf(Locale.ROOT, "  t=%5.1f s: new pods created %d scheduled %d Running %d Ready %d;"
                                    + " old left %d; %s; apiserver %.0f writes/s%n", (now - p.start) / 1e9, p.created,
                            p.scheduled, p.running, p.ready, p.oldLeft, ownerStatus(p.owner.get()),
                            (w - lastWrites[0]) * 1e9 / (now - lastAt[0]));
                }
                lastWrites[0] = w;
                lastAt[0] = now;
            } catch (Exception e) {
                System.out.println("  (progress: " + e + ")");
            }
        }, 10, 10, TimeUnit.SECONDS);
        boolean ok = p.done.await(timeout.toSeconds(), TimeUnit.SECONDS);
        progress.cancel(false);
        long end;
        synchronized (pods) {
            end = ok ? p.milestones.get("done") : System.nanoTime();
        }
        ApiRequestCounts writes = ApiRequestCounts.scrape(cluster.api().url()).minus(p.requestsBefore);
        double[] cpu = cluster.cpu();
        double seconds = (end - p.start) / 1e9;
        synchronized (pods) {
            if (ok) {
                System.out.printf(Locale.ROOT, "  => done in %.2f s%n", seconds);
            } else {
                System.out.printf(Locale.ROOT, "  => NOT DONE: STOPPED at the %d s cap; new pods created %d scheduled"
                                + " %d Running %d Ready %d, old left %d; %s%n", timeout.toSeconds(), p.created,
                        p.scheduled, p.running, p.ready, p.oldLeft, ownerStatus(p.owner.get()));
            }
            p.milestones.forEach((k, at) -> {
                if (!k.equals("done")) {
                    System.out.printf(Locale.ROOT, "     %-28s at %7.2f s%n", k, (at - p.start) / 1e9);
                }
            });
            if (p.expected > 0) {
                System.out.printf(Locale.ROOT, "  pods: %d created in the phase (%.0f pods/s from start to the last"
                                + " Ready); at most %d not terminating and %d objects at once", p.created,
                        p.milestones.containsKey("last pod Ready")
                                ? p.expected * 1e9 / (p.milestones.get("last pod Ready") - p.start) : Double.NaN,
                        p.peakActive, p.peakObjects);
                System.out.printf(Locale.ROOT, p.oldPods > 0 ? "; never fewer than %d Ready%n" : "%n",
                        p.fewestReady == Integer.MAX_VALUE ? 0 : p.fewestReady);
            }
        }
        System.out.printf(Locale.ROOT, "  apiserver writes: %d in %.2f s = %.0f writes/s (reads %d); by resource: %s%n",
                writes.writes(), seconds, writes.writes() / seconds, writes.reads(), writes.writesByResource());
        System.out.printf(Locale.ROOT, "  CPU seconds: apiserver %.1f, etcd %.1f, hollow fleet %.1f, scheduler %.1f,"
                        + " benchmark JVM (controllers + watches) %.1f; load average %s%n", cpu[0] - p.cpuBefore[0],
                cpu[1] - p.cpuBefore[1], cpu[2] - p.cpuBefore[2], cpu[3] - p.cpuBefore[3], cpu[4] - p.cpuBefore[4],
                SchedulerWorkload.loadAverage());
        Map<SampledMeterRegistry.Key, String> queues = cluster.meters().summary(p.queueMark);
        if (!queues.isEmpty()) {
            Map<String, Double> adds = cluster.meters().counters("workqueue_adds_total");
            Map<String, Double> retries = cluster.meters().counters("workqueue_retries_total");
            System.out.println("  controller work queues (queue duration = a key's wait in the queue; work = one"
                    + " reconcile):");
            adds.forEach((q, v) -> System.out.printf(Locale.ROOT, "     %-12s %.0f adds, %.0f rate-limited retries%n", q,
                    v - p.addsBefore.getOrDefault(q, 0.0), retries.getOrDefault(q, 0.0)
                            - p.retriesBefore.getOrDefault(q, 0.0)));
            queues.forEach((k, v) -> System.out.printf(Locale.ROOT, "     %-12s %-36s %s%n", k.queue(),
                    k.meter(), v));
        }
        return ok;
    }

    // ------------------------------------------------------------------ pods

    /** One watch on the namespace's pods that keeps what each pod went through and feeds the current phase. */
    static final class PodTracker implements AutoCloseable {

        private static final class PodState {
            long added;
            boolean scheduled;
            boolean running;
            boolean ready;
            boolean terminating;
        }

        private final Map<String, PodState> pods = new ConcurrentHashMap<>();
        private Disposable watch;
        private Phase phase;
        private int terminating;
        private int readyActive;

        static PodTracker watch(KubeClient client, String ns) {
            PodTracker t = new PodTracker();
            String rv = client.resources(Pod.class).list(ns, ListOptions.all()).block(Duration.ofSeconds(30))
                    .getMetadata().getResourceVersion();
            t.watch = client.resources(Pod.class).watch(ns, ListOptions.all(), rv).subscribe(t::on);
            return t;
        }

        /** Starts {@code p}: from now on, pods first seen are its new pods and every pod there now is old. */
        synchronized void begin(Phase p, Cluster cluster) throws Exception {
            p.requestsBefore = ApiRequestCounts.scrape(cluster.api().url());
            p.cpuBefore = cluster.cpu();
            p.queueMark = cluster.meters().mark();
            p.addsBefore = cluster.meters().counters("workqueue_adds_total");
            p.retriesBefore = cluster.meters().counters("workqueue_retries_total");
            p.start = System.nanoTime();
            p.peakActive = pods.size() - terminating;
            p.peakObjects = pods.size();
            p.oldPods = pods.size();
            p.oldLeft = pods.size();
            phase = p;
        }

        /** Sets the phase's owner convergence test (known once the write that starts it has answered). */
        synchronized void ownerCheck(Phase p, Predicate<HasMetadata> test) {
            p.ownerDone = test;
            p.check(System.nanoTime());
        }

        synchronized void ownerChanged() {
            if (phase != null) {
                phase.check(System.nanoTime());
            }
        }

        private synchronized void on(WatchEvent<Pod> ev) {
            Pod pod = ev.object();
            if (pod == null || ev.type() == WatchEvent.Type.BOOKMARK) {
                return;
            }
            long now = System.nanoTime();
            String name = pod.getMetadata().getName();
            Phase p = phase;
            if (ev.type() == WatchEvent.Type.DELETED) {
                PodState s = pods.remove(name);
                if (s != null) {
                    if (s.terminating) {
                        terminating--;
                    } else if (s.ready) {
                        readyActive--;
                    }
                    if (p != null && s.added < p.start) {
                        p.oldLeft--;
                    }
                }
            } else {
                PodState s = pods.get(name);
                boolean isNew = s == null;
                if (isNew) {
                    s = new PodState();
                    s.added = now;
                    pods.put(name, s);
                }
                boolean counts = p != null && s.added >= p.start;
                if (isNew && counts) {
                    p.created++;
                }
                if (!s.scheduled && pod.getSpec() != null && pod.getSpec().getNodeName() != null) {
                    s.scheduled = true;
                    if (counts) {
                        p.scheduled++;
                    }
                }
                if (!s.running && pod.getStatus() != null && "Running".equals(pod.getStatus().getPhase())) {
                    s.running = true;
                    if (counts) {
                        p.running++;
                    }
                }
                boolean wasReadyActive = s.ready && !s.terminating;
                if (!s.ready && isReady(pod)) {
                    s.ready = true;
                    if (counts) {
                        p.ready++;
                    }
                }
                if (!s.terminating && pod.getMetadata().getDeletionTimestamp() != null) {
                    s.terminating = true;
                    terminating++;
                }
                boolean isReadyActive = s.ready && !s.terminating;
                readyActive += (isReadyActive ? 1 : 0) - (wasReadyActive ? 1 : 0);
            }
            if (p != null) {
                p.peakActive = Math.max(p.peakActive, pods.size() - terminating);
                p.peakObjects = Math.max(p.peakObjects, pods.size());
                p.fewestReady = Math.min(p.fewestReady, readyActive);
                p.check(now);
            }
        }

        private static boolean isReady(Pod pod) {
            return pod.getStatus() != null && pod.getStatus().getConditions() != null
                    && pod.getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        }

        @Override
        public void close() {
            if (watch != null) {
                watch.dispose();
            }
        }
    }
}
