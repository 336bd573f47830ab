package io.kube4j.controller.namespace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceCondition;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.kube4j.apiserver.testsupport.EtcdServer;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.client.ResourceClient;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * The namespace controller on the real apiserver and etcd: a namespace with 500 objects of 10 kinds is emptied and
 * removed, leaving no key of it in etcd; an object with a finalizer holds its namespace (with the conditions saying
 * so) until the finalizer goes.
 */
class NamespaceDeletionIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static KubeClient client;
    private static ControllerManager manager;

    @BeforeAll
    static void start() {
        client = ControllerTestEnv.client();
        manager = ControllerTestEnv.start(new NamespaceControllerFactory(NamespaceControllerProperties.defaults()));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (manager != null) {
            manager.stop();
        }
    }

    private static final Map<String, String> APP = Map.of("app", "ns-it");

    private static PodTemplateSpec template(String restartPolicy) {
        return new PodTemplateSpecBuilder().withNewMetadata().withLabels(APP).endMetadata()
                .withNewSpec().withRestartPolicy(restartPolicy).addNewContainer().withName("c").withImage("busybox")
                .endContainer().endSpec().build();
    }

    /** Ten kinds, {@code perKind} of each. */
    private static List<HasMetadata> content(String ns, int perKind) {
        List<IntFunction<HasMetadata>> kinds = List.of(
                i -> new ConfigMapBuilder().withNewMetadata().withNamespace(ns).withName("cm-" + i).endMetadata()
                        .addToData("k", "v" + i).build(),
                i -> new SecretBuilder().withNewMetadata().withNamespace(ns).withName("secret-" + i).endMetadata()
                        .addToStringData("k", "v").build(),
                i -> new ServiceBuilder().withNewMetadata().withNamespace(ns).withName("svc-" + i).endMetadata()
                        .withNewSpec().withSelector(APP).addNewPort().withPort(80).endPort().endSpec().build(),
                i -> new PodBuilder().withNewMetadata().withNamespace(ns).withName("pod-" + i).withLabels(APP)
                        .endMetadata().withNewSpec().addNewContainer().withName("c").withImage("busybox").endContainer()
                        .endSpec().build(),
                i -> new ServiceAccountBuilder().withNewMetadata().withNamespace(ns).withName("sa-" + i).endMetadata()
                        .build(),
                i -> new DeploymentBuilder().withNewMetadata().withNamespace(ns).withName("deploy-" + i).endMetadata()
                        .withNewSpec().withReplicas(0).withNewSelector().withMatchLabels(APP).endSelector()
                        .withTemplate(template("Always")).endSpec().build(),
                i -> new ReplicaSetBuilder().withNewMetadata().withNamespace(ns).withName("rs-" + i).endMetadata()
                        .withNewSpec().withReplicas(0).withNewSelector().withMatchLabels(APP).endSelector()
                        .withTemplate(template("Always")).endSpec().build(),
                i -> new JobBuilder().withNewMetadata().withNamespace(ns).withName("job-" + i).endMetadata()
                        .withNewSpec().withSuspend(true).withTemplate(template("Never")).endSpec().build(),
                i -> new EndpointsBuilder().withNewMetadata().withNamespace(ns).withName("ep-" + i).endMetadata()
                        .build(),
                i -> new LeaseBuilder().withNewMetadata().withNamespace(ns).withName("lease-" + i).endMetadata()
                        .withNewSpec().withHolderIdentity("holder-" + i).endSpec().build());
        List<HasMetadata> out = new ArrayList<>();
        for (IntFunction<HasMetadata> kind : kinds) {
            for (int i = 0; i < perKind; i++) {
                out.add(kind.apply(i));
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static ResourceClient<HasMetadata> resources(HasMetadata o) {
        return (ResourceClient<HasMetadata>) client.resources(o.getClass());
    }

    private static Namespace namespace(String name) {
        try {
            return client.resources(Namespace.class).get(null, name).block(WAIT);
        } catch (ApiStatusException.NotFound e) {
            return null;
        }
    }

    /** Every etcd key of the namespace: its objects ({@code /<ns>/} in the key) and the namespace itself. */
    private static List<String> etcdKeysOf(String ns) throws Exception {
        try (Client etcd = Client.builder().endpoints(EtcdServer.shared().endpoint()).build()) {
            List<KeyValue> kvs = etcd.getKVClient().get(ByteSequence.from("/registry/", StandardCharsets.UTF_8),
                    GetOption.builder().isPrefix(true).withKeysOnly(true).build()).get().getKvs();
            assertThat(kvs).as("the registry holds keys at all").isNotEmpty();
            return kvs.stream().map(kv -> kv.getKey().toString(StandardCharsets.UTF_8))
                    .filter(k -> k.contains("/" + ns + "/") || k.equals("/registry/namespaces/" + ns)).toList();
        }
    }

    @Test
    void aNamespaceOf500ObjectsOf10KindsIsEmptiedAndRemovedLeavingNothingInEtcd() throws Exception {
        String ns = ControllerTestEnv.namespace("ns-500");
        List<HasMetadata> objects = content(ns, 50);
        long created = System.nanoTime();
        Flux.fromIterable(objects).flatMap(o -> resources(o).create(o), 32).then().block(WAIT);
        System.out.printf("NamespaceDeletionIT: %d objects created in %d ms%n", objects.size(),
                (System.nanoTime() - created) / 1_000_000);
        assertThat(etcdKeysOf(ns)).hasSize(501);

        long start = System.nanoTime();
        client.resources(Namespace.class).delete(null, ns, DeleteOptions.defaults()).block(WAIT);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> namespace(ns) == null);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("NamespaceDeletionIT: namespace with %d objects of 10 kinds deleted in %d ms "
                + "(including the controller's %s deletion delay; load average %.1f)%n", objects.size(), millis,
                NamespaceControllerProperties.defaults().deletionDelay(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

        assertThat(etcdKeysOf(ns)).isEmpty();
    }

    @Test
    void anObjectWithAFinalizerHoldsTheNamespaceUntilTheFinalizerGoes() throws Exception {
        String ns = ControllerTestEnv.namespace("ns-fin");
        ResourceClient<ConfigMap> cms = client.resources(ConfigMap.class);
        cms.create(new ConfigMapBuilder().withNewMetadata().withNamespace(ns).withName("held")
                .withFinalizers("example.com/hold").endMetadata().build()).block(WAIT);
        for (HasMetadata o : content(ns, 2)) {
            resources(o).create(o).block(WAIT);
        }

        client.resources(Namespace.class).delete(null, ns, DeleteOptions.defaults()).block(WAIT);

        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            Namespace n = namespace(ns);
            assertThat(n).isNotNull();
            NamespaceCondition finalizers = NamespaceConditionUpdater.find(n.getStatus().getConditions(),
                    NamespaceConditionUpdater.FINALIZERS_REMAINING);
            assertThat(finalizers).isNotNull();
            assertThat(finalizers.getStatus()).isEqualTo("True");
            assertThat(finalizers.getMessage()).isEqualTo(
                    "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances");
            NamespaceCondition content = NamespaceConditionUpdater.find(n.getStatus().getConditions(),
                    NamespaceConditionUpdater.CONTENT_REMAINING);
            assertThat(content.getMessage()).isEqualTo(
                    "Some resources are remaining: configmaps. has 1 resource instances");
        });
        assertThat(namespace(ns).getSpec().getFinalizers()).containsExactly("kubernetes");
        assertThat(etcdKeysOf(ns)).containsExactlyInAnyOrder("/registry/namespaces/" + ns,
                "/registry/configmaps/" + ns + "/held");

        cms.updateWithRetry(ns, "held", cm -> {
            cm.getMetadata().setFinalizers(List.of());
            return cm;
        }, false).block(WAIT);

        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> namespace(ns) == null);
        assertThat(etcdKeysOf(ns)).isEmpty();
    }

    @Test
    void aNamespaceWaitsForItsGracefullyTerminatingPodsBeforeTouchingAnythingElse() throws Exception {
        String ns = ControllerTestEnv.namespace("ns-grace");
        // Bound to a node no agent runs for: its graceful deletion only ends when someone (here the test) ends it.
        client.resources(io.fabric8.kubernetes.api.model.Pod.class).create(new PodBuilder().withNewMetadata()
                .withNamespace(ns).withName("bound").endMetadata().withNewSpec().withNodeName("ns-it-no-such-agent")
                .withTerminationGracePeriodSeconds(20L).addNewContainer().withName("c").withImage("busybox")
                .endContainer().endSpec().build()).block(WAIT);
        client.resources(ConfigMap.class).create(new ConfigMapBuilder().withNewMetadata().withNamespace(ns)
                .withName("cm").endMetadata().build()).block(WAIT);

        client.resources(Namespace.class).delete(null, ns, DeleteOptions.defaults()).block(WAIT);

        await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            NamespaceCondition content = NamespaceConditionUpdater.find(namespace(ns).getStatus().getConditions(),
                    NamespaceConditionUpdater.CONTENT_REMAINING);
            assertThat(content).isNotNull();
            assertThat(content.getMessage()).isEqualTo("Some resources are remaining: pods. has 1 resource instances");
        });
        assertThat(client.resources(io.fabric8.kubernetes.api.model.Pod.class).get(ns, "bound").block(WAIT)
                .getMetadata().getDeletionTimestamp()).isNotNull();
        assertThat(etcdKeysOf(ns)).as("the configmap waits for the pods")
                .contains("/registry/configmaps/" + ns + "/cm");

        // what the node agent does once the containers stopped
        client.resources(io.fabric8.kubernetes.api.model.Pod.class).delete(ns, "bound", DeleteOptions.now())
                .block(WAIT);

        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> namespace(ns) == null);
        assertThat(etcdKeysOf(ns)).isEmpty();
    }
}
