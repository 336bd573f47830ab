package io.kube4j.apiserver.admission.webhook;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.admission.AdmissionAttributes;
import io.kube4j.apiserver.admission.AdmissionAttributes.Operation;
import io.kube4j.apiserver.admission.AdmissionWarnings;
import io.kube4j.apiserver.rest.ApiException;
import io.kube4j.security.UserInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.kube4j.apiserver.admission.webhook.TestWebhookServer.allow;
import static io.kube4j.apiserver.admission.webhook.TestWebhookServer.deny;
import static io.kube4j.apiserver.admission.webhook.TestWebhookServer.patch;
import static io.kube4j.apiserver.admission.webhook.WebhookMatcherTest.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The two plugins against a real HTTPS webhook server (no apiserver: the plugins are called directly). */
class WebhookPluginsTest {

    static TestWebhookServer server;
    static final Map<String, Map<String, String>> NAMESPACES = Map.of("prod", Map.of("env", "prod"), "dev", Map.of());

    @BeforeAll
    static void start() {
        server = new TestWebhookServer()
                .on("/allow", r -> allow())
                .on("/warn", r -> allow("be careful", "really"))
                .on("/label-a", r -> patch("[{\"op\":\"add\",\"path\":\"/metadata/labels/a\",\"value\":\"1\"}]"))
                .on("/label-b", r -> patch("[{\"op\":\"add\",\"path\":\"/metadata/labels/b\",\"value\":\"1\"}]"))
                .on("/deny", r -> deny(403, "configmaps named " + r.path("name").asString() + " are not welcome"))
                .on("/deny-422", r -> deny(422, "second"))
                .on("/slow", r -> allow(), Duration.ofSeconds(4))
                .on("/bad-uid", r -> allow().put("uid", "nope"))
                .on("/bad-patch", r -> patch("[{\"op\":\"test\",\"path\":\"/data/k\",\"value\":\"other\"}]"))
                .on("/merge-patch", r -> allow().put("patchType", "MergePatch").put("patch", "W3sib3AiOiJhZGQifV0="));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Webhook mutating(int index, String path, String extra) {
        MutatingWebhook h = Codecs.yaml().readValue(yaml(index, server.url(path), server.caBundle(), extra),
                MutatingWebhook.class);
        return Webhook.of("cfg", index, h);
    }

    static Webhook validating(int index, String path, String extra) {
        ValidatingWebhook h = Codecs.yaml().readValue(yaml(index, server.url(path), server.caBundle(), extra),
                ValidatingWebhook.class);
        return Webhook.of("cfg", index, h);
    }

    static String yaml(int index, String url, String caBundle, String extra) {
        return """
                name: hook%d.example.com
                sideEffects: None
                admissionReviewVersions: [v1]
                clientConfig: {url: "%s", caBundle: "%s"}
                rules: [{operations: [CREATE, UPDATE, DELETE], apiGroups: [""], apiVersions: [v1], resources: [configmaps]}]
                """.formatted(index, url, caBundle) + (extra.contains("timeoutSeconds") ? "" : "timeoutSeconds: 10\n") + extra;
    }

    static WebhookDispatcher dispatcher(ServiceResolver services) {
        return new WebhookDispatcher(new WebhookClient(services),
                ns -> Mono.justOrEmpty(NAMESPACES.get(ns)));
    }

    static final WebhookDispatcher DISPATCHER = dispatcher(ref -> Mono.error(new IllegalStateException("no services")));

    static ConfigMap cm(String name, String ns) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withNamespace(ns)
                .withLabels(new java.util.HashMap<>(Map.of("app", "x"))).endMetadata().addToData("k", "v").build();
    }

    static AdmissionAttributes create(HasMetadata obj, boolean dryRun) {
        return new AdmissionAttributes(Operation.CREATE, type("", "configmaps"), "", obj.getMetadata().getNamespace(),
                obj.getMetadata().getName(), obj, null, UserInfo.of("alice", "dev"), dryRun, null);
    }

    static HasMetadata admit(List<Webhook> hooks, AdmissionAttributes a) {
        return new MutatingAdmissionWebhook(WebhookSource.of(hooks), DISPATCHER).admit(a).block();
    }

    static void validate(List<Webhook> hooks, AdmissionAttributes a) {
        new ValidatingAdmissionWebhook(WebhookSource.of(hooks), DISPATCHER).validate(a).block();
    }

    @Test
    void mutatingWebhookPatchesTheObject() {
        ConfigMap cm = cm("m1", "dev");
        HasMetadata out = admit(List.of(mutating(0, "/label-a", "")), create(cm, false));
        assertThat(out.getMetadata().getLabels()).containsEntry("a", "1").containsEntry("app", "x");
        assertThat(((ConfigMap) out).getData()).containsEntry("k", "v");
        JsonNodeAssert.last(server.received("/label-a"), "m1");
    }

    @Test
    void ifNeededWebhooksAreCalledAgainWhenALaterOneChangedTheObject() {
        int aBefore = count("/label-a", "r1");
        HasMetadata out = admit(List.of(mutating(0, "/label-a", "reinvocationPolicy: IfNeeded"),
                mutating(1, "/label-b", "")), create(cm("r1", "dev"), false));
        assertThat(out.getMetadata().getLabels()).containsEntry("a", "1").containsEntry("b", "1");
        assertThat(count("/label-a", "r1") - aBefore).as("label-a called twice").isEqualTo(2);
        // the second call saw label b, added after its first call
        assertThat(server.received("/label-a").stream().filter(r -> r.path("request").path("name").asString().equals("r1"))
                .reduce((x, y) -> y).orElseThrow().path("request").path("object").path("metadata").path("labels")
                .path("b").asString()).isEqualTo("1");

        admit(List.of(mutating(0, "/label-a", "reinvocationPolicy: Never"), mutating(1, "/label-b", "")),
                create(cm("r2", "dev"), false));
        assertThat(count("/label-a", "r2")).as("Never: called once").isEqualTo(1);
    }

    private static int count(String path, String name) {
        return (int) server.received(path).stream()
                .filter(r -> r.path("request").path("name").asString().equals(name)).count();
    }

    @Test
    void refusalCarriesTheWebhooksCodeAndMessage() {
        assertThatThrownBy(() -> admit(List.of(mutating(0, "/deny", "")), create(cm("d1", "dev"), false)))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(403);
                    assertThat(e.getMessage()).isEqualTo(
                            "admission webhook \"hook0.example.com\" denied the request: configmaps named d1 are not welcome");
                });
        assertThatThrownBy(() -> validate(List.of(validating(0, "/allow", ""), validating(1, "/deny", ""),
                validating(2, "/deny-422", "")), create(cm("d2", "dev"), false)))
                .as("the first refusal in webhook order")
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.getMessage()).isEqualTo(
                        "admission webhook \"hook1.example.com\" denied the request: configmaps named d2 are not welcome"));
    }

    @Test
    void timeoutFailsOpenWithIgnoreAndClosedWithFail() {
        ConfigMap cm = cm("t1", "dev");
        assertThat(admit(List.of(mutating(0, "/slow", "failurePolicy: Ignore\ntimeoutSeconds: 1")), create(cm, false)))
                .isSameAs(cm);
        validate(List.of(validating(0, "/slow", "failurePolicy: Ignore\ntimeoutSeconds: 1")), create(cm, false));
        String expected = "Internal error occurred: failed calling webhook \"hook0.example.com\": failed to call webhook: "
                + "Post \"" + server.url("/slow") + "?timeout=1s\": context deadline exceeded";
        assertThatThrownBy(() -> admit(List.of(mutating(0, "/slow", "failurePolicy: Fail\ntimeoutSeconds: 1")), create(cm, false)))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.code()).isEqualTo(500);
                    assertThat(e.reason()).isEqualTo("InternalError");
                    assertThat(e.getMessage()).isEqualTo(expected);
                });
        assertThatThrownBy(() -> validate(List.of(validating(0, "/slow", "timeoutSeconds: 1")), create(cm, false)))
                .as("Fail is the default").hasMessage(expected);
    }

    @Test
    void aServerTheCaBundleDoesNotVouchForIsACallFailure() {
        try (TestWebhookServer other = new TestWebhookServer()) {
            other.on("/allow", r -> allow());
            // the other server's certificate comes from another CA than the caBundle's
            Webhook h = Webhook.of("cfg", 0, Codecs.yaml().readValue(
                    yaml(0, other.url("/allow"), server.caBundle(), ""), ValidatingWebhook.class));
            assertThatThrownBy(() -> validate(List.of(h), create(cm("ca1", "dev"), false)))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(500))
                    .hasMessageStartingWith("Internal error occurred: failed calling webhook \"hook0.example.com\": failed to call webhook: Post");
            assertThat(other.received("/allow")).isEmpty();
            Webhook ignored = Webhook.of("cfg", 0, Codecs.yaml().readValue(
                    yaml(0, other.url("/allow"), server.caBundle(), "failurePolicy: Ignore"), ValidatingWebhook.class));
            validate(List.of(ignored), create(cm("ca1", "dev"), false));
        }
    }

    @Test
    void theCertificateMustBeValidForTheHostCalled() {
        try (TestWebhookServer named = new TestWebhookServer(List.of("webhook.example.com"))) {
            named.on("/allow", r -> allow());
            Webhook h = Webhook.of("cfg", 0, Codecs.yaml().readValue(
                    yaml(0, named.url("/allow"), named.caBundle(), ""), ValidatingWebhook.class));
            assertThatThrownBy(() -> validate(List.of(h), create(cm("h1", "dev"), false)))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(500));
        }
    }

    @Test
    void serviceReferencesAreCalledAtTheResolvedAddressWithTheServiceName() {
        try (TestWebhookServer svc = new TestWebhookServer(List.of("hooks.system.svc"))) {
            svc.on("/validate", r -> deny(403, "from the service"));
            List<String> resolved = new ArrayList<>();
            WebhookDispatcher d = dispatcher(ref -> {
                resolved.add(ref.getNamespace() + "/" + ref.getName() + ":" + ref.getPort() + ref.getPath());
                return Mono.just(new WebhookTarget(URI.create("https://127.0.0.1:" + svc.port() + ref.getPath()),
                        ref.getName() + "." + ref.getNamespace() + ".svc"));
            });
            ValidatingWebhook vh = Codecs.yaml().readValue(yaml(0, "x", svc.caBundle(), ""), ValidatingWebhook.class);
            vh.getClientConfig().setUrl(null);
            vh.getClientConfig().setService(new io.fabric8.kubernetes.api.model.admissionregistration.v1.ServiceReference(
                    "hooks", "system", "/validate", 443));
            assertThatThrownBy(() -> new ValidatingAdmissionWebhook(WebhookSource.of(List.of(Webhook.of("cfg", 0, vh))), d)
                    .validate(create(cm("s1", "dev"), false)).block())
                    .hasMessage("admission webhook \"hook0.example.com\" denied the request: from the service");
            assertThat(resolved).containsExactly("system/hooks:443/validate");
        }
    }

    @Test
    void invalidAnswersAreCallFailures() {
        ConfigMap cm = cm("u1", "dev");
        assertThatThrownBy(() -> validate(List.of(validating(0, "/bad-uid", "")), create(cm, false)))
                .hasMessage("Internal error occurred: failed calling webhook \"hook0.example.com\": received invalid "
                        + "webhook response: expected response.uid=\"" + lastUid("/bad-uid") + "\", got \"nope\"");
        validate(List.of(validating(0, "/bad-uid", "failurePolicy: Ignore")), create(cm, false));
        assertThatThrownBy(() -> admit(List.of(mutating(0, "/merge-patch", "")), create(cm, false)))
                .hasMessage("Internal error occurred: failed calling webhook \"hook0.example.com\": unsupported patch type \"MergePatch\"");
        assertThatThrownBy(() -> admit(List.of(mutating(0, "/bad-patch", "failurePolicy: Ignore")), create(cm, false)))
                .as("a patch that does not apply is an internal error whatever the policy")
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(500));
    }

    private static String lastUid(String path) {
        List<tools.jackson.databind.JsonNode> r = server.received(path);
        return r.get(r.size() - 1).path("request").path("uid").asString();
    }

    @Test
    void warningsGoToTheRequestsCollector() {
        AdmissionWarnings warnings = new AdmissionWarnings();
        new ValidatingAdmissionWebhook(WebhookSource.of(List.of(validating(0, "/warn", ""))), DISPATCHER)
                .validate(create(cm("w1", "dev"), false))
                .contextWrite(warnings::attach)
                .block();
        assertThat(warnings.list()).containsExactly("be careful", "really");
    }

    @Test
    void namespaceSelectorUsesTheNamespacesLabels() {
        List<Webhook> hooks = List.of(validating(0, "/deny", "namespaceSelector: {matchLabels: {env: prod}}"));
        validate(hooks, create(cm("n1", "dev"), false));
        assertThatThrownBy(() -> validate(hooks, create(cm("n1", "prod"), false))).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> validate(hooks, create(cm("n1", "missing"), false)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(404))
                .hasMessage("namespaces \"missing\" not found");
    }

    @Test
    void objectSelectorAndRulesDecideWhichRequestsAWebhookSees() {
        validate(List.of(validating(0, "/deny", "objectSelector: {matchLabels: {app: other}}")), create(cm("o1", "dev"), false));
        assertThatThrownBy(() -> validate(List.of(validating(0, "/deny", "objectSelector: {matchLabels: {app: x}}")),
                create(cm("o1", "dev"), false))).isInstanceOf(ApiException.class);
        AdmissionAttributes status = new AdmissionAttributes(Operation.UPDATE, type("", "configmaps"), "status", "dev",
                "o1", cm("o1", "dev"), cm("o1", "dev"), UserInfo.of("a"), false, null);
        validate(List.of(validating(0, "/deny", "")), status);
    }

    @Test
    void dryRunIsRefusedForWebhooksWithSideEffects() {
        Webhook some = mutating(0, "/allow", "sideEffects: Some");
        assertThatThrownBy(() -> admit(List.of(some), create(cm("dr", "dev"), true)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(400))
                .hasMessage("admission webhook \"hook0.example.com\" does not support dry run");
        assertThat(admit(List.of(mutating(0, "/label-a", "sideEffects: NoneOnDryRun")), create(cm("dr", "dev"), true))
                .getMetadata().getLabels()).containsKey("a");
        assertThat(server.received("/label-a").get(server.received("/label-a").size() - 1)
                .path("request").path("dryRun").asBoolean()).isTrue();
    }

    @Test
    void configurationResourcesAreNeverSentToWebhooks() {
        var cfg = new io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder()
                .withNewMetadata().withName("c").endMetadata().build();
        AdmissionAttributes a = new AdmissionAttributes(Operation.CREATE,
                type("admissionregistration.k8s.io", "validatingwebhookconfigurations"), "", "", "c", cfg, null,
                UserInfo.of("a"), false, null);
        Webhook all = validating(0, "/deny", "").withRules(List.of(new io.fabric8.kubernetes.api.model.admissionregistration.v1
                .RuleWithOperationsBuilder().withOperations("*").withApiGroups("*").withApiVersions("*")
                .withResources("*").build()));
        validate(List.of(all), a);
    }

    /** Small helpers over received reviews. */
    static final class JsonNodeAssert {
        static void last(List<tools.jackson.databind.JsonNode> reviews, String name) {
            tools.jackson.databind.JsonNode r = reviews.get(reviews.size() - 1).path("request");
            assertThat(r.path("name").asString()).isEqualTo(name);
            assertThat(r.path("operation").asString()).isEqualTo("CREATE");
            assertThat(r.path("userInfo").path("username").asString()).isEqualTo("alice");
            assertThat(r.path("object").path("metadata").path("labels").path("app").asString()).isEqualTo("x");
        }
    }
}
