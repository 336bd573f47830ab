package io.kube4j.apiserver.admission.webhook;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperations;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.RuleWithOperationsBuilder;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.admission.AdmissionAttributes;
import io.kube4j.apiserver.admission.AdmissionAttributes.Operation;
import io.kube4j.security.UserInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class WebhookMatcherTest {

    static final ResourceRegistry REGISTRY = ResourceRegistry.builtin();

    static ResourceType type(String group, String plural) {
        return REGISTRY.all().stream().filter(t -> t.group().equals(group) && t.plural().equals(plural))
                .findFirst().orElseThrow();
    }

    static AdmissionAttributes attrs(Operation op, String group, String plural, String sub, String ns, HasMetadata obj) {
        return new AdmissionAttributes(op, type(group, plural), sub, ns, "x", obj, null, UserInfo.of("u"), false, null);
    }

    static RuleWithOperations rule(String ops, String groups, String versions, String resources, String scope) {
        return new RuleWithOperationsBuilder().withOperations(List.of(ops.split(",")))
                .withApiGroups(List.of(groups.split(",", -1))).withApiVersions(List.of(versions.split(",")))
                .withResources(List.of(resources.split(","))).withScope(scope).build();
    }

    static Arguments c(String rule, Operation op, String group, String plural, String sub, String ns, boolean expected) {
        String[] r = rule.split(" ");
        return arguments(rule(r[0], r[1].equals("core") ? "" : r[1], r[2], r[3], r.length > 4 ? r[4] : null),
                op, group, plural, sub, ns, expected);
    }

    static Stream<Arguments> rules() {
        return Stream.of(
                c("CREATE core v1 pods", Operation.CREATE, "", "pods", "", "ns", true),
                c("CREATE core v1 pods", Operation.UPDATE, "", "pods", "", "ns", false),
                c("* core v1 pods", Operation.DELETE, "", "pods", "", "ns", true),
                c("CREATE,UPDATE core v1 pods", Operation.UPDATE, "", "pods", "", "ns", true),
                c("CREATE core v1 pods", Operation.CREATE, "", "pods", "status", "ns", false),
                c("UPDATE core v1 pods/status", Operation.UPDATE, "", "pods", "status", "ns", true),
                c("UPDATE core v1 pods/status", Operation.UPDATE, "", "pods", "", "ns", false),
                c("UPDATE core v1 pods/*", Operation.UPDATE, "", "pods", "status", "ns", true),
                // as Kubernetes' rules.go: "x/*" matches x itself too (sub "*" matches the empty subresource)
                c("UPDATE core v1 pods/*", Operation.UPDATE, "", "pods", "", "ns", true),
                c("UPDATE core v1 */status", Operation.UPDATE, "", "pods", "status", "ns", true),
                c("UPDATE core v1 */status", Operation.UPDATE, "", "services", "status", "ns", true),
                c("UPDATE core v1 */status", Operation.UPDATE, "", "pods", "", "ns", false),
                c("CREATE * * *", Operation.CREATE, "apps", "deployments", "", "ns", true),
                c("CREATE * * *", Operation.CREATE, "apps", "deployments", "scale", "ns", false),
                c("CREATE * * */*", Operation.CREATE, "apps", "deployments", "scale", "ns", true),
                c("CREATE * * */*", Operation.CREATE, "apps", "deployments", "", "ns", true),
                c("CREATE apps v1 deployments", Operation.CREATE, "", "pods", "", "ns", false),
                c("CREATE core v1 configmaps", Operation.CREATE, "apps", "deployments", "", "ns", false),
                c("CREATE apps v1beta1 deployments", Operation.CREATE, "apps", "deployments", "", "ns", false),
                c("CREATE apps * deployments", Operation.CREATE, "apps", "deployments", "", "ns", true),
                c("CREATE core v1 pods Namespaced", Operation.CREATE, "", "pods", "", "ns", true),
                c("CREATE core v1 nodes Namespaced", Operation.CREATE, "", "nodes", "", "", false),
                c("CREATE core v1 nodes Cluster", Operation.CREATE, "", "nodes", "", "", true),
                c("CREATE core v1 pods Cluster", Operation.CREATE, "", "pods", "", "ns", false),
                c("CREATE core v1 namespaces Cluster", Operation.CREATE, "", "namespaces", "", "ns", true),
                c("CREATE core v1 namespaces Namespaced", Operation.CREATE, "", "namespaces", "", "ns", false),
                c("CREATE core v1 * *", Operation.CREATE, "", "configmaps", "", "ns", true),
                c("CONNECT core v1 pods/exec", Operation.CONNECT, "", "pods", "exec", "ns", true));
    }

    @ParameterizedTest(name = "{0} vs {1} {2}/{3}/{4} in {5}")
    @MethodSource("rules")
    void ruleMatching(RuleWithOperations rule, Operation op, String group, String plural, String sub, String ns,
                      boolean expected) {
        assertThat(WebhookMatcher.matches(rule, attrs(op, group, plural, sub, ns, null))).isEqualTo(expected);
    }

    @Test
    void webhookConfigurationsAreNeverSentToWebhooks() {
        assertThat(WebhookMatcher.isExempt(attrs(Operation.CREATE, "admissionregistration.k8s.io",
                "validatingwebhookconfigurations", "", "", null))).isTrue();
        assertThat(WebhookMatcher.isExempt(attrs(Operation.DELETE, "admissionregistration.k8s.io",
                "mutatingwebhookconfigurations", "", "", null))).isTrue();
        assertThat(WebhookMatcher.isExempt(attrs(Operation.CREATE, "", "pods", "", "ns", null))).isFalse();
    }

    static Webhook hook(String yamlSelectors) {
        MutatingWebhook h = io.kube4j.api.codec.Codecs.yaml().readValue("""
                name: a.b.c
                sideEffects: None
                clientConfig: {url: "https://127.0.0.1/x"}
                rules: [{operations: ["*"], apiGroups: ["*"], apiVersions: ["*"], resources: ["*"]}]
                """ + yamlSelectors, MutatingWebhook.class);
        return Webhook.of("cfg", 0, h);
    }

    static ConfigMap cm(Map<String, String> labels) {
        return new ConfigMapBuilder().withNewMetadata().withName("x").withLabels(labels).endMetadata().build();
    }

    @Test
    void objectSelectorMatchesTheNewOrTheOldObject() {
        Webhook h = hook("objectSelector: {matchLabels: {inject: \"yes\"}}");
        ResourceType cms = type("", "configmaps");
        UserInfo u = UserInfo.of("u");
        assertThat(WebhookMatcher.matchesObject(h, new AdmissionAttributes(Operation.CREATE, cms, "", "ns", "x",
                cm(Map.of("inject", "yes")), null, u, false, null))).isTrue();
        assertThat(WebhookMatcher.matchesObject(h, new AdmissionAttributes(Operation.CREATE, cms, "", "ns", "x",
                cm(Map.of("inject", "no")), null, u, false, null))).isFalse();
        assertThat(WebhookMatcher.matchesObject(h, new AdmissionAttributes(Operation.UPDATE, cms, "", "ns", "x",
                cm(Map.of()), cm(Map.of("inject", "yes")), u, false, null))).isTrue();
        assertThat(WebhookMatcher.matchesObject(h, new AdmissionAttributes(Operation.DELETE, cms, "", "ns", "x",
                null, cm(Map.of("inject", "yes")), u, false, null))).isTrue();
        assertThat(WebhookMatcher.matchesObject(hook(""), new AdmissionAttributes(Operation.DELETE, cms, "", "ns", "x",
                null, null, u, false, null))).isTrue();
    }

    @Test
    void namespaceSelectorLooksAtTheNamespaceButNeverExemptsOtherClusterScopedObjects() {
        Webhook selecting = hook("namespaceSelector: {matchLabels: {env: prod}}");
        assertThat(WebhookMatcher.needsNamespaceLabels(hook(""), attrs(Operation.CREATE, "", "pods", "", "ns", null)))
                .as("empty selector").isFalse();
        assertThat(WebhookMatcher.needsNamespaceLabels(selecting, attrs(Operation.CREATE, "", "pods", "", "ns", null)))
                .isTrue();
        assertThat(WebhookMatcher.needsNamespaceLabels(selecting, attrs(Operation.CREATE, "", "nodes", "", "", null)))
                .as("cluster-scoped").isFalse();
        AdmissionAttributes ns = attrs(Operation.CREATE, "", "namespaces", "", "", new NamespaceBuilder()
                .withNewMetadata().withName("p").withLabels(Map.of("env", "prod")).endMetadata().build());
        assertThat(WebhookMatcher.needsNamespaceLabels(selecting, ns)).isTrue();
        assertThat(WebhookMatcher.ownNamespaceLabels(ns)).containsEntry("env", "prod");
        assertThat(WebhookMatcher.ownNamespaceLabels(attrs(Operation.CREATE, "", "pods", "", "ns", null))).isNull();
    }

    @Test
    void defaultsOfAWebhookWithoutOptionalFields() {
        Webhook h = hook("");
        assertThat(h.failOpen()).isFalse();
        assertThat(h.timeoutSeconds()).isEqualTo(10);
        assertThat(h.reinvokeIfNeeded()).isFalse();
        assertThat(h.namespaceSelector().isEverything()).isTrue();
        assertThat(h.uid()).isEqualTo("cfg/0");
    }
}
