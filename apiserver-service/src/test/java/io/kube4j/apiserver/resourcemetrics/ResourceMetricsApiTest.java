package io.kube4j.apiserver.resourcemetrics;

import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.auth.authz.bootstrap.DefaultPolicy;
import io.kube4j.apiserver.auth.authz.rbac.RuleCoverage;
import io.kube4j.apiserver.registry.ListOptions;
import io.kube4j.apiserver.rest.ApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.mock.web.reactive.function.server.MockServerRequest;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The metrics API's registration, selectors and default RBAC. */
class ResourceMetricsApiTest {

    private static final ResourceRegistry REGISTRY = ResourceRegistry.builtin();
    private static final ResourceType PODS = REGISTRY.byPath("", "v1", "pods").orElseThrow();
    private static final ResourceType NODES = REGISTRY.byPath("", "v1", "nodes").orElseThrow();

    @Test
    void registeredReadOnlyAndNotStored() {
        ResourceType pm = REGISTRY.byPath("metrics.k8s.io", "v1beta1", "pods").orElseThrow();
        ResourceType nm = REGISTRY.byPath("metrics.k8s.io", "v1beta1", "nodes").orElseThrow();
        assertThat(pm.kind()).isEqualTo("PodMetrics");
        assertThat(pm.namespaced()).isTrue();
        assertThat(nm.kind()).isEqualTo("NodeMetrics");
        assertThat(nm.namespaced()).isFalse();
        assertThat(pm.verbs()).containsExactly("get", "list");
        assertThat(pm.stored()).isFalse();
        assertThat(nm.stored()).isFalse();
        assertThat(PODS.stored()).isTrue();
        // a user's "pods" still means the core resource
        assertThat(REGISTRY.byName("pods")).contains(PODS);
    }

    private static MockServerRequest request(Map<String, String> query) {
        MockServerRequest.Builder b = MockServerRequest.builder();
        query.forEach(b::queryParam);
        return b.build();
    }

    @Test
    void selectorsAreParsedAndServedFromTheCache() {
        ListOptions o = ResourceMetricsExtension.listOptions(request(Map.of("labelSelector", "app=web,tier!=db",
                "fieldSelector", "metadata.name=x")), PODS);
        assertThat(o.labels().matches(Map.of("app", "web"))).isTrue();
        assertThat(o.labels().matches(Map.of("app", "web", "tier", "db"))).isFalse();
        assertThat(o.fields().exactValue("metadata.name")).contains("x");
        assertThat(o.resourceVersion()).isEqualTo("0");
        assertThat(ResourceMetricsExtension.listOptions(request(Map.of("fieldSelector", "metadata.namespace=a")), PODS)
                .fields().exactValue("metadata.namespace")).contains("a");
    }

    @ParameterizedTest
    @ValueSource(strings = {"spec.nodeName=n", "status.phase=Running"})
    void otherFieldsAreABadRequest(String selector) {
        assertThatThrownBy(() -> ResourceMetricsExtension.listOptions(request(Map.of("fieldSelector", selector)), PODS))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
    }

    @Test
    void nodesHaveNoNamespaceField() {
        assertThatThrownBy(() -> ResourceMetricsExtension.listOptions(
                request(Map.of("fieldSelector", "metadata.namespace=a")), NODES))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
        assertThatThrownBy(() -> ResourceMetricsExtension.listOptions(request(Map.of("labelSelector", "a in (")), NODES))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400));
    }

    @Test
    void viewEditAndAdminReadTheMetricsAsInKubernetes() {
        Map<String, io.fabric8.kubernetes.api.model.rbac.ClusterRole> roles = DefaultPolicy.clusterRoles();
        PolicyRule read = new PolicyRuleBuilder().withApiGroups("metrics.k8s.io").withResources("pods", "nodes")
                .withVerbs("get", "list").build();
        for (String role : List.of("view", "edit", "admin", "system:aggregated-metrics-reader")) {
            assertThat(RuleCoverage.covers(roles.get(role).getRules(), List.of(read))).as(role).isTrue();
        }
        assertThat(roles.get("system:aggregated-metrics-reader").getMetadata().getLabels())
                .containsEntry(DefaultPolicy.AGGREGATE_PREFIX + "view", "true")
                .containsEntry(DefaultPolicy.AGGREGATE_PREFIX + "edit", "true")
                .containsEntry(DefaultPolicy.AGGREGATE_PREFIX + "admin", "true");
    }
}
