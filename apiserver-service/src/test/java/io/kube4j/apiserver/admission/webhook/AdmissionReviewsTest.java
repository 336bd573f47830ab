package io.kube4j.apiserver.admission.webhook;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.admission.AdmissionAttributes;
import io.kube4j.apiserver.admission.AdmissionAttributes.Operation;
import io.kube4j.security.UserInfo;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;

import static io.kube4j.apiserver.admission.webhook.WebhookMatcherTest.type;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdmissionReviewsTest {

    final UserInfo alice = new UserInfo("alice", "u-1", List.of("dev", "system:authenticated"),
            Map.of("scopes", List.of("a", "b")));

    @Test
    void createRequestCarriesEverythingAWebhookReads() {
        var cm = new ConfigMapBuilder().withNewMetadata().withName("c1").withNamespace("ns1").endMetadata()
                .addToData("k", "v").build();
        var a = new AdmissionAttributes(Operation.CREATE, type("", "configmaps"), "", "ns1", "c1", cm, null, alice,
                true, Map.of("fieldManager", "kubectl"));
        ObjectNode review = AdmissionReviews.request("uid-1", a, cm);
        assertThat(review.path("apiVersion").asString()).isEqualTo("admission.k8s.io/v1");
        assertThat(review.path("kind").asString()).isEqualTo("AdmissionReview");
        JsonNode r = review.path("request");
        assertThat(r.path("uid").asString()).isEqualTo("uid-1");
        assertThat(r.path("kind").toString()).isEqualTo("{\"group\":\"\",\"version\":\"v1\",\"kind\":\"ConfigMap\"}");
        assertThat(r.path("resource").toString()).isEqualTo("{\"group\":\"\",\"version\":\"v1\",\"resource\":\"configmaps\"}");
        assertThat(r.path("requestKind")).isEqualTo(r.path("kind"));
        assertThat(r.path("requestResource")).isEqualTo(r.path("resource"));
        assertThat(r.has("subResource")).isFalse();
        assertThat(r.path("name").asString()).isEqualTo("c1");
        assertThat(r.path("namespace").asString()).isEqualTo("ns1");
        assertThat(r.path("operation").asString()).isEqualTo("CREATE");
        assertThat(r.path("userInfo").toString()).isEqualTo(
                "{\"username\":\"alice\",\"uid\":\"u-1\",\"groups\":[\"dev\",\"system:authenticated\"],\"extra\":{\"scopes\":[\"a\",\"b\"]}}");
        assertThat(r.path("object").path("data").path("k").asString()).isEqualTo("v");
        assertThat(r.has("oldObject")).isFalse();
        assertThat(r.path("dryRun").asBoolean()).isTrue();
        assertThat(r.path("options").toString())
                .isEqualTo("{\"fieldManager\":\"kubectl\",\"kind\":\"CreateOptions\",\"apiVersion\":\"meta.k8s.io/v1\"}");
    }

    @Test
    void subresourceUpdateAndDelete() {
        var pod = new PodBuilder().withNewMetadata().withName("p").withNamespace("ns").endMetadata().build();
        var status = new AdmissionAttributes(Operation.UPDATE, type("", "pods"), "status", "ns", "p", pod, pod, alice,
                false, null);
        JsonNode r = AdmissionReviews.request("u", status, pod).path("request");
        assertThat(r.path("subResource").asString()).isEqualTo("status");
        assertThat(r.path("requestSubResource").asString()).isEqualTo("status");
        assertThat(r.path("kind").path("kind").asString()).isEqualTo("Pod");
        assertThat(r.has("oldObject")).isTrue();
        assertThat(r.path("options").path("kind").asString()).isEqualTo("UpdateOptions");

        var delete = new AdmissionAttributes(Operation.DELETE, type("", "pods"), "", "ns", "p", null, pod, alice,
                false, null);
        r = AdmissionReviews.request("u", delete, null).path("request");
        assertThat(r.has("object")).isFalse();
        assertThat(r.path("oldObject").path("metadata").path("name").asString()).isEqualTo("p");
        assertThat(r.path("options").path("kind").asString()).isEqualTo("DeleteOptions");
    }

    static JsonNode response(String json) {
        return Codecs.json().readTree(json);
    }

    @Test
    void verifiesTheAnswer() throws Exception {
        var ok = AdmissionReviews.verify("u1", true, response("""
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u1","allowed":true,
                 "patchType":"JSONPatch","patch":"W10=","warnings":["w1","w2"]}}"""));
        assertThat(ok.allowed()).isTrue();
        assertThat(new String(ok.patch())).isEqualTo("[]");
        assertThat(ok.warnings()).containsExactly("w1", "w2");

        assertThatThrownBy(() -> AdmissionReviews.verify("u1", true, response("""
                {"apiVersion":"admission.k8s.io/v1beta1","kind":"AdmissionReview","response":{"uid":"u1","allowed":true}}""")))
                .hasMessage("expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got admission.k8s.io/v1beta1, Kind=AdmissionReview");
        assertThatThrownBy(() -> AdmissionReviews.verify("u1", true, response("""
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}""")))
                .hasMessage("webhook response was absent");
        assertThatThrownBy(() -> AdmissionReviews.verify("u1", true, response("""
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"other","allowed":true}}""")))
                .hasMessage("expected response.uid=\"u1\", got \"other\"");
        assertThatThrownBy(() -> AdmissionReviews.verify("u1", true, response("""
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u1","allowed":true,"patch":"W10="}}""")))
                .hasMessage("webhook returned response.patch but not response.patchType");
        assertThatThrownBy(() -> AdmissionReviews.verify("u1", false, response("""
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"u1","allowed":true,
                 "patchType":"JSONPatch","patch":"W10="}}""")))
                .hasMessage("validating webhook may not return response.patch");
    }

    @Test
    void denialReadsAsKubernetesWritesIt() {
        var e = WebhookDispatcher.denied("deny.example.com", response("{\"code\":403,\"reason\":\"Forbidden\",\"message\":\"no way\"}"));
        assertThat(e.code()).isEqualTo(403);
        assertThat(e.reason()).isEqualTo("Forbidden");
        assertThat(e.getMessage()).isEqualTo("admission webhook \"deny.example.com\" denied the request: no way");
        e = WebhookDispatcher.denied("deny.example.com", null);
        assertThat(e.code()).isEqualTo(400);
        assertThat(e.getMessage()).isEqualTo("admission webhook \"deny.example.com\" denied the request without explanation");
        e = WebhookDispatcher.denied("deny.example.com", response("{\"code\":200,\"reason\":\"NotAllowed\"}"));
        assertThat(e.code()).isEqualTo(400);
        assertThat(e.getMessage()).isEqualTo("admission webhook \"deny.example.com\" denied the request: NotAllowed");
    }
}
