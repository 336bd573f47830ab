package io.kube4j.proxy.e2e;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.github.dockerjava.api.exception.NotFoundException;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.informer.Lister;
import io.kube4j.client.informer.SharedInformerFactory;
import io.kube4j.controller.deployment.DeploymentControllerFactory;
import io.kube4j.controller.deployment.DeploymentControllerProperties;
import io.kube4j.controller.endpointslice.EndpointSliceControllerFactory;
import io.kube4j.controller.endpointslice.EndpointSliceControllerProperties;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.replicaset.ReplicaSetControllerFactory;
import io.kube4j.controller.replicaset.ReplicaSetControllerProperties;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import io.kube4j.node.agent.NodeAgentHarness;
import io.kube4j.node.runtime.docker.DockerRuntime;
import io.kube4j.node.testsupport.DockerTestSupport;
import io.kube4j.proxy.exec.CommandRunner;
import io.kube4j.proxy.exec.ProcessCommandRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A one-node cluster for the proxy's end-to-end tests: the shared apiserver on real etcd, the EndpointSlice,
 * ReplicaSet and Deployment controllers in-process, and ONE real node agent running pods on the Docker engine (its
 * own node name, namespace and bridge network). Pods are placed by {@code spec.nodeName} (no scheduler). Every pod
 * runs {@link #IMAGE}, busybox's httpd answering the pod's own name on port 8080, so a response tells which endpoint
 * a connection reached.
 *
 * <p>{@link #close()} stops the controllers, removes the node's containers and network (the node agent harness),
 * and deletes the Deployments, Services, Pods, the Node object and the namespace; failures there are logged, not
 * thrown, so that a failed test still cleans up everything else.
 */
final class ServiceCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServiceCluster.class);

    /** busybox httpd answering {@code $POD_NAME} (set from {@code metadata.name} by the downward API) on 8080. */
    static final String IMAGE = "kube4j-test/httpd-podname:1";
    static final int TARGET_PORT = 8080;
    static final Duration WAIT = Duration.ofSeconds(60);
    private static final Duration CALL = Duration.ofSeconds(10);

    private final NodeAgentHarness node;
    private final ControllerManager controllers;
    private final KubeClient client;
    private final CommandRunner host = new ProcessCommandRunner();
    /** Pods and EndpointSlices of the namespace, watched: cheap enough to read in a tight polling loop. */
    private final SharedInformerFactory informers;
    private final Lister<Pod> pods;
    private final Lister<EndpointSlice> slices;

    private ServiceCluster(NodeAgentHarness node, ControllerManager controllers) {
        this.node = node;
        this.controllers = controllers;
        this.client = node.client();
        this.informers = SharedInformerFactory.forClient(client, Duration.ZERO);
        this.pods = informers.informerFor(Pod.class, node.namespace()).lister();
        this.slices = informers.informerFor(EndpointSlice.class, node.namespace()).lister();
        informers.startAll();
        if (!informers.waitForCacheSync(WAIT)) {
            throw new IllegalStateException("Pod/EndpointSlice informers did not sync within " + WAIT);
        }
    }

    /** Starts the node agent (named after {@code name}) and the controllers; needs root, Docker and etcd. */
    static ServiceCluster start(String name) {
        Requirements.require("root".equals(System.getProperty("user.name")),
                "the proxy's end-to-end tests program the host's netfilter and need root (running as "
                        + System.getProperty("user.name") + ")");
        Requirements.requireBinary("docker");
        NodeAgentHarness node = NodeAgentHarness.docker(name);
        ControllerManager controllers = null;
        try {
            buildImage();
            controllers = ControllerTestEnv.start(
                    new EndpointSliceControllerFactory(EndpointSliceControllerProperties.defaults()),
                    new ReplicaSetControllerFactory(ReplicaSetControllerProperties.defaults()),
                    new DeploymentControllerFactory(DeploymentControllerProperties.defaults()));
            return new ServiceCluster(node, controllers);
        } catch (RuntimeException e) {
            if (controllers != null) {
                try {
                    controllers.stop();
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
            node.close();
            throw e;
        }
    }

    /** Builds {@link #IMAGE} from the host's static busybox when the engine does not have it yet. */
    private static void buildImage() {
        try {
            DockerTestSupport.client().inspectImageCmd(IMAGE).exec();
            return;
        } catch (NotFoundException e) {
            // build it below
        }
        Path busybox = DockerTestSupport.staticBusybox().orElse(null);
        Requirements.require(busybox != null, "no static busybox to build " + IMAGE + " (apt-get install busybox-static)");
        DockerRuntime.buildBusyboxImage(DockerTestSupport.client(), IMAGE, busybox, List.of("/bin/sh", "-c",
                "mkdir -p /www && echo \"$POD_NAME\" > /www/index.html && exec httpd -f -p " + TARGET_PORT + " -h /www"),
                Map.of(DockerRuntime.IMAGE_LABEL, "test-httpd-podname"));
    }

    KubeClient client() {
        return client;
    }

    /** The namespace everything of this cluster lives in. */
    String namespace() {
        return node.namespace();
    }

    String nodeName() {
        return node.nodeName();
    }

    NodeAgentHarness node() {
        return node;
    }

    /** The node's InternalIP as the node agent reports it (the host's address on its default interface). */
    String nodeAddress() {
        Node n = client.resources(Node.class).get(null, nodeName()).block(CALL);
        return n.getStatus().getAddresses().stream().filter(a -> "InternalIP".equals(a.getType()))
                .map(NodeAddress::getAddress).findFirst()
                .orElseThrow(() -> new IllegalStateException("node " + nodeName() + " reports no InternalIP: "
                        + n.getStatus().getAddresses()));
    }

    /** The pod spec every test pod uses: the httpd container "web", its name from the downward API, ready on GET /. */
    private String podSpec(String indent) {
        return ("""
                nodeName: NODE
                terminationGracePeriodSeconds: 2
                containers:
                - name: web
                  image: IMAGE
                  env:
                  - name: POD_NAME
                    valueFrom: {fieldRef: {fieldPath: metadata.name}}
                  ports:
                  - {name: http, containerPort: PORT}
                  readinessProbe:
                    httpGet: {path: /, port: http}
                    periodSeconds: 1
                """).replace("NODE", nodeName()).replace("IMAGE", IMAGE).replace("PORT", Integer.toString(TARGET_PORT))
                .lines().map(l -> indent + l).collect(Collectors.joining("\n"));
    }

    /** Creates a Deployment of {@code replicas} httpd pods labelled {@code app=<name>}. */
    Deployment deploy(String name, int replicas) {
        String yaml = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: NAME
                  namespace: NS
                spec:
                  replicas: REPLICAS
                  selector:
                    matchLabels: {app: NAME}
                  template:
                    metadata:
                      labels: {app: NAME}
                    spec:
                """.replace("NAME", name).replace("NS", namespace()).replace("REPLICAS", Integer.toString(replicas))
                + podSpec("      ") + "\n";
        return client.resources(Deployment.class).create(Codecs.yaml().readValue(yaml, Deployment.class)).block(CALL);
    }

    /** Creates one bare httpd pod with these labels. */
    Pod runPod(String name, Map<String, String> labels) {
        String yaml = """
                apiVersion: v1
                kind: Pod
                metadata:
                  name: NAME
                  namespace: NS
                spec:
                """.replace("NAME", name).replace("NS", namespace()) + podSpec("  ") + "\n";
        Pod pod = Codecs.yaml().readValue(yaml, Pod.class);
        pod.getMetadata().setLabels(labels);
        return client.resources(Pod.class).create(pod).block(CALL);
    }

    /** Sets the Deployment's replicas. */
    void scale(String deployment, int replicas) {
        client.resources(Deployment.class).updateWithRetry(namespace(), deployment, d -> {
            d.getSpec().setReplicas(replicas);
            return d;
        }, false).block(CALL);
    }

    /** Creates a Service from YAML (the namespace is filled in). */
    Service createService(String yaml) {
        Service s = Codecs.yaml().readValue(yaml, Service.class);
        s.getMetadata().setNamespace(namespace());
        return client.resources(Service.class).create(s).block(CALL);
    }

    /** Pods matching {@code labelSelector} ({@code key=value}) that are Ready and not being deleted, by name. */
    List<Pod> readyPods(String labelSelector) {
        return livePods(labelSelector).stream().filter(ServiceCluster::isReady)
                .sorted((a, b) -> a.getMetadata().getName().compareTo(b.getMetadata().getName()))
                .toList();
    }

    /** Pods matching {@code labelSelector} ({@code key=value}) that are not being deleted (ready or not). */
    List<Pod> livePods(String labelSelector) {
        String[] kv = labelSelector.split("=", 2);
        return pods.list(namespace()).stream()
                .filter(p -> p.getMetadata().getLabels() != null && kv[1].equals(p.getMetadata().getLabels().get(kv[0])))
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    static boolean isReady(Pod p) {
        return p.getStatus() != null && p.getStatus().getConditions() != null && p.getStatus().getConditions()
                .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** Waits until exactly {@code count} pods matching the selector are Ready and returns them. */
    List<Pod> awaitReadyPods(String labelSelector, int count) {
        return await().atMost(WAIT).pollInterval(Duration.ofMillis(250))
                .until(() -> readyPods(labelSelector), l -> l.size() == count);
    }

    /** The ready endpoint addresses of the Service, from its EndpointSlices. */
    List<String> readyEndpoints(String service) {
        List<String> out = new ArrayList<>();
        for (EndpointSlice s : slices.list(namespace())) {
            if (s.getMetadata().getLabels() == null
                    || !service.equals(s.getMetadata().getLabels().get("kubernetes.io/service-name"))) {
                continue;
            }
            for (Endpoint e : s.getEndpoints() == null ? List.<Endpoint>of() : s.getEndpoints()) {
                boolean ready = e.getConditions() == null || e.getConditions().getReady() == null
                        || e.getConditions().getReady();
                if (ready) {
                    out.addAll(e.getAddresses());
                }
            }
        }
        return out;
    }

    /** Waits until the Service's EndpointSlices list exactly {@code count} ready endpoints. */
    void awaitReadyEndpoints(String service, int count) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(() -> readyEndpoints(service).size() == count);
    }

    /**
     * {@code GET http://host:port/} from inside {@code pod}'s container (docker exec; busybox {@code nc}, because
     * this busybox's {@code wget} crashes), returns the body.
     */
    String httpFromPod(Pod pod, String host, int port) throws IOException {
        String id = node.containerId(pod, "web");
        CommandRunner.Result r = this.host.run(List.of("docker", "exec", id, "sh", "-c",
                "printf 'GET / HTTP/1.0\\r\\nHost: " + host + "\\r\\n\\r\\n' | nc -w 3 " + host + " " + port),
                new byte[0], Duration.ofSeconds(15));
        if (!r.ok()) {
            throw new IOException("GET http://" + host + ":" + port + "/ from pod " + pod.getMetadata().getName()
                    + " failed (exit " + r.exitCode() + "): " + r.stderr().strip());
        }
        return HttpProbe.body(r.stdout(), host + ":" + port + " (from pod " + pod.getMetadata().getName() + ")");
    }

    private static final Pattern COUNTERS = Pattern.compile("\\[\\d+:\\d+]");

    /**
     * {@code iptables-save} of the host's nat and filter tables with what changes by itself removed: the
     * {@code # Generated/Completed} lines and packet/byte counters; chain policies and rules stay.
     */
    static String iptablesSave() {
        CommandRunner.Result r = new ProcessCommandRunner().run("iptables-save").orThrow();
        return r.stdout().lines().filter(l -> !l.startsWith("#"))
                .map(l -> COUNTERS.matcher(l).replaceAll("[0:0]"))
                .collect(Collectors.joining("\n", "", "\n"));
    }

    @Override
    public void close() {
        informers.stopAll();
        try {
            controllers.stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("stopping the controllers failed: {}", e.toString());
        }
        String ns = namespace();
        String nodeName = nodeName();
        try {
            node.close();
        } finally {
            bestEffort("delete the Deployments", () -> client.resources(Deployment.class)
                    .deleteCollection(ns, ListOptions.all(), DeleteOptions.background()).block(CALL));
            // no garbage collector runs here: the ReplicaSets go explicitly, or the next test's controllers would
            // keep reconciling them in a terminating namespace
            bestEffort("delete the ReplicaSets", () -> client.resources(ReplicaSet.class)
                    .deleteCollection(ns, ListOptions.all(), DeleteOptions.background()).block(CALL));
            bestEffort("delete the Services", () -> client.resources(Service.class)
                    .deleteCollection(ns, ListOptions.all(), DeleteOptions.background()).block(CALL));
            bestEffort("delete the Pods", () -> client.resources(Pod.class)
                    .deleteCollection(ns, ListOptions.all(), DeleteOptions.now()).block(CALL));
            bestEffort("delete the Node", () -> client.resources(Node.class)
                    .delete(null, nodeName, DeleteOptions.now()).block(CALL));
            bestEffort("delete the namespace", () -> client.resources(Namespace.class)
                    .delete(null, ns, DeleteOptions.background()).block(CALL));
        }
    }

    private static void bestEffort(String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("cleanup: could not {}: {}", what, e.toString());
        }
    }
}
