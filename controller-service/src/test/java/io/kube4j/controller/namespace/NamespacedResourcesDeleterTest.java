package io.kube4j.controller.namespace;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NamespaceCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.client.util.FakeClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NamespacedResourcesDeleterTest {

    private static final ResourceRegistry R = ResourceRegistry.builtin();
    private static final ResourceType PODS = R.byType(Pod.class).orElseThrow();
    private static final ResourceType CONFIGMAPS = R.byType(ConfigMap.class).orElseThrow();
    private static final ResourceType SECRETS = R.byType(Secret.class).orElseThrow();
    private static final ResourceType DEPLOYMENTS = R.byType(Deployment.class).orElseThrow();
    private static final Instant DELETED_AT = Instant.parse("2026-01-01T00:00:00Z");

    private FakeClock clock;
    private FakeNamespaceDeletionClient fake;
    private NamespacedResourcesDeleter deleter;

    @BeforeEach
    void setUp() {
        clock = new FakeClock(DELETED_AT.plusSeconds(1));
        fake = new FakeNamespaceDeletionClient(terminating("kubernetes"));
        deleter = new NamespacedResourcesDeleter(fake, clock);
    }

    private static Namespace terminating(String... finalizers) {
        return new NamespaceBuilder().withNewMetadata().withName("ns").withUid("u1")
                .withDeletionTimestamp(DELETED_AT.toString()).endMetadata()
                .withNewSpec().withFinalizers(finalizers).endSpec()
                .withNewStatus().withPhase("Terminating").endStatus().build();
    }

    private static ConfigMap cm(String name, String... finalizers) {
        return new ConfigMapBuilder().withNewMetadata().withNamespace("ns").withName(name).withFinalizers(finalizers)
                .endMetadata().build();
    }

    private static Pod pod(String name, String node, Long grace, String phase) {
        return new PodBuilder().withNewMetadata().withNamespace("ns").withName(name).endMetadata()
                .withNewSpec().withNodeName(node).withTerminationGracePeriodSeconds(grace).endSpec()
                .withNewStatus().withPhase(phase).endStatus().build();
    }

    private NamespaceCondition condition(String type) {
        return NamespaceConditionUpdater.find(fake.namespace.getStatus().getConditions(), type);
    }

    @Test
    void deletesEveryResourceThenRemovesTheFinalizerAndSetsAllConditionsOk() {
        fake.add(CONFIGMAPS, cm("a"));
        fake.add(SECRETS, new SecretBuilder().withNewMetadata().withNamespace("ns").withName("s").endMetadata().build());
        fake.add(DEPLOYMENTS, new DeploymentBuilder().withNewMetadata().withNamespace("ns").withName("d").endMetadata()
                .build());
        fake.add(PODS, pod("unbound", null, 30L, "Pending"));

        deleter.delete(fake.namespace);

        assertThat(fake.objects.values()).allSatisfy(m -> assertThat(m).isEmpty());
        assertThat(fake.calls).contains("deletecollection configmaps", "deletecollection secrets",
                "deletecollection deployments", "finalize ns");
        assertThat(fake.calls.indexOf("deletecollection pods")).isLessThan(fake.calls.indexOf("deletecollection configmaps"));
        assertThat(fake.namespace.getSpec().getFinalizers()).isEmpty();
        assertThat(fake.namespace.getStatus().getConditions()).extracting(NamespaceCondition::getType)
                .containsExactlyElementsOf(NamespaceConditionUpdater.TYPES);
        assertThat(fake.namespace.getStatus().getConditions()).allSatisfy(c -> assertThat(c.getStatus()).isEqualTo("False"));
        assertThat(condition(NamespaceConditionUpdater.CONTENT_REMAINING).getReason()).isEqualTo("ContentRemoved");
    }

    @Test
    void resourcesWithoutDeleteCollectionAreDeletedOneByOne() {
        fake.withoutDeleteCollection.add("configmaps");
        fake.add(CONFIGMAPS, cm("a"));
        fake.add(CONFIGMAPS, cm("b"));

        deleter.delete(fake.namespace);

        assertThat(fake.calls).contains("delete configmaps/a", "delete configmaps/b", "finalize ns")
                .doesNotContain("deletecollection configmaps");
        assertThat(fake.of(CONFIGMAPS)).isEmpty();
    }

    @Test
    void terminatingPodsGiveTheirLongestGracePeriodAsEstimateAndHoldBackOtherResources() {
        fake.add(PODS, pod("a", "node-1", 10L, "Running"));
        fake.add(PODS, pod("b", "node-1", null, "Running")); // the apiserver's default: 30 s
        fake.add(PODS, pod("done", "node-1", 600L, "Succeeded")); // terminal: not waited for
        fake.add(CONFIGMAPS, cm("c"));

        assertThatThrownBy(() -> deleter.delete(fake.namespace))
                .isInstanceOfSatisfying(NamespacedResourcesDeleter.ContentRemainingException.class,
                        e -> assertThat(e.estimateSeconds()).isEqualTo(30));

        assertThat(fake.of(CONFIGMAPS)).hasSize(1);
        assertThat(fake.calls).doesNotContain("deletecollection configmaps", "finalize ns");
        NamespaceCondition remaining = condition(NamespaceConditionUpdater.CONTENT_REMAINING);
        assertThat(remaining.getStatus()).isEqualTo("True");
        assertThat(remaining.getReason()).isEqualTo("SomeResourcesRemain");
        assertThat(remaining.getMessage()).isEqualTo("Some resources are remaining: pods. has 3 resource instances");
    }

    @Test
    void podsStillThereAfterTheirGracePeriodWithoutFinalizersAreAnError() {
        fake.add(PODS, pod("a", "node-1", 10L, "Running"));
        clock.advance(Duration.ofSeconds(60));

        assertThatThrownBy(() -> deleter.delete(fake.namespace))
                .isInstanceOf(NamespacedResourcesDeleter.ContentDeletionException.class)
                .hasMessageContaining("unexpected items still remain in namespace: ns for resource: pods.");
        assertThat(condition(NamespaceConditionUpdater.CONTENT_FAILURE).getStatus()).isEqualTo("True");
    }

    @Test
    void objectsWithFinalizersBlockTheNamespaceAndAreCountedPerFinalizer() {
        fake.add(CONFIGMAPS, cm("a", "example.com/block"));
        fake.add(CONFIGMAPS, cm("b", "example.com/block", "example.com/other"));
        fake.add(SECRETS, new SecretBuilder().withNewMetadata().withNamespace("ns").withName("s")
                .withFinalizers("example.com/block").endMetadata().build());

        assertThatThrownBy(() -> deleter.delete(fake.namespace))
                .isInstanceOfSatisfying(NamespacedResourcesDeleter.ContentRemainingException.class,
                        e -> assertThat(e.estimateSeconds()).isEqualTo(15));

        assertThat(fake.calls).doesNotContain("finalize ns");
        assertThat(condition(NamespaceConditionUpdater.CONTENT_REMAINING).getMessage()).isEqualTo(
                "Some resources are remaining: configmaps. has 2 resource instances, secrets. has 1 resource instances");
        NamespaceCondition finalizers = condition(NamespaceConditionUpdater.FINALIZERS_REMAINING);
        assertThat(finalizers.getStatus()).isEqualTo("True");
        assertThat(finalizers.getReason()).isEqualTo("SomeFinalizersRemain");
        assertThat(finalizers.getMessage()).isEqualTo("Some content in the namespace has finalizers remaining: "
                + "example.com/block in 3 resource instances, example.com/other in 1 resource instances");

        // the finalizers go: the next pass finishes and the conditions clear
        fake.objects.values().forEach(Map::clear);
        deleter.delete(fake.namespace);
        assertThat(fake.calls).contains("finalize ns");
        assertThat(condition(NamespaceConditionUpdater.FINALIZERS_REMAINING).getStatus()).isEqualTo("False");
        assertThat(condition(NamespaceConditionUpdater.CONTENT_REMAINING).getReason()).isEqualTo("ContentRemoved");
    }

    @Test
    void aFailingResourceIsReportedWhileTheOthersAreStillDeleted() {
        fake.failingLists.add("secrets");
        fake.withoutDeleteCollection.add("secrets");
        fake.add(CONFIGMAPS, cm("a"));

        assertThatThrownBy(() -> deleter.delete(fake.namespace))
                .isInstanceOf(NamespacedResourcesDeleter.ContentDeletionException.class)
                .hasMessageContaining("secrets.");

        assertThat(fake.of(CONFIGMAPS)).isEmpty();
        assertThat(fake.calls).doesNotContain("finalize ns");
        NamespaceCondition failure = condition(NamespaceConditionUpdater.CONTENT_FAILURE);
        assertThat(failure.getStatus()).isEqualTo("True");
        assertThat(failure.getReason()).isEqualTo("ContentDeletionFailed");
        assertThat(failure.getMessage()).startsWith("Failed to delete all resource types, 1 remaining: ")
                .contains("injected list failure");
    }

    @Test
    void aDiscoveryFailureIsAConditionButWhatWasFoundIsStillDeleted() {
        fake.discoveryError = "Discovery failed for some resources, 1 failing: widgets.example.com: not served";
        fake.add(CONFIGMAPS, cm("a"));

        assertThatThrownBy(() -> deleter.delete(fake.namespace))
                .isInstanceOf(NamespacedResourcesDeleter.ContentDeletionException.class);

        assertThat(fake.of(CONFIGMAPS)).isEmpty();
        NamespaceCondition c = condition(NamespaceConditionUpdater.DISCOVERY_FAILURE);
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getReason()).isEqualTo("DiscoveryFailed");
        assertThat(c.getMessage()).isEqualTo(fake.discoveryError);
    }

    @Test
    void leavesActiveAndAlreadyFinalizedNamespacesAlone() {
        fake.add(CONFIGMAPS, cm("a"));
        Namespace active = new NamespaceBuilder().withNewMetadata().withName("ns").endMetadata()
                .withNewSpec().withFinalizers("kubernetes").endSpec().build();
        deleter.delete(active);
        fake.namespace = terminating("example.com/other");
        deleter.delete(fake.namespace);

        assertThat(fake.calls).isEmpty();
        assertThat(fake.of(CONFIGMAPS)).hasSize(1);
    }

    @Test
    void marksTheNamespaceTerminatingWhenItsPhaseLags() {
        Namespace ns = terminating("kubernetes");
        ns.getStatus().setPhase("Active");
        fake.namespace = ns;

        deleter.delete(ns);

        assertThat(fake.namespace.getStatus().getPhase()).isEqualTo("Terminating");
        assertThat(fake.calls).contains("finalize ns");
    }

    @Test
    void unchangedConditionsAreNotWrittenAgain() {
        fake.add(CONFIGMAPS, cm("a", "example.com/block"));
        assertThatThrownBy(() -> deleter.delete(fake.namespace));
        int writes = fake.statusWrites;
        assertThatThrownBy(() -> deleter.delete(fake.namespace));
        assertThat(writes).isEqualTo(1);
        assertThat(fake.statusWrites).isEqualTo(writes);
    }
}
