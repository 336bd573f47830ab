package io.kube4j.apiserver.admission.webhook;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiClient.Response;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.KubectlRunner;
import io.kube4j.apiserver.testsupport.Requirements;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import static io.kube4j.apiserver.admission.webhook.TestWebhookServer.allow;
import static io.kube4j.apiserver.admission.webhook.TestWebhookServer.deny;
import static io.kube4j.apiserver.admission.webhook.TestWebhookServer.patch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dynamic admission end to end: a real apiserver on a real etcd, webhook configurations created through the API, and
 * a real HTTPS webhook server with its own CA. Every webhook selects only this test's labelled namespace, and the
 * configurations are deleted at the end, so other tests on the same etcd never meet them.
 */
class WebhookAdmissionIT {

    private static final String RUN = Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
    private static final String ON = "wh-on-" + RUN;
    private static final String OFF = "wh-off-" + RUN;
    private static final String MWC = "/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations";
    private static final String VWC = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations";

    private static ApiServerInstance apiserver;
    private static ApiClient api;
    private static TestWebhookServer hooks;

    @BeforeAll
    static void start() {
        apiserver = ApiServerInstance.shared();
        api = apiserver.client();
        hooks = new TestWebhookServer()
                .on("/mutate", r -> r.path("object").path("metadata").has("labels")
                        ? patch("[{\"op\":\"add\",\"path\":\"/metadata/labels/webhook-added\",\"value\":\"yes\"}]")
                        : patch("[{\"op\":\"add\",\"path\":\"/metadata/labels\",\"value\":{\"webhook-added\":\"yes\"}}]"))
                .on("/validate", r -> r.path("name").asString().startsWith("forbidden-")
                        ? deny(403, "names starting with forbidden- are refused")
                        : allow("checked by validate.kube4j.io"))
                .on("/slow", r -> allow(), Duration.ofSeconds(4));
        created(api.post("/api/v1/namespaces",
                "{\"metadata\":{\"name\":\"" + ON + "\",\"labels\":{\"webhook-it\":\"" + RUN + "\"}}}"));
        created(api.post("/api/v1/namespaces", "{\"metadata\":{\"name\":\"" + OFF + "\"}}"));
        created(api.post(MWC, """
                {"metadata":{"name":"wh-it-%1$s"},
                 "webhooks":[{"name":"label.kube4j.io","sideEffects":"None","admissionReviewVersions":["v1"],
                   "clientConfig":{"url":"%2$s","caBundle":"%3$s"},
                   "namespaceSelector":{"matchLabels":{"webhook-it":"%1$s"}},
                   "rules":[{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods","configmaps"]}]}]}
                """.formatted(RUN, hooks.url("/mutate"), hooks.caBundle())));
        created(api.post(VWC, """
                {"metadata":{"name":"wh-it-%1$s"},
                 "webhooks":[
                  {"name":"validate.kube4j.io","sideEffects":"None","admissionReviewVersions":["v1"],
                   "clientConfig":{"url":"%2$s","caBundle":"%4$s"},
                   "namespaceSelector":{"matchLabels":{"webhook-it":"%1$s"}},
                   "rules":[{"operations":["CREATE","UPDATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["configmaps"]}]},
                  {"name":"slow-ignore.kube4j.io","sideEffects":"None","admissionReviewVersions":["v1"],"timeoutSeconds":1,
                   "failurePolicy":"Ignore","clientConfig":{"url":"%3$s","caBundle":"%4$s"},
                   "namespaceSelector":{"matchLabels":{"webhook-it":"%1$s"}},
                   "objectSelector":{"matchLabels":{"slow":"ignore"}},
                   "rules":[{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["configmaps"]}]},
                  {"name":"slow-fail.kube4j.io","sideEffects":"None","admissionReviewVersions":["v1"],"timeoutSeconds":1,
                   "failurePolicy":"Fail","clientConfig":{"url":"%3$s","caBundle":"%4$s"},
                   "namespaceSelector":{"matchLabels":{"webhook-it":"%1$s"}},
                   "objectSelector":{"matchLabels":{"slow":"fail"}},
                   "rules":[{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["configmaps"]}]}]}
                """.formatted(RUN, hooks.url("/validate"), hooks.url("/slow"), hooks.caBundle())));
        // configurations apply once the apiserver's watch cache has them, as in Kubernetes
        WatchCacheWebhookSource source = apiserver.bean(WatchCacheWebhookSource.class);
        await().atMost(Duration.ofSeconds(20)).until(() ->
                source.mutating().stream().anyMatch(h -> h.configurationName().equals("wh-it-" + RUN))
                        && source.validating().stream().filter(h -> h.configurationName().equals("wh-it-" + RUN)).count() == 3);
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.delete(MWC + "/wh-it-" + RUN);
            api.delete(VWC + "/wh-it-" + RUN);
            api.delete("/api/v1/namespaces/" + ON);
            api.delete("/api/v1/namespaces/" + OFF);
        }
        if (hooks != null) {
            hooks.close();
        }
    }

    private static Response created(Response r) {
        assertThat(r.code()).as(r.body()).isEqualTo(201);
        return r;
    }

    private static String configMap(String name, String labels) {
        return "{\"metadata\":{\"name\":\"" + name + "\",\"labels\":{" + labels + "}},\"data\":{\"k\":\"v\"}}";
    }

    @Test
    void mutatingWebhookLabelsCreatedConfigMapsAndPods() {
        Response cm = created(api.post("/api/v1/namespaces/" + ON + "/configmaps", configMap("labelled", "\"app\":\"x\"")));
        assertThat(cm.json().path("metadata").path("labels").path("webhook-added").asString()).isEqualTo("yes");
        assertThat(api.get("/api/v1/namespaces/" + ON + "/configmaps/labelled").json()
                .path("metadata").path("labels").path("webhook-added").asString()).as("stored").isEqualTo("yes");
        Response pod = created(api.post("/api/v1/namespaces/" + ON + "/pods", """
                {"metadata":{"name":"p1"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}"""));
        assertThat(pod.json().path("metadata").path("labels").path("webhook-added").asString()).isEqualTo("yes");
        // what the webhook saw: the AdmissionReview of the pod's creation
        var review = hooks.received("/mutate").stream().map(r -> r.path("request"))
                .filter(r -> r.path("name").asString().equals("p1")).findFirst().orElseThrow();
        assertThat(review.path("kind").path("kind").asString()).isEqualTo("Pod");
        assertThat(review.path("namespace").asString()).isEqualTo(ON);
        assertThat(review.path("operation").asString()).isEqualTo("CREATE");
        assertThat(review.path("userInfo").path("username").asString()).isNotEmpty();
    }

    @Test
    void validatingWebhookDeniesWithItsMessageAndWarns() {
        Response denied = api.post("/api/v1/namespaces/" + ON + "/configmaps", configMap("forbidden-one", ""));
        assertThat(denied.code()).as(denied.body()).isEqualTo(403);
        assertThat(denied.json().path("kind").asString()).isEqualTo("Status");
        assertThat(denied.json().path("message").asString()).isEqualTo(
                "admission webhook \"validate.kube4j.io\" denied the request: names starting with forbidden- are refused");
        assertThat(api.get("/api/v1/namespaces/" + ON + "/configmaps/forbidden-one").code()).isEqualTo(404);

        Response ok = created(api.post("/api/v1/namespaces/" + ON + "/configmaps", configMap("fine", "")));
        assertThat(ok.raw().headers().allValues("Warning")).contains("299 - \"checked by validate.kube4j.io\"");
        // the validating webhook saw the object as the mutating one left it
        var review = hooks.received("/validate").stream().map(r -> r.path("request"))
                .filter(r -> r.path("name").asString().equals("fine")).findFirst().orElseThrow();
        assertThat(review.path("object").path("metadata").path("labels").path("webhook-added").asString()).isEqualTo("yes");
    }

    @Test
    void timeoutIsIgnoredOrRefusedByFailurePolicy() {
        created(api.post("/api/v1/namespaces/" + ON + "/configmaps", configMap("slow-ignored", "\"slow\":\"ignore\"")));
        Response refused = api.post("/api/v1/namespaces/" + ON + "/configmaps", configMap("slow-refused", "\"slow\":\"fail\""));
        assertThat(refused.code()).as(refused.body()).isEqualTo(500);
        assertThat(refused.json().path("reason").asString()).isEqualTo("InternalError");
        assertThat(refused.json().path("message").asString()).isEqualTo(
                "Internal error occurred: failed calling webhook \"slow-fail.kube4j.io\": failed to call webhook: Post \""
                        + hooks.url("/slow") + "?timeout=1s\": context deadline exceeded");
        assertThat(api.get("/api/v1/namespaces/" + ON + "/configmaps/slow-refused").code()).isEqualTo(404);
    }

    @Test
    void namespaceSelectorLimitsWebhooksToLabelledNamespaces() {
        Response cm = created(api.post("/api/v1/namespaces/" + OFF + "/configmaps", configMap("forbidden-elsewhere", "")));
        assertThat(cm.json().path("metadata").path("labels").has("webhook-added")).isFalse();
        assertThat(hooks.received("/validate").stream()
                .noneMatch(r -> r.path("request").path("namespace").asString().equals(OFF))).isTrue();
    }

    @Test
    void kubectlPrintsTheDenialAndTheWarning(@TempDir Path dir) throws Exception {
        KubectlRunner kubectl = new KubectlRunner(Requirements.requireBinary("kubectl"), apiserver.url(), ON, dir,
                Duration.ofSeconds(60));
        KubectlRunner.Result denied = kubectl.kubectl("create", "configmap", "forbidden-by-kubectl", "--from-literal=a=b");
        assertThat(denied.code()).isNotZero();
        assertThat(denied.err()).contains("admission webhook \"validate.kube4j.io\" denied the request: "
                + "names starting with forbidden- are refused");
        KubectlRunner.Result ok = kubectl.kubectl("create", "configmap", "by-kubectl", "--from-literal=a=b").ok();
        assertThat(ok.err()).contains("Warning: checked by validate.kube4j.io");
        assertThat(kubectl.kubectl("get", "configmap", "by-kubectl", "-o", "jsonpath={.metadata.labels.webhook-added}")
                .ok().out()).isEqualTo("yes");
    }

    @Test
    void invalidConfigurationsAreRefused() {
        Response r = api.post(VWC, """
                {"metadata":{"name":"wh-bad-%s"},
                 "webhooks":[{"name":"bad","admissionReviewVersions":["v2"],"timeoutSeconds":31,
                   "clientConfig":{"url":"http://127.0.0.1/x"},
                   "rules":[{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods"]}]}]}
                """.formatted(RUN));
        assertThat(r.code()).as(r.body()).isEqualTo(422);
        assertThat(r.json().path("reason").asString()).isEqualTo("Invalid");
        assertThat(r.json().path("message").asString())
                .startsWith("ValidatingWebhookConfiguration \"wh-bad-" + RUN + "\" is invalid: [")
                .contains("webhooks[0].name: Invalid value: \"bad\": should be a domain with at least three segments separated by dots")
                .contains("webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun")
                .contains("webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds")
                .contains("webhooks[0].clientConfig.url: Invalid value: \"http\": 'https' is the only allowed URL scheme")
                .contains("webhooks[0].admissionReviewVersions: Invalid value: [\"v2\"]: must include at least one of v1, v1beta1");
    }
}
