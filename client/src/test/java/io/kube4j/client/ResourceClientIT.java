package io.kube4j.client;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.client.config.ClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResourceClientIT {

    private static final Duration T = Duration.ofSeconds(30);
    private static KubeClient client;
    private static String ns;
    private static ResourceClient<ConfigMap> configMaps;
    private static ResourceClient<Pod> pods;

    @BeforeAll
    static void start() {
        ApiServerInstance api = ApiServerInstance.shared();
        client = KubeClient.create(ClientConfig.of(api.url()));
        ns = "rc-it-" + UUID.randomUUID().toString().substring(0, 8);
        client.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata()
                .build()).block(T);
        configMaps = client.resources(ConfigMap.class);
        pods = client.resources(Pod.class);
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    private static ConfigMap cm(String name, Map<String, String> labels, Map<String, String> data) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(ns).withLabels(labels)
                .endMetadata().withData(data).build();
    }

    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer().endSpec().build();
    }

    @Test
    void createGetUpdateAndStaleUpdateConflicts() {
        ConfigMap created = configMaps.create(cm("crud", Map.of("a", "1"), Map.of("k", "v"))).block(T);
        assertThat(created.getMetadata().getUid()).isNotBlank();
        assertThat(created.getMetadata().getResourceVersion()).isNotBlank();
        ConfigMap got = configMaps.get(ns, "crud").block(T);
        assertThat(got.getData()).containsEntry("k", "v");

        got.getData().put("k", "v2");
        ConfigMap updated = configMaps.update(got).block(T);
        assertThat(updated.getData()).containsEntry("k", "v2");
        assertThat(updated.getMetadata().getResourceVersion()).isNotEqualTo(created.getMetadata().getResourceVersion());

        created.getData().put("k", "stale");
        assertThatThrownBy(() -> configMaps.update(created).block(T)).isInstanceOf(ApiStatusException.Conflict.class)
                .satisfies(e -> assertThat(((ApiStatusException) e).code()).isEqualTo(409));
    }

    @Test
    void errorsAreTypedStatuses() {
        assertThatThrownBy(() -> configMaps.get(ns, "nope").block(T)).isInstanceOf(ApiStatusException.NotFound.class)
                .satisfies(e -> assertThat(((ApiStatusException) e).reason()).isEqualTo("NotFound"));
        configMaps.create(cm("twice", Map.of(), Map.of())).block(T);
        assertThatThrownBy(() -> configMaps.create(cm("twice", Map.of(), Map.of())).block(T))
                .isInstanceOf(ApiStatusException.AlreadyExists.class);
        assertThatThrownBy(() -> configMaps.create(cm("bad-data", Map.of(), Map.of("bad/key", "v"))).block(T))
                .isInstanceOfSatisfying(ApiStatusException.Invalid.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.status().getDetails().getCauses())
                            .anyMatch(c -> c.getField().startsWith("data[bad/key]"));
                });
        assertThatThrownBy(() -> configMaps.delete(ns, "nope", DeleteOptions.defaults()).block(T))
                .isInstanceOf(ApiStatusException.NotFound.class);
    }

    @Test
    void listsWithSelectorsAndPages() {
        for (int i = 0; i < 7; i++) {
            configMaps.create(cm("page-" + i, Map.of("set", "pages", "parity", i % 2 == 0 ? "even" : "odd"),
                    Map.of())).block(T);
        }
        KubernetesResourceList<ConfigMap> even = configMaps.list(ns,
                ListOptions.all().withLabelSelector("set=pages,parity in (even)")).block(T);
        assertThat(even.getItems()).extracting(c -> c.getMetadata().getName())
                .containsExactlyInAnyOrder("page-0", "page-2", "page-4", "page-6");
        assertThat(even.getMetadata().getResourceVersion()).isNotBlank();

        KubernetesResourceList<ConfigMap> byName = configMaps.list(ns,
                ListOptions.all().withFieldSelector("metadata.name=page-3")).block(T);
        assertThat(byName.getItems()).extracting(c -> c.getMetadata().getName()).containsExactly("page-3");

        Set<String> seen = new HashSet<>();
        List<Integer> pageSizes = new ArrayList<>();
        String cont = null;
        do {
            KubernetesResourceList<ConfigMap> page = configMaps.list(ns,
                    ListOptions.all().withLabelSelector("set=pages").withLimit(3, cont)).block(T);
            pageSizes.add(page.getItems().size());
            page.getItems().forEach(c -> assertThat(seen.add(c.getMetadata().getName())).isTrue());
            cont = page.getMetadata().getContinue();
        } while (cont != null && !cont.isEmpty());
        assertThat(seen).hasSize(7);
        assertThat(pageSizes).containsExactly(3, 3, 1);

        assertThat(configMaps.list(null, ListOptions.all().withLabelSelector("set=pages")).block(T).getItems())
                .as("across namespaces").hasSize(7);
    }

    @Test
    void patchesMergeAndJson() {
        configMaps.create(cm("patched", Map.of(), Map.of("a", "1"))).block(T);
        ConfigMap merged = configMaps.patch(ns, "patched", PatchType.MERGE, "{\"data\":{\"b\":\"2\"}}").block(T);
        assertThat(merged.getData()).containsEntry("a", "1").containsEntry("b", "2");
        ConfigMap json = configMaps.patch(ns, "patched", PatchType.JSON,
                "[{\"op\":\"remove\",\"path\":\"/data/a\"},{\"op\":\"add\",\"path\":\"/data/c\",\"value\":\"3\"}]")
                .block(T);
        assertThat(json.getData()).containsOnlyKeys("b", "c");
    }

    @Test
    void strategicMergePatchMergesContainersByName() {
        Pod p = pod("smp-pod");
        p.getSpec().getContainers().add(new io.fabric8.kubernetes.api.model.ContainerBuilder().withName("d")
                .withImage("busybox").build());
        pods.create(p).block(T);
        String patch = "{\"spec\":{\"containers\":[{\"name\":\"d\",\"image\":\"nginx\"}]}}";

        Pod patched = pods.patch(ns, "smp-pod", PatchType.STRATEGIC, patch,
                PatchOptions.none().withFieldValidation("Strict")).block(T);

        assertThat(patched.getSpec().getContainers()).extracting(c -> c.getName() + "=" + c.getImage())
                .as("a merge patch would have replaced the list").containsExactly("c=busybox", "d=nginx");
    }

    @Test
    void updateStatusWritesOnlyStatus() {
        Pod p = pods.create(pod("status-pod")).block(T);
        PodCondition ready = new PodConditionBuilder().withType("Ready").withStatus("True").build();
        p.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running")
                .withConditions(ready).build());
        p.getSpec().setActiveDeadlineSeconds(99L); // ignored by /status
        Pod after = pods.updateStatus(p).block(T);
        assertThat(after.getStatus().getPhase()).isEqualTo("Running");
        assertThat(after.getSpec().getActiveDeadlineSeconds()).isNull();
        assertThat(pods.get(ns, "status-pod").block(T).getStatus().getPhase()).isEqualTo("Running");

        Pod succeeded = pods.updateWithRetry(ns, "status-pod", cur -> {
            cur.getStatus().setPhase("Succeeded");
            return cur;
        }, true).block(T);
        assertThat(succeeded.getStatus().getPhase()).isEqualTo("Succeeded");
        Pod untouched = pods.updateWithRetry(ns, "status-pod", cur -> null, true).block(T);
        assertThat(untouched.getMetadata().getResourceVersion())
                .as("a null mutation writes nothing").isEqualTo(succeeded.getMetadata().getResourceVersion());
    }

    @Test
    void deletesBoundPodsGracefullyAndOthersAtOnce() {
        pods.create(pod("bound")).block(T);
        client.bindPod(ns, "bound", "node-1").block(T);
        assertThat(pods.get(ns, "bound").block(T).getSpec().getNodeName()).isEqualTo("node-1");
        assertThatThrownBy(() -> client.bindPod(ns, "bound", "node-2").block(T))
                .isInstanceOf(ApiStatusException.Conflict.class);

        Pod pending = pods.delete(ns, "bound", new DeleteOptions(30L, null, null, null)).block(T);
        assertThat(pending.getMetadata().getDeletionTimestamp()).isNotBlank();
        assertThat(pending.getMetadata().getDeletionGracePeriodSeconds()).isEqualTo(30L);
        assertThat(pods.get(ns, "bound").block(T).getMetadata().getDeletionTimestamp()).isNotBlank();
        pods.delete(ns, "bound", DeleteOptions.now()).block(T);
        assertThatThrownBy(() -> pods.get(ns, "bound").block(T)).isInstanceOf(ApiStatusException.NotFound.class);

        ConfigMap c = configMaps.create(cm("deleted", Map.of(), Map.of())).block(T);
        assertThatThrownBy(() -> configMaps.delete(ns, "deleted", new DeleteOptions(null, "Background", "wrong-uid",
                null)).block(T)).isInstanceOf(ApiStatusException.Conflict.class);
        ConfigMap gone = configMaps.delete(ns, "deleted", new DeleteOptions(null, "Background",
                c.getMetadata().getUid(), null)).block(T);
        assertThat(gone.getMetadata().getName()).isEqualTo("deleted");
        assertThatThrownBy(() -> configMaps.get(ns, "deleted").block(T)).isInstanceOf(ApiStatusException.NotFound.class);
    }

    @Test
    void groupResourcesUseTheirApiPath() {
        Deployment d = new DeploymentBuilder().withNewMetadata().withName("web").withNamespace(ns).endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
                .withNewSpec().addNewContainer().withName("c").withImage("nginx").endContainer().endSpec()
                .endTemplate().endSpec().build();
        ResourceClient<Deployment> deployments = client.resources(Deployment.class);
        deployments.create(d).block(T);
        assertThat(deployments.get(ns, "web").block(T).getSpec().getSelector().getMatchLabels())
                .containsEntry("app", "web");
    }

    @Test
    void updateWithRetryUnderConcurrentWritersLosesNoIncrement() {
        configMaps.create(cm("counter", Map.of(), Map.of("n", "0"))).block(T);
        int writers = 10;
        int perWriter = 5;
        Flux.range(0, writers)
                .flatMap(w -> Flux.range(0, perWriter)
                        .concatMap(i -> configMaps.updateWithRetry(ns, "counter", c -> {
                            c.getData().put("n", Integer.toString(Integer.parseInt(c.getData().get("n")) + 1));
                            return c;
                        }, false))
                        .subscribeOn(Schedulers.parallel()), writers)
                .blockLast(Duration.ofMinutes(2));
        assertThat(configMaps.get(ns, "counter").block(T).getData()).containsEntry("n",
                Integer.toString(writers * perWriter));
    }
}
