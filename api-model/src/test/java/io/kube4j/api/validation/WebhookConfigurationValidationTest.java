package io.kube4j.api.validation;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.kube4j.api.defaulting.Defaulting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static io.kube4j.api.validation.ValidationTest.codes;
import static io.kube4j.api.validation.ValidationTest.read;
import static io.kube4j.api.validation.ValidationTest.typeOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class WebhookConfigurationValidationTest {

    /** A valid webhook whose lines the cases replace; {@code %s} is where a case adds or overrides fields. */
    static String hook(String name, String extra) {
        return """
                metadata: {name: cfg}
                webhooks:
                - name: %s
                  clientConfig: {url: "https://127.0.0.1:8443/hook", caBundle: "Zm9v"}
                  rules: [{operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods]}]
                  sideEffects: None
                  admissionReviewVersions: [v1]
                %s""".formatted(name, extra.indent(2));
    }

    static Arguments c(String name, String yaml, String... expected) {
        return arguments(name, yaml, List.of(expected));
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                c("valid", hook("a.example.com", "")),
                c("name not fully qualified", hook("example.com", ""), "INVALID webhooks[0].name"),
                c("name missing", hook("\"\"", ""), "REQUIRED webhooks[0].name"),
                c("name not a subdomain", hook("A_b.example.com", ""), "INVALID webhooks[0].name"),
                c("duplicate names", """
                        metadata: {name: cfg}
                        webhooks:
                        - {name: a.b.c, clientConfig: {url: "https://h/x"}, sideEffects: None, admissionReviewVersions: [v1]}
                        - {name: a.b.c, clientConfig: {url: "https://h/x"}, sideEffects: None, admissionReviewVersions: [v1]}
                        """, "DUPLICATE webhooks[1].name"),
                c("http url", hook("a.b.c", "").replace("https://", "http://"), "INVALID webhooks[0].clientConfig.url"),
                c("url with query", hook("a.b.c", "").replace("/hook", "/hook?x=1"), "INVALID webhooks[0].clientConfig.url"),
                c("url with user", hook("a.b.c", "").replace("https://", "https://u:p@"), "INVALID webhooks[0].clientConfig.url"),
                c("url without host", hook("a.b.c", "").replace("https://127.0.0.1:8443/hook", "https:///hook"),
                        "INVALID webhooks[0].clientConfig.url"),
                c("both url and service", hook("a.b.c", "").replace("caBundle", "service: {namespace: ns, name: svc}, caBundle"),
                        "REQUIRED webhooks[0].clientConfig"),
                c("neither url nor service", hook("a.b.c", "").replace("url: \"https://127.0.0.1:8443/hook\", ", ""),
                        "REQUIRED webhooks[0].clientConfig"),
                c("valid service", hook("a.b.c", "").replace("url: \"https://127.0.0.1:8443/hook\"",
                        "service: {namespace: ns, name: svc, path: /mutate/pods, port: 8443}")),
                c("service without name and bad port and path", hook("a.b.c", "").replace("url: \"https://127.0.0.1:8443/hook\"",
                        "service: {namespace: ns, path: \"mutate//x\", port: 70000}"),
                        "REQUIRED webhooks[0].clientConfig.service.name", "INVALID webhooks[0].clientConfig.service.port",
                        "INVALID webhooks[0].clientConfig.service.path", "INVALID webhooks[0].clientConfig.service.path"),
                c("sideEffects missing", hook("a.b.c", "").replace("  sideEffects: None\n", ""), "REQUIRED webhooks[0].sideEffects"),
                c("sideEffects Some", hook("a.b.c", "").replace("sideEffects: None", "sideEffects: Some"),
                        "NOT_SUPPORTED webhooks[0].sideEffects"),
                c("review versions without v1", hook("a.b.c", "").replace("[v1]\n", "[v2]\n"),
                        "INVALID webhooks[0].admissionReviewVersions"),
                c("review versions missing", hook("a.b.c", "").replace("  admissionReviewVersions: [v1]\n", ""),
                        "REQUIRED webhooks[0].admissionReviewVersions"),
                c("duplicate review version", hook("a.b.c", "").replace("[v1]\n", "[v1, v1]\n"),
                        "INVALID webhooks[0].admissionReviewVersions[1]"),
                c("timeout 0", hook("a.b.c", "timeoutSeconds: 0"), "INVALID webhooks[0].timeoutSeconds"),
                c("timeout 31", hook("a.b.c", "timeoutSeconds: 31"), "INVALID webhooks[0].timeoutSeconds"),
                c("timeout 30", hook("a.b.c", "timeoutSeconds: 30")),
                c("bad policies", hook("a.b.c", "failurePolicy: Maybe\nmatchPolicy: Close\n"),
                        "NOT_SUPPORTED webhooks[0].failurePolicy", "NOT_SUPPORTED webhooks[0].matchPolicy"),
                c("bad selector", hook("a.b.c", "namespaceSelector: {matchExpressions: [{key: env, operator: Near}]}"),
                        "INVALID webhooks[0].namespaceSelector.matchExpressions[0].operator"),
                c("rule without operations", hook("a.b.c", "").replace("operations: [CREATE], ", ""),
                        "REQUIRED webhooks[0].rules[0].operations"),
                c("rule wildcard with others", hook("a.b.c", "").replace("[CREATE]", "['*', CREATE]"),
                        "INVALID webhooks[0].rules[0].operations"),
                c("rule bad operation", hook("a.b.c", "").replace("[CREATE]", "[PATCH]"),
                        "NOT_SUPPORTED webhooks[0].rules[0].operations[0]"),
                c("rule without groups and versions", hook("a.b.c", "").replace("apiGroups: [\"\"], apiVersions: [v1], ", ""),
                        "REQUIRED webhooks[0].rules[0].apiGroups", "REQUIRED webhooks[0].rules[0].apiVersions"),
                c("rule */* with others", hook("a.b.c", "").replace("[pods]", "['*/*', pods]"),
                        "INVALID webhooks[0].rules[0].resources"),
                c("rule * with a plain resource", hook("a.b.c", "").replace("[pods]", "['*', pods]"),
                        "INVALID webhooks[0].rules[0].resources"),
                c("rule pods/* then pods/status", hook("a.b.c", "").replace("[pods]", "['pods/*', pods/status]"),
                        "INVALID webhooks[0].rules[0].resources[1]"),
                c("rule * and */status", hook("a.b.c", "").replace("[pods]", "['*', '*/status']")),
                c("rule bad scope", hook("a.b.c", "").replace("resources: [pods]", "resources: [pods], scope: Global"),
                        "NOT_SUPPORTED webhooks[0].rules[0].scope"),
                c("match conditions", hook("a.b.c", "matchConditions: [{name: x, expression: 'true'}]"),
                        "FORBIDDEN webhooks[0].matchConditions"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void validatingConfiguration(String name, String yaml, List<String> expected) {
        check(read(yaml, ValidatingWebhookConfiguration.class), expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void mutatingConfiguration(String name, String yaml, List<String> expected) {
        check(read(yaml, MutatingWebhookConfiguration.class), expected);
    }

    @Test
    void reinvocationPolicyIsCheckedOnMutatingWebhooks() {
        check(read(hook("a.b.c", "reinvocationPolicy: Sometimes"), MutatingWebhookConfiguration.class),
                List.of("NOT_SUPPORTED webhooks[0].reinvocationPolicy"));
    }

    @Test
    void defaultsAreKubernetesV1Defaults() {
        MutatingWebhookConfiguration m = read(hook("a.b.c", "").replace("url: \"https://127.0.0.1:8443/hook\"",
                "service: {namespace: ns, name: svc}"), MutatingWebhookConfiguration.class);
        Defaulting.apply(m);
        var h = m.getWebhooks().get(0);
        assertThat(h.getFailurePolicy()).isEqualTo("Fail");
        assertThat(h.getMatchPolicy()).isEqualTo("Equivalent");
        assertThat(h.getTimeoutSeconds()).isEqualTo(10);
        assertThat(h.getReinvocationPolicy()).isEqualTo("Never");
        assertThat(h.getNamespaceSelector()).isNotNull();
        assertThat(h.getObjectSelector()).isNotNull();
        assertThat(h.getRules().get(0).getScope()).isEqualTo("*");
        assertThat(h.getClientConfig().getService().getPort()).isEqualTo(443);
    }

    @Test
    void messagesReadAsKubernetesPrintsThem() {
        List<FieldError> errs = Validation.validateCreate(
                typeOf(new ValidatingWebhookConfiguration()),
                read(hook("a.b.c", "timeoutSeconds: 31").replace("https://", "http://"), ValidatingWebhookConfiguration.class));
        assertThat(errs).extracting(FieldError::message).containsExactly(
                "webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds",
                "webhooks[0].clientConfig.url: Invalid value: \"http\": 'https' is the only allowed URL scheme; desired format: https://host[/path]");
    }

    private static void check(HasMetadata obj, List<String> expected) {
        assertThat(codes(Validation.validateCreate(typeOf(obj), obj))).containsExactlyInAnyOrderElementsOf(expected);
    }
}
