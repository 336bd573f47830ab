package io.kube4j.node.agent;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.events.EventRecorder;
import io.kube4j.client.util.Clock;
import io.kube4j.node.config.NodeAgentProperties;
import io.kube4j.node.config.PodLifecycleProperties;
import io.kube4j.node.runtime.ContainerRuntime;
import io.kube4j.node.runtime.ContainerStatus;
import io.kube4j.node.runtime.InstrumentedRuntime;
import io.kube4j.node.runtime.RuntimeOperationException;
import io.kube4j.node.runtime.docker.DockerRuntime;
import io.kube4j.node.status.NodeAddresses;
import io.kube4j.node.testsupport.DockerTestSupport;
import io.kube4j.node.testsupport.TestImages;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * A real node agent for integration tests: the shared apiserver (real etcd), the real Docker engine, a node of
 * its own (unique name, pod CIDR and namespace) and a 1 s crash-loop back-off. Everything it made in Docker is
 * removed on {@link #close()}.
 */
public final class NodeAgentHarness implements AutoCloseable {

    private final KubeClient client;
    private final NodeContext ctx;
    private final String namespace;
    private final Path root;
    private final ScheduledExecutorService scheduler;
    private final EventRecorder events;
    private NodeAgent agent;

    private NodeAgentHarness(KubeClient client, NodeContext ctx, String namespace, Path root,
                             ScheduledExecutorService scheduler, EventRecorder events) {
        this.client = client;
        this.ctx = ctx;
        this.namespace = namespace;
        this.root = root;
        this.scheduler = scheduler;
        this.events = events;
    }

    /** Binds {@code kube4j.node.*} from these properties over the defaults. */
    public static NodeAgentProperties properties(Map<String, String> values) {
        Map<String, String> m = new HashMap<>();
        values.forEach((k, v) -> m.put("kube4j.node." + k, v));
        return new Binder(new MapConfigurationPropertySource(m)).bindOrCreate("kube4j.node", NodeAgentProperties.class);
    }

    public static PodLifecycleProperties fastLifecycle() {
        return new PodLifecycleProperties(Duration.ofSeconds(1), Duration.ofSeconds(16), Duration.ofMinutes(10),
                Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofSeconds(2));
    }

    public static NodeAgentHarness docker(String name) {
        return docker(name, Map.of());
    }

    /** A harness whose node has these {@code kube4j.node.*} properties too. */
    public static NodeAgentHarness docker(String name, Map<String, String> extra) {
        Requirements.requireDocker();
        Requirements.requireBinary("etcd");
        return docker(name, extra, ApiServerInstance.shared());
    }

    /** A harness whose node registers with {@code api} (an apiserver the test started with settings of its own). */
    public static NodeAgentHarness docker(String name, Map<String, String> extra, ApiServerInstance api) {
        Requirements.requireDocker();
        KubeClient client = KubeClient.create(ClientConfig.of(api.url()));
        String nodeName = uniqueNodeName(name);
        Path root = tempRoot(nodeName);
        ContainerRuntime runtime = null;
        NodeAgentProperties props = null;
        RuntimeOperationException last = null;
        for (int attempt = 0; attempt < 8 && runtime == null; attempt++) {
            String cidr = "10.244." + ThreadLocalRandom.current().nextInt(100, 250) + ".0/24";
            Map<String, String> values = new HashMap<>(Map.of("name", nodeName, "pod-cidr", cidr,
                    "root-dir", root.toString(), "server.port", "0", "lease.renew-interval", "2s",
                    "status-update-frequency", "2s", "sync-frequency", "10s", "manifest-url-period", "1s"));
            values.putAll(extra);
            props = properties(values);
            try {
                runtime = new InstrumentedRuntime(DockerRuntime.connect(nodeName, props.docker(), cidr,
                        root.resolve("containers")),
                        new SimpleMeterRegistry());
            } catch (RuntimeOperationException e) {
                last = e; // most likely another test's network holds the range: pick another
            }
        }
        if (runtime == null) {
            throw last;
        }
        return start(nodeName, client, api, props, runtime, root, true);
    }

    /** {@code it-<name>-<random hex>}: tests running one after another never meet each other's Node. */
    private static String uniqueNodeName(String name) {
        return "it-" + name + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    }

    /** The node's root dir, a fresh temporary directory. */
    private static Path tempRoot(String nodeName) {
        try {
            return Files.createTempDirectory("kube4j-node-" + nodeName);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A harness whose node's Docker engine is expected at the unix socket {@code socket}, where nothing need listen
     * yet: the runtime is the agent's own {@link DockerRuntime#connection} (retrying every 200 ms to 1 s, pinging
     * every second), and the agent is started without waiting for its node to be Ready.
     */
    public static NodeAgentHarness dockerAwaitingEngine(String name, Path socket) {
        Requirements.requireDocker();
        Requirements.requireBinary("etcd");
        ApiServerInstance api = ApiServerInstance.shared();
        KubeClient client = KubeClient.create(ClientConfig.of(api.url()));
        String nodeName = uniqueNodeName(name);
        Path root = tempRoot(nodeName);
        String cidr = DockerTestSupport.freePodCidr();
        NodeAgentProperties props = properties(Map.ofEntries(Map.entry("name", nodeName),
                Map.entry("pod-cidr", cidr), Map.entry("root-dir", root.toString()), Map.entry("server.port", "0"),
                Map.entry("lease.renew-interval", "2s"), Map.entry("status-update-frequency", "1s"),
                Map.entry("sync-frequency", "10s"), Map.entry("docker.host", "unix://" + socket),
                Map.entry("docker.retry-initial", "200ms"), Map.entry("docker.retry-max", "1s"),
                Map.entry("docker.check-period", "1s")));
        ContainerRuntime runtime = new InstrumentedRuntime(new DockerRuntime(nodeName, props.docker(), cidr,
                root.resolve("containers")).connection(null, Clock.system()), new SimpleMeterRegistry());
        return start(nodeName, client, api, props, runtime, root, false);
    }

    private static NodeAgentHarness start(String nodeName, KubeClient client, ApiServerInstance api,
                                          NodeAgentProperties props, ContainerRuntime runtime, Path root,
                                          boolean awaitReady) {
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "node-" + nodeName);
            t.setDaemon(true);
            return t;
        });
        EventRecorder events = new EventRecorder(client.resources(Event.class), "kubelet", nodeName);
        NodeContext ctx = new NodeContext(nodeName, NodeAddresses.detectInternalIp(), props, client, runtime,
                scheduler, events, new SimpleMeterRegistry(), Clock.system(), root);
        client.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(nodeName)
                .endMetadata().build()).block(Duration.ofSeconds(10));
        NodeAgentHarness h = new NodeAgentHarness(client, ctx, nodeName, root, scheduler, events);
        try {
            if (awaitReady) {
                h.startAgent();
            } else {
                h.agent = new NodeAgent(ctx, fastLifecycle(), null, true);
                h.agent.start();
            }
        } catch (RuntimeException e) {
            h.close(); // the node's network and containers must not outlive a failed start
            throw e;
        }
        return h;
    }

    private void startAgent() {
        agent = new NodeAgent(ctx, fastLifecycle(), null, true);
        agent.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            try {
                Node n = client.resources(Node.class).get(null, ctx.nodeName()).block(Duration.ofSeconds(5));
                return n.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
            } catch (ApiStatusException e) {
                return false;
            } catch (IllegalStateException e) {
                return false; // a GET slower than 5 s on a loaded machine: ask again until the 60 s are up
            }
        });
    }

    /** Stops the agent (its pods keep running in Docker) and starts a new one for the same node. */
    public void restartAgent() {
        agent.close();
        startAgent();
    }

    /** Starts a new agent after the test stopped the old one with {@code agent().close()}. */
    public void restartAgentAfterStop() {
        startAgent();
    }

    /** The node's Ready condition as the apiserver has it now (null before registration). */
    public io.fabric8.kubernetes.api.model.NodeCondition readyCondition() {
        try {
            Node n = client.resources(Node.class).get(null, ctx.nodeName()).block(Duration.ofSeconds(5));
            return n.getStatus() == null || n.getStatus().getConditions() == null ? null
                    : n.getStatus().getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst()
                    .orElse(null);
        } catch (ApiStatusException e) {
            return null;
        }
    }

    public NodeAgent agent() {
        return agent;
    }

    public NodeContext context() {
        return ctx;
    }

    public KubeClient client() {
        return client;
    }

    public ContainerRuntime runtime() {
        return ctx.runtime();
    }

    public String namespace() {
        return namespace;
    }

    public String nodeName() {
        return ctx.nodeName();
    }

    public String busyboxImage() {
        return TestImages.busybox();
    }

    /** "10.244.N." of this node's pod CIDR. */
    public String podCidrPrefix() {
        String cidr = ctx.properties().podCidr();
        return cidr.substring(0, cidr.lastIndexOf('.') + 1);
    }

    /** Creates the pod in this harness's namespace, bound to this node. */
    public Pod createPod(String yaml) {
        Pod pod = Codecs.yaml().readValue(yaml, Pod.class);
        pod.getMetadata().setNamespace(namespace);
        pod.getSpec().setNodeName(ctx.nodeName());
        return client.resources(Pod.class).create(pod).block(Duration.ofSeconds(10));
    }

    /** The pod as the apiserver has it now (null when gone). */
    public Pod get(Pod pod) {
        try {
            return client.resources(Pod.class).get(pod.getMetadata().getNamespace(), pod.getMetadata().getName())
                    .block(Duration.ofSeconds(10));
        } catch (ApiStatusException e) {
            if (e.code() == 404) {
                return null;
            }
            throw e;
        }
    }

    public Pod awaitPhase(Pod pod, String phase) {
        return await().atMost(Duration.ofSeconds(60)).until(() -> get(pod),
                p -> p != null && p.getStatus() != null && phase.equals(p.getStatus().getPhase()));
    }

    public Pod awaitCondition(Pod pod, String type, String status) {
        return await().atMost(Duration.ofSeconds(60)).until(() -> get(pod),
                p -> p != null && p.getStatus() != null && p.getStatus().getConditions() != null
                        && p.getStatus().getConditions().stream()
                        .anyMatch(c -> type.equals(c.getType()) && status.equals(c.getStatus())));
    }

    public void awaitGone(Pod pod) {
        await().atMost(Duration.ofSeconds(60)).until(() -> get(pod) == null);
    }

    /** The id of the container's newest instance in the runtime. */
    public String containerId(Pod pod, String container) {
        String uid = pod.getMetadata().getUid();
        return await().atMost(Duration.ofSeconds(30)).until(() -> ctx.runtime().listContainers().stream()
                .filter(c -> c.podUid().equals(uid) && c.containerName().equals(container) && c.running())
                .max(Comparator.comparingInt(ContainerStatus::attempt)).map(ContainerStatus::id).orElse(null),
                id -> id != null);
    }

    public List<ContainerStatus> runtimeContainersOf(Pod pod) {
        return ctx.runtime().listContainers().stream().filter(c -> c.podUid().equals(pod.getMetadata().getUid()))
                .toList();
    }

    public List<Event> events(Pod pod) {
        var list = client.resources(Event.class).list(namespace, ListOptions.all()
                .withFieldSelector("involvedObject.name=" + pod.getMetadata().getName())).block(Duration.ofSeconds(10));
        return list.getItems();
    }

    public List<String> eventReasons(Pod pod) {
        return await().atMost(Duration.ofSeconds(10)).until(() -> events(pod).stream().map(Event::getReason).toList(),
                l -> !l.isEmpty());
    }

    public List<String> eventMessages(Pod pod, String reason) {
        return events(pod).stream().filter(e -> reason.equals(e.getReason())).map(Event::getMessage).toList();
    }

    /** {@code docker kill}: a container dying behind the agent's back. */
    public void dockerKill(String containerId) {
        try {
            Process p = new ProcessBuilder("docker", "kill", containerId).redirectErrorStream(true).start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("docker kill failed: " + new String(p.getInputStream().readAllBytes()));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            if (agent != null) {
                agent.close();
            }
        } finally {
            DockerTestSupport.cleanupNode(ctx.nodeName());
            scheduler.shutdownNow();
            try {
                events.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ctx.runtime().close();
            deleteRecursively(root);
        }
    }

    private static void deleteRecursively(Path p) {
        try (var s = Files.walk(p)) {
            s.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp directory
        }
    }
}
