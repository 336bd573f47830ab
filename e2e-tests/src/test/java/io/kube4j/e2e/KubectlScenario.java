package io.kube4j.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetStatus;
import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.KubectlRunner.Result;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ListOptions;
import io.kube4j.client.ResourceClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

/**
 * The issue's kubectl scenario, step by step, for one kubectl binary in a namespace of its own: each step runs real
 * kubectl against {@link E2eCluster} and then checks what the server holds (through the API), not only kubectl's
 * exit code. Steps build on each other (one application, applied, scaled, rolled, patched, drained, deleted), so
 * they run in order on one instance.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class KubectlScenario {

    static final Duration TIMEOUT = Duration.ofSeconds(150);

    private final String version;
    E2eCluster cluster;
    KubectlRunner kubectl;
    KubeClient api;
    String ns;
    Path dir;

    /** {@code version} "1.29" runs {@code kubectl.1.29}; null runs the {@code kubectl} on PATH (the dispatcher). */
    KubectlScenario(String version) {
        this.version = version;
    }

    @BeforeAll
    void setUp() throws IOException {
        Path binary = Requirements.requireBinary("kubectl");
        cluster = E2eCluster.get();
        api = cluster.client();
        dir = Files.createTempDirectory("e2e-kubectl");
        KubectlRunner runner = KubectlRunner.withKubeconfig(binary, cluster.kubeconfig(), dir, TIMEOUT);
        kubectl = version == null ? runner : runner.versioned(version);
        ns = "e2e-kubectl-" + (version == null ? "path" : version.replace(".", "")) + "-"
                + UUID.randomUUID().toString().substring(0, 5);
        E2eCluster.webImage(1);
        E2eCluster.webImage(2);
    }

    @AfterAll
    void tearDown() {
        if (kubectl != null && ns != null) {
            // a step that failed may have left the node cordoned or the namespace behind
            for (String node : cluster.readyNodes()) {
                k("uncordon", node);
            }
            k("delete", "namespace", ns, "--ignore-not-found", "--wait=false");
        }
    }

    // ---- the steps ----

    @Test
    @Order(1)
    void applyAMultiDocumentFile() throws IOException {
        Result r = k("apply", "-f", manifest("v1.yaml", 1, true).toString()).ok();
        assertThat(r.out()).contains("namespace/" + ns + " created", "configmap/web-config created",
                "deployment.apps/web created", "service/web created");

        assertThat(get(Namespace.class, null, ns)).isNotNull();
        assertThat(get(ConfigMap.class, ns, "web-config").getData()).containsEntry("greeting", "hello");
        Service svc = get(Service.class, ns, "web");
        assertThat(svc.getSpec().getClusterIP()).isNotBlank();
        assertThat(svc.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(80));
        Deployment d = get(Deployment.class, ns, "web");
        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        assertThat(envNames(d)).containsExactly("GREETING", "MODE");
        // client-side apply keeps what was applied, for the next apply's three-way merge
        assertThat(d.getMetadata().getAnnotations()).containsKey("kubectl.kubernetes.io/last-applied-configuration");
        awaitRolledOut(2, E2eCluster.WEB_IMAGE + ":1");
    }

    @Test
    @Order(2)
    void getWideShowsTheServersColumns() {
        List<Pod> pods = livePods();
        List<String> lines = k("get", "pods", "-o", "wide", "-l", "app=web").ok().out().lines().toList();
        assertThat(lines.get(0).trim().split("\\s{2,}")).containsExactly("NAME", "READY", "STATUS", "RESTARTS", "AGE",
                "IP", "NODE", "NOMINATED NODE", "READINESS GATES");
        assertThat(lines).hasSize(1 + pods.size());
        for (Pod p : pods) {
            assertThat(lines).anySatisfy(l -> assertThat(l.split("\\s+")).startsWith(p.getMetadata().getName(), "1/1",
                    "Running", "0").contains(p.getStatus().getPodIP(), p.getSpec().getNodeName(), "<none>"));
        }
        List<String> d = k("get", "deployment", "web", "-o", "wide").ok().out().lines().toList();
        assertThat(d.get(0).trim().split("\\s{2,}")).containsExactly("NAME", "READY", "UP-TO-DATE", "AVAILABLE",
                "AGE", "CONTAINERS", "IMAGES", "SELECTOR");
        assertThat(d.get(1).split("\\s+")).startsWith("web", "2/2", "2", "2")
                .endsWith("web", E2eCluster.WEB_IMAGE + ":1", "app=web");
    }


    @Test
    @Order(3)
    void getWatchSeesAScale() throws InterruptedException {
        Process watch = kubectl.startKubectl("--namespace", ns, "get", "deployment", "web", "-w");
        try {
            await().atMost(TIMEOUT).until(() -> KubectlRunner.read(kubectl.out(watch)).contains("2/2"));
            k("scale", "deployment/web", "--replicas=3").ok();
            assertThat(replicas()).isEqualTo(3);
            awaitRolledOut(3, E2eCluster.WEB_IMAGE + ":1");
            await().atMost(TIMEOUT).until(() -> KubectlRunner.read(kubectl.out(watch)).lines()
                    .anyMatch(l -> l.matches("web\\s+3/3\\s+3\\s+3\\s+.*")));
            List<String> lines = KubectlRunner.read(kubectl.out(watch)).lines().toList();
            // one header, then rows: the watch's objects were Tables too
            assertThat(lines.stream().filter(l -> l.startsWith("NAME"))).hasSize(1);
            assertThat(lines.get(0)).startsWith("NAME").contains("READY", "UP-TO-DATE", "AVAILABLE", "AGE");
        } finally {
            stop(watch);
        }
    }


    @Test
    @Order(4)
    void applyAgainChangesTheImageAndDropsTheRemovedEnvVar() throws IOException {
        k("apply", "-f", manifest("v2.yaml", 2, false).toString()).ok();
        Deployment d = get(Deployment.class, ns, "web");
        assertThat(container(d).getImage()).isEqualTo(E2eCluster.WEB_IMAGE + ":2");
        // the three-way strategic merge patch deleted MODE (applied before, absent now) and kept GREETING
        assertThat(envNames(d)).containsExactly("GREETING");
        awaitRolledOut(replicas(), E2eCluster.WEB_IMAGE + ":2");
    }

    @Test
    @Order(5)
    void serverSideApplyConflictsUntilForced() {
        int scaled = replicas() + 1;
        k("patch", "deployment/web", "--type=merge", "--field-manager=e2e-autoscaler", "-p",
                "{\"spec\":{\"replicas\":" + scaled + "}}").ok();
        String file = dir.resolve("v2.yaml").toString();
        Result conflict = k("apply", "--server-side", "-f", file);
        assertThat(conflict.code()).isNotZero();
        assertThat(conflict.err()).contains("conflict").contains("e2e-autoscaler").contains(".spec.replicas");
        assertThat(replicas()).isEqualTo(scaled);

        k("apply", "--server-side", "--force-conflicts", "-f", file).ok();
        Deployment d = get(Deployment.class, ns, "web");
        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        assertThat(d.getMetadata().getManagedFields()).anySatisfy(m -> {
            assertThat(m.getManager()).isEqualTo("kubectl");
            assertThat(m.getOperation()).isEqualTo("Apply");
            assertThat(Codecs.json().writeValueAsString(m.getFieldsV1())).contains("\"f:replicas\"");
        });
        assertThat(d.getMetadata().getManagedFields()).filteredOn(m -> "e2e-autoscaler".equals(m.getManager()))
                .allSatisfy(m -> assertThat(Codecs.json().writeValueAsString(m.getFieldsV1()))
                        .doesNotContain("\"f:replicas\""));
        awaitRolledOut(2, E2eCluster.WEB_IMAGE + ":2");
    }


    @Test
    @Order(6)
    void setImageRolloutStatusHistoryUndoAndEdit() throws IOException {
        String before = revision();
        k("set", "image", "deployment/web", "web=" + E2eCluster.WEB_IMAGE + ":1").ok();
        assertThat(container(get(Deployment.class, ns, "web")).getImage()).isEqualTo(E2eCluster.WEB_IMAGE + ":1");
        Result status = k("rollout", "status", "deployment/web", "--timeout=120s").ok();
        assertThat(status.out()).contains("successfully rolled out");
        awaitRolledOut(replicas(), E2eCluster.WEB_IMAGE + ":1");
        assertThat(Integer.parseInt(revision())).isGreaterThan(Integer.parseInt(before));

        Result history = k("rollout", "history", "deployment/web").ok();
        assertThat(history.out()).contains("REVISION").contains(before).contains(revision());

        k("rollout", "undo", "deployment/web").ok();
        k("rollout", "status", "deployment/web", "--timeout=120s").ok();
        awaitRolledOut(replicas(), E2eCluster.WEB_IMAGE + ":2");

        Path editor = dir.resolve("edit-label.sh");
        try (InputStream in = getClass().getResourceAsStream("/e2e/edit-label.sh")) {
            Files.write(editor, in.readAllBytes());
        }
        Files.setPosixFilePermissions(editor, PosixFilePermissions.fromString("rwxr-xr-x"));
        Result edit = k(Map.of("KUBE_EDITOR", editor.toString(), "EDITOR", editor.toString()),
                "edit", "deployment/web").ok();
        assertThat(edit.out()).contains("deployment.apps/web edited");
        assertThat(get(Deployment.class, ns, "web").getMetadata().getLabels())
                .containsEntry("edited", "by-sed").containsEntry("app", "web");
    }

    @Test
    @Order(7)
    void labelAnnotateAndPatchOfEachType() {
        k("label", "deployment/web", "team=blue").ok();
        k("annotate", "deployment/web", "e2e/note=hello").ok();
        Deployment d = get(Deployment.class, ns, "web");
        assertThat(d.getMetadata().getLabels()).containsEntry("team", "blue");
        assertThat(d.getMetadata().getAnnotations()).containsEntry("e2e/note", "hello");

        // strategic: the env list merges by name (GREETING stays), where a merge patch would replace the list
        k("patch", "deployment/web", "--type=strategic", "-p",
                "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\",\"env\":"
                        + "[{\"name\":\"PATCHED\",\"value\":\"strategic\"}]}]}}}}").ok();
        assertThat(envNames(get(Deployment.class, ns, "web"))).containsExactlyInAnyOrder("GREETING", "PATCHED");

        k("patch", "deployment/web", "--type=merge", "-p",
                "{\"metadata\":{\"labels\":{\"team\":null,\"merged\":\"yes\"}}}").ok();
        d = get(Deployment.class, ns, "web");
        assertThat(d.getMetadata().getLabels()).doesNotContainKey("team").containsEntry("merged", "yes");

        k("patch", "deployment/web", "--type=json", "-p",
                "[{\"op\":\"replace\",\"path\":\"/spec/revisionHistoryLimit\",\"value\":5}]").ok();
        assertThat(get(Deployment.class, ns, "web").getSpec().getRevisionHistoryLimit()).isEqualTo(5);
        // a bad JSON patch is refused and changes nothing
        Result bad = k("patch", "deployment/web", "--type=json", "-p",
                "[{\"op\":\"test\",\"path\":\"/spec/revisionHistoryLimit\",\"value\":7}]");
        assertThat(bad.code()).isNotZero();
        assertThat(get(Deployment.class, ns, "web").getSpec().getRevisionHistoryLimit()).isEqualTo(5);
        awaitRolledOut(replicas(), E2eCluster.WEB_IMAGE + ":2");
    }

    @Test
    @Order(8)
    void explainPrintsTheRealSchema() {
        String description = "DeploymentStrategy describes how to replace existing pods with new ones.";
        Result r = k("explain", "deployment.spec.strategy").ok();
        assertThat(r.out()).containsPattern("FIELD:\\s+strategy <DeploymentStrategy>").contains(description)
                .containsPattern("rollingUpdate\\s+<RollingUpdateDeployment>").containsPattern("type\\s+<string>")
                .contains("Type of deployment. Can be \"Recreate\" or \"RollingUpdate\".");
        // kubectl read it from the server's OpenAPI v3 document of apps/v1
        assertThat(new String(api.raw().get("/openapi/v3/apis/apps/v1").block(TIMEOUT), StandardCharsets.UTF_8))
                .contains(description);
    }

    @Test
    @Order(9)
    void drainRespectsThePodDisruptionBudget() throws IOException {
        int replicas = replicas();
        List<Pod> before = livePods();
        String node = before.get(0).getSpec().getNodeName();
        assertThat(before).allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isEqualTo(node));
        Path pdb = dir.resolve("pdb.yaml");
        Files.writeString(pdb, """
                apiVersion: policy/v1
                kind: PodDisruptionBudget
                metadata: {name: web, namespace: %s}
                spec:
                  minAvailable: %d
                  selector: {matchLabels: {app: web}}
                """.formatted(ns, replicas));
        k("apply", "-f", pdb.toString()).ok();
        await().atMost(TIMEOUT).until(() -> pdb(PodDisruptionBudgetStatus::getCurrentHealthy) == replicas
                && pdb(PodDisruptionBudgetStatus::getDisruptionsAllowed) == 0);

        // every pod is needed: drain cordons the node, every eviction is refused (429), nothing is deleted
        String[] drain = {"drain", node, "--pod-selector=e2e-run=" + ns, "--ignore-daemonsets",
                "--delete-emptydir-data", "--timeout=8s"};
        Result refused = k(drain);
        assertThat(refused.code()).isNotZero();
        assertThat(refused.out() + refused.err()).contains("disruption budget");
        assertThat(get(Node.class, null, node).getSpec().getUnschedulable()).isTrue();
        assertThat(uids(livePods())).isEqualTo(uids(before));

        // one pod may go: exactly one is evicted, its replacement stays Pending on the cordoned node, and with
        // it unready the budget refuses the rest until the drain gives up
        k("patch", "pdb/web", "--type=merge", "-p",
                "{\"spec\":{\"minAvailable\":" + (replicas - 1) + "}}").ok();
        await().atMost(TIMEOUT).until(() -> pdb(PodDisruptionBudgetStatus::getDisruptionsAllowed) == 1);
        drain[drain.length - 1] = "--timeout=12s";
        Result partial = k(drain);
        Set<String> survivors = uids(livePods().stream().filter(p -> node.equals(p.getSpec().getNodeName())).toList());
        Set<String> evicted = uids(before).stream().filter(u -> !survivors.contains(u)).collect(Collectors.toSet());
        if (cluster.readyNodes().size() == 1) {
            assertThat(partial.code()).as(partial.err()).isNotZero();
            assertThat(evicted).hasSize(1);
            assertThat(livePods()).filteredOn(p -> p.getSpec().getNodeName() == null).singleElement()
                    .satisfies(p -> assertThat(p.getStatus().getPhase()).isEqualTo("Pending"));
            assertThat(pdb(PodDisruptionBudgetStatus::getDisruptionsAllowed)).isZero();
        } else {
            assertThat(evicted).isNotEmpty(); // the replacements may become Ready elsewhere and free more
        }

        k("uncordon", node).ok();
        assertThat(get(Node.class, null, node).getSpec().getUnschedulable()).isNotEqualTo(Boolean.TRUE);
        awaitRolledOut(replicas, E2eCluster.WEB_IMAGE + ":2");
        k("delete", "pdb/web").ok();
        assertThat(find(PodDisruptionBudget.class, ns, "web")).isNull();
    }

    @Test
    @Order(10)
    void topPodsShowsTheirUsage() {
        List<String> names = livePods().stream().map(p -> p.getMetadata().getName()).toList();
        // a pod is in the metrics API while the last scrape of its node had usage for it (each scrape replaces the
        // last, as in metrics-server), so both views are awaited together
        await().atMost(TIMEOUT).untilAsserted(() -> {
            JsonNode metrics = Codecs.json().readTree(api.raw().get("/apis/metrics.k8s.io/v1beta1/namespaces/" + ns
                    + "/pods").block(TIMEOUT));
            List<String> served = new ArrayList<>();
            metrics.path("items").forEach(i -> {
                served.add(i.path("metadata").path("name").asString());
                assertThat(i.path("containers").path(0).path("usage").has("memory")).as(i.toString()).isTrue();
            });
            assertThat(served).containsAll(names);
            List<String> lines = k("top", "pods", "-l", "app=web").ok().out().lines().toList();
            assertThat(lines.get(0).trim().split("\\s+")).containsExactly("NAME", "CPU(cores)", "MEMORY(bytes)");
            for (String name : names) {
                assertThat(lines).anySatisfy(l -> assertThat(l).matches(name + "\\s+\\d+m\\s+\\d+Mi\\s*"));
            }
        });
    }

    @Test
    @Order(11)
    void deleteTheFileRemovesEverything() {
        k("delete", "-f", dir.resolve("v2.yaml").toString(), "--timeout=120s").ok();
        // kubectl waited for the objects to go; the namespace (and the pods in it) are gone for real
        assertThat(find(Deployment.class, ns, "web")).isNull();
        assertThat(find(Service.class, ns, "web")).isNull();
        await().atMost(TIMEOUT).until(() -> find(Namespace.class, null, ns) == null);
        assertThat(api.resources(Pod.class).list(ns, ListOptions.all()).block(TIMEOUT).getItems()).isEmpty();
    }

    // ---- helpers ----

    /** Runs kubectl in this scenario's namespace (the admin's kubeconfig names none). */
    Result k(String... args) {
        return k(Map.of(), args);
    }

    Result k(Map<String, String> env, String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--namespace";
        all[1] = ns;
        System.arraycopy(args, 0, all, 2, args.length);
        return kubectl.kubectl(env, all);
    }

    /** The application's manifest with this image; {@code withMode} keeps the MODE env var the second apply drops. */
    Path manifest(String file, int image, boolean withMode) throws IOException {
        String template;
        try (InputStream in = getClass().getResourceAsStream("/e2e/app.yaml")) {
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Path f = dir.resolve(file);
        Files.writeString(f, template.replace("@NS@", ns).replace("@IMAGE@", E2eCluster.WEB_IMAGE + ":" + image)
                .replace("@ENV@", withMode ? "        - {name: MODE, value: first}\n" : ""));
        return f;
    }

    <T extends io.fabric8.kubernetes.api.model.HasMetadata> T get(Class<T> type, String namespace, String name) {
        T t = find(type, namespace, name);
        assertThat(t).as("%s %s/%s on the server", type.getSimpleName(), namespace, name).isNotNull();
        return t;
    }

    /** The object as the server has it now, null when it does not exist. */
    <T extends io.fabric8.kubernetes.api.model.HasMetadata> T find(Class<T> type, String namespace, String name) {
        ResourceClient<T> c = api.resources(type);
        try {
            return c.get(namespace, name).block(TIMEOUT);
        } catch (ApiStatusException e) {
            if (e.code() == 404) {
                return null;
            }
            throw e;
        }
    }

    static Container container(Deployment d) {
        return d.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    static List<String> envNames(Deployment d) {
        List<EnvVar> env = container(d).getEnv();
        return env == null ? List.of() : env.stream().map(EnvVar::getName).toList();
    }

    int replicas() {
        return get(Deployment.class, ns, "web").getSpec().getReplicas();
    }

    String revision() {
        return get(Deployment.class, ns, "web").getMetadata().getAnnotations().get("deployment.kubernetes.io/revision");
    }

    /** The application's pods that are not being deleted. */
    List<Pod> livePods() {
        return api.resources(Pod.class).list(ns, ListOptions.all().withLabelSelector("app=web")).block(TIMEOUT)
                .getItems().stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    }

    static Set<String> uids(List<Pod> pods) {
        return pods.stream().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet());
    }

    /** A number of the budget's status (-1 while the disruption controller has not written it). */
    int pdb(Function<PodDisruptionBudgetStatus, Integer> field) {
        PodDisruptionBudgetStatus s = get(PodDisruptionBudget.class, ns, "web").getStatus();
        Integer v = s == null ? null : field.apply(s);
        return v == null ? -1 : v;
    }

    /**
     * Waits until the Deployment is rolled out as the server sees it: {@code replicas} live pods, all of
     * {@code image}, Running and Ready on a node, and the Deployment's status saying so.
     */
    void awaitRolledOut(int replicas, String image) {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            Deployment d = get(Deployment.class, ns, "web");
            assertThat(d.getStatus()).isNotNull();
            assertThat(d.getStatus().getObservedGeneration()).isEqualTo(d.getMetadata().getGeneration());
            assertThat(d.getStatus().getUpdatedReplicas()).isEqualTo(replicas);
            assertThat(d.getStatus().getReadyReplicas()).isEqualTo(replicas);
            assertThat(d.getStatus().getReplicas()).isEqualTo(replicas);
            assertThat(livePods()).hasSize(replicas).allSatisfy(p -> {
                assertThat(p.getSpec().getContainers().get(0).getImage()).isEqualTo(image);
                assertThat(p.getSpec().getNodeName()).isNotBlank();
                assertThat(p.getStatus().getPhase()).isEqualTo("Running");
                assertThat(p.getStatus().getPodIP()).isNotBlank();
                assertThat(p.getStatus().getConditions()).anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo("Ready");
                    assertThat(c.getStatus()).isEqualTo("True");
                });
            });
        });
    }

    /** Waits for a background kubectl to end (it was stopped, or finished). */
    static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }
}
