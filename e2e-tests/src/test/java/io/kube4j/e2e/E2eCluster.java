package io.kube4j.e2e;

import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.github.dockerjava.api.exception.NotFoundException;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.config.KubeConfigLoader;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.client.util.Clock;
import io.kube4j.controller.cronjob.CronJobControllerFactory;
import io.kube4j.controller.cronjob.CronJobControllerProperties;
import io.kube4j.controller.daemon.DaemonSetControllerFactory;
import io.kube4j.controller.daemon.DaemonSetControllerProperties;
import io.kube4j.controller.deployment.DeploymentControllerFactory;
import io.kube4j.controller.deployment.DeploymentControllerProperties;
import io.kube4j.controller.disruption.DisruptionControllerFactory;
import io.kube4j.controller.disruption.DisruptionControllerProperties;
import io.kube4j.controller.endpoint.EndpointControllerFactory;
import io.kube4j.controller.endpoint.EndpointControllerProperties;
import io.kube4j.controller.garbagecollector.GarbageCollectorFactory;
import io.kube4j.controller.garbagecollector.GarbageCollectorProperties;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.namespace.NamespaceControllerFactory;
import io.kube4j.controller.namespace.NamespaceControllerProperties;
import io.kube4j.controller.replicaset.ReplicaSetControllerFactory;
import io.kube4j.controller.replicaset.ReplicaSetControllerProperties;
import io.kube4j.controller.serviceaccount.ServiceAccountControllerProperties;
import io.kube4j.controller.serviceaccount.ServiceAccountsControllerFactory;
import io.kube4j.controller.podautoscaler.HorizontalPodAutoscalerControllerFactory;
import io.kube4j.controller.podautoscaler.HorizontalPodAutoscalerProperties;
import io.kube4j.controller.rootcacertpublisher.RootCaCertPublisherFactory;
import io.kube4j.controller.rootcacertpublisher.RootCaCertPublisherProperties;
import io.kube4j.controller.job.JobControllerFactory;
import io.kube4j.controller.job.JobControllerProperties;
import io.kube4j.controller.statefulset.StatefulSetControllerFactory;
import io.kube4j.controller.statefulset.StatefulSetControllerProperties;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import io.kube4j.controller.ttlafterfinished.TtlAfterFinishedControllerFactory;
import io.kube4j.controller.ttlafterfinished.TtlAfterFinishedProperties;
import io.kube4j.controller.volume.persistentvolume.PersistentVolumeControllerFactory;
import io.kube4j.controller.volume.persistentvolume.PersistentVolumeControllerProperties;
import io.kube4j.controller.volume.protection.PvProtectionControllerFactory;
import io.kube4j.controller.volume.protection.PvcProtectionControllerFactory;
import io.kube4j.node.agent.NodeAgentHarness;
import io.kube4j.node.runtime.docker.DockerRuntime;
import io.kube4j.node.testsupport.DockerTestSupport;
import io.kube4j.scheduler.Scheduler;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.FrameworkHandle;
import io.kube4j.scheduler.framework.Parallelizer;
import io.kube4j.scheduler.plugins.DefaultPlugins;
import io.kube4j.scheduler.plugins.defaultbinder.DefaultBinder;

/**
 * The cluster the end-to-end tests talk to, once per test JVM. By default a small real one in this JVM: the secure
 * apiserver (HTTPS, client certificates; what kubectl and the Python client use) and a development one (what the
 * roles use) on one etcd, the default scheduler, the controllers a workload needs (ReplicaSet, Deployment,
 * disruption, garbage collector, namespace, Endpoints, ServiceAccounts) and one node agent on the local Docker
 * engine, so pods really run, serve, log and report stats. With {@value #KUBECONFIG_ENV} set, the tests use that
 * cluster instead (e.g. one from {@code ./kube4j up}, whose nodes run on this Docker engine too) and start nothing.
 */
public final class E2eCluster {

    /** A kubeconfig of an external cluster to test instead of starting one. */
    public static final String KUBECONFIG_ENV = "KUBE4J_E2E_KUBECONFIG";
    public static final Duration WAIT = Duration.ofSeconds(120);
    /** The test web server image: busybox's httpd serving "version N" on port 8080. */
    public static final String WEB_IMAGE = "kube4j-e2e/web";

    private static E2eCluster shared;

    private final Path kubeconfig;
    private final KubeClient client;
    private final NodeAgentHarness node;
    private final ControllerManager controllers;
    private final Scheduler scheduler;
    private final Parallelizer parallelizer;

    private E2eCluster(Path kubeconfig, KubeClient client, NodeAgentHarness node, ControllerManager controllers,
            Scheduler scheduler, Parallelizer parallelizer) {
        this.kubeconfig = kubeconfig;
        this.client = client;
        this.node = node;
        this.controllers = controllers;
        this.scheduler = scheduler;
        this.parallelizer = parallelizer;
    }

    /** The cluster of this JVM, started on first use (skips or fails, per {@link Requirements}, without Docker). */
    public static synchronized E2eCluster get() {
        if (shared == null) {
            Requirements.requireDocker();
            String external = System.getenv(KUBECONFIG_ENV);
            shared = external == null || external.isBlank() ? startInProcess() : external(Path.of(external));
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "e2e-cluster-shutdown"));
        }
        return shared;
    }

    private static E2eCluster external(Path kubeconfig) {
        Requirements.require(Files.isReadable(kubeconfig), KUBECONFIG_ENV + "=" + kubeconfig + " is not readable");
        KubeClient client = KubeClient.create(KubeConfigLoader.load(kubeconfig, null));
        return new E2eCluster(kubeconfig, client, null, null, null, null);
    }

    private static E2eCluster startInProcess() {
        Requirements.requireBinary("etcd");
        ApiServerInstance secure = ApiServerInstance.secureShared();
        Path kubeconfig = secure.kubeconfig(secure.pki().admin());
        // the roles talk to the development apiserver on the same etcd, as the other modules' ITs do
        KubeClient roles = ControllerTestEnv.client();
        NodeAgentHarness node = NodeAgentHarness.docker("e2e");
        Parallelizer parallelizer = new Parallelizer(1);
        // a handle with the scheduler's informers and client, as the application's: VolumeBinding reads claims and
        // volumes through them and preemption deletes victims
        SharedInformerFactory informers = SharedInformerFactory.forClient(roles, Duration.ZERO);
        EventRecorder events = new EventRecorder(roles.resources(Event.class), "default-scheduler", null);
        FrameworkHandle handle = new FrameworkHandle.SimpleHandle(roles, events, informers, parallelizer,
                Clock.system());
        Framework framework = new Framework(DefaultPlugins.profile("default-scheduler",
                new DefaultBinder(roles, Duration.ofSeconds(10)), 0, handle), parallelizer, new Random());
        Scheduler scheduler = new Scheduler(roles, informers, List.of(framework), events,
                Clock.system(), new Scheduler.Settings(Duration.ofSeconds(1), Duration.ofSeconds(10),
                        Duration.ofSeconds(5), Duration.ofSeconds(30), 1));
        scheduler.start(WAIT);
        ControllerManager controllers = ControllerTestEnv.start(
                new ReplicaSetControllerFactory(ReplicaSetControllerProperties.defaults()),
                new DeploymentControllerFactory(DeploymentControllerProperties.defaults()),
                new DisruptionControllerFactory(DisruptionControllerProperties.defaults()),
                new GarbageCollectorFactory(GarbageCollectorProperties.defaults()),
                new NamespaceControllerFactory(NamespaceControllerProperties.defaults()),
                new EndpointControllerFactory(EndpointControllerProperties.defaults()),
                new ServiceAccountsControllerFactory(ServiceAccountControllerProperties.defaults()),
                new PersistentVolumeControllerFactory(PersistentVolumeControllerProperties.defaults()),
                new PvcProtectionControllerFactory(), new PvProtectionControllerFactory(),
                // every namespace gets kube-root-ca.crt, which the pods' projected token volumes mount
                new RootCaCertPublisherFactory(new RootCaCertPublisherProperties(secure.pki().caFile())),
                new HorizontalPodAutoscalerControllerFactory(HorizontalPodAutoscalerProperties.defaults()),
                new StatefulSetControllerFactory(StatefulSetControllerProperties.defaults()),
                new JobControllerFactory(JobControllerProperties.defaults()),
                new CronJobControllerFactory(new CronJobControllerProperties(5)),
                new DaemonSetControllerFactory(DaemonSetControllerProperties.defaults()),
                new TtlAfterFinishedControllerFactory(new TtlAfterFinishedProperties(5)));
        return new E2eCluster(kubeconfig, roles, node, controllers, scheduler, parallelizer);
    }

    /** Whether this JVM started the cluster (else it is the one {@value #KUBECONFIG_ENV} names). */
    public boolean inProcess() {
        return node != null;
    }

    /** A kubeconfig for kubectl and the Python client (in-process: the admin's client certificate over HTTPS). */
    public Path kubeconfig() {
        return kubeconfig;
    }

    /** A client for checking the server state behind what the tools did. */
    public KubeClient client() {
        return client;
    }

    /** The names of the cluster's Ready nodes. */
    public List<String> readyNodes() {
        return client.resources(Node.class).list(null, ListOptions.all()).block(WAIT).getItems().stream()
                .filter(n -> n.getStatus() != null && n.getStatus().getConditions() != null
                        && n.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
                .map(n -> n.getMetadata().getName()).toList();
    }

    /** A node that runs pods on this machine's Docker engine: the in-process node, else the first Ready one. */
    public String realNode() {
        if (node != null) {
            return node.nodeName();
        }
        List<String> ready = readyNodes();
        Requirements.require(!ready.isEmpty(), "the cluster has no Ready node");
        return ready.stream().filter(n -> !n.startsWith("hollow")).findFirst().orElse(ready.get(0));
    }

    /** {@code kube4j-e2e/web:<version>}, built in the local Docker engine when missing (no registry is reachable). */
    public static synchronized String webImage(int version) {
        String tag = WEB_IMAGE + ":" + version;
        try {
            DockerTestSupport.client().inspectImageCmd(tag).exec();
            return tag;
        } catch (NotFoundException e) {
            // build it
        }
        Path busybox = DockerTestSupport.staticBusybox().orElse(null);
        Requirements.require(busybox != null, "no static busybox to build " + tag + " (apt-get install busybox-static)");
        DockerRuntime.buildBusyboxImage(DockerTestSupport.client(), tag, busybox, List.of("/bin/sh", "-c",
                "mkdir -p /www && echo version " + version + " > /www/index.html && exec httpd -f -p 8080 -h /www"),
                Map.of(DockerRuntime.IMAGE_LABEL, "e2e-web"));
        return tag;
    }

    public static final String CURL_IMAGE = "kube4j-e2e/curl:1";

    /**
     * {@value #CURL_IMAGE}: this host's curl (OpenSSL, so it checks certificates as in-cluster clients do) with the
     * shared libraries {@code ldd} names, and the static busybox as its shell, built {@code FROM scratch} in the local
     * Docker engine when missing. Busybox's own wget cannot be used for HTTPS to the apiserver: its TLS code offers no
     * signature algorithm an RSA server certificate can use (OpenSSL's s_server fails the same handshake).
     */
    public static synchronized String curlImage() {
        try {
            DockerTestSupport.client().inspectImageCmd(CURL_IMAGE).exec();
            return CURL_IMAGE;
        } catch (NotFoundException e) {
            // build it
        }
        Path curl = Requirements.requireBinary("curl");
        Path busybox = DockerTestSupport.staticBusybox().orElse(null);
        Requirements.require(busybox != null, "no static busybox to build " + CURL_IMAGE + " (apt-get install busybox-static)");
        try {
            Path ctx = Files.createTempDirectory("e2e-curl-image");
            copyInto(ctx, busybox, Path.of("/bin/busybox"));
            copyInto(ctx, curl.toRealPath(), Path.of("/usr/bin/curl"));
            Process ldd = new ProcessBuilder("ldd", curl.toString()).redirectErrorStream(true).start();
            String out = new String(ldd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            Requirements.require(ldd.waitFor() == 0, "ldd " + curl + " failed: " + out);
            for (String line : out.split("\n")) {
                // "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(/\\S+) \\(0x").matcher(line);
                if (m.find()) {
                    Path lib = Path.of(m.group(1));
                    copyInto(ctx, lib.toRealPath(), lib);
                }
            }
            Files.writeString(ctx.resolve("Dockerfile"), """
                    FROM scratch
                    COPY . /
                    RUN ["/bin/busybox", "--install", "-s", "/bin"]
                    LABEL %s=e2e-curl
                    CMD ["/bin/sh"]
                    """.formatted(DockerRuntime.IMAGE_LABEL));
            DockerTestSupport.client().buildImageCmd(ctx.toFile()).withTags(java.util.Set.of(CURL_IMAGE))
                    .start().awaitImageId();
            deleteTree(ctx);
            return CURL_IMAGE;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void copyInto(Path root, Path source, Path at) throws java.io.IOException {
        Path target = root.resolve(at.toString().substring(1));
        Files.createDirectories(target.getParent());
        Files.copy(source, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Waits until the namespace's "default" ServiceAccount exists (pods created through the secure apiserver need it). */
    public void awaitDefaultServiceAccount(String namespace) {
        await().atMost(WAIT).until(() -> {
            try {
                return client.resources(ServiceAccount.class).get(namespace, "default").block(WAIT) != null;
            } catch (ApiStatusException e) {
                return false;
            }
        });
    }

    private synchronized void close() {
        if (scheduler != null) {
            try {
                scheduler.close();
            } catch (Exception ignored) {
                // the JVM is exiting
            }
            parallelizer.close();
        }
        if (controllers != null) {
            try {
                controllers.stop();
            } catch (Exception ignored) {
                // the JVM is exiting
            }
        }
        if (node != null) {
            node.close();
        }
    }
}
