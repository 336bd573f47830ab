package io.kube4j.controller.clusterroleaggregation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.ResourceClient;
import io.kube4j.controller.manager.ControllerManager;
import io.kube4j.controller.testsupport.ControllerTestEnv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The ClusterRole aggregation controller on the real apiserver. */
class ClusterRoleAggregationIT {

    private static final Duration WAIT = ControllerTestEnv.WAIT;
    private static ResourceClient<ClusterRole> roles;
    private static ControllerManager manager;

    @BeforeAll
    static void start() {
        roles = ControllerTestEnv.client().resources(ClusterRole.class);
        manager = ControllerTestEnv.start(new ClusterRoleAggregationControllerFactory(
                ClusterRoleAggregationProperties.defaults()));
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (manager != null) {
            manager.stop();
        }
    }

    static PolicyRule rule(String verb, String resource) {
        return new PolicyRuleBuilder().withApiGroups("").withVerbs(verb).withResources(resource).build();
    }

    private static List<PolicyRule> rulesOf(String name) {
        List<PolicyRule> r = roles.get(null, name).block(WAIT).getRules();
        return r == null ? List.of() : r;
    }

    @Test
    void anAggregatedRoleFollowsTheRolesItsSelectorMatches() {
        String id = UUID.randomUUID().toString().substring(0, 6);
        String label = "test.kube4j.io/aggregate-to-" + id;
        String target = "agg-" + id;
        roles.create(new ClusterRoleBuilder().withNewMetadata().withName(target).endMetadata()
                .withNewAggregationRule().withClusterRoleSelectors(new LabelSelectorBuilder()
                        .withMatchLabels(Map.of(label, "true")).build()).endAggregationRule()
                .withRules(rule("delete", "nodes")) // not from a matched role: replaced
                .build()).block(WAIT);
        await().atMost(WAIT).until(() -> rulesOf(target).isEmpty());

        roles.create(new ClusterRoleBuilder().withNewMetadata().withName("b-" + id).addToLabels(label, "true")
                .endMetadata().withRules(rule("get", "pods"), rule("list", "pods")).build()).block(WAIT);
        await().atMost(WAIT).untilAsserted(() -> assertThat(rulesOf(target))
                .containsExactly(rule("get", "pods"), rule("list", "pods")));

        roles.create(new ClusterRoleBuilder().withNewMetadata().withName("a-" + id).addToLabels(label, "true")
                .endMetadata().withRules(rule("get", "services"), rule("get", "pods")).build()).block(WAIT);
        roles.create(new ClusterRoleBuilder().withNewMetadata().withName("c-" + id).addToLabels("unrelated", "x")
                .endMetadata().withRules(rule("get", "secrets")).build()).block(WAIT);
        await().atMost(WAIT).untilAsserted(() -> assertThat(rulesOf(target))
                .containsExactly(rule("get", "services"), rule("get", "pods"), rule("list", "pods")));

        roles.updateWithRetry(null, "b-" + id, r -> {
            r.setRules(List.of(rule("watch", "pods")));
            return r;
        }, false).block(WAIT);
        await().atMost(WAIT).untilAsserted(() -> assertThat(rulesOf(target))
                .containsExactly(rule("get", "services"), rule("get", "pods"), rule("watch", "pods")));

        roles.delete(null, "a-" + id, DeleteOptions.defaults()).block(WAIT);
        await().atMost(WAIT).untilAsserted(() -> assertThat(rulesOf(target)).containsExactly(rule("watch", "pods")));

        for (String n : List.of(target, "b-" + id, "c-" + id)) {
            roles.delete(null, n, DeleteOptions.defaults()).block(WAIT);
        }
    }
}
