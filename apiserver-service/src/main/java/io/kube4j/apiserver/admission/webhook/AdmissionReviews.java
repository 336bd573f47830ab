package io.kube4j.apiserver.admission.webhook;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.admission.AdmissionAttributes;
import io.kube4j.security.UserInfo;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * {@code admission.k8s.io/v1 AdmissionReview}: the request sent to a webhook (Kubernetes'
 * {@code CreateV1AdmissionReview}) and the checks on its answer ({@code VerifyAdmissionResponse}).
 */
public final class AdmissionReviews {

    public static final String API_VERSION = "admission.k8s.io/v1";
    public static final String KIND = "AdmissionReview";

    /** A webhook's verified answer: allowed or not, the refusal status, a JSON patch, warnings. */
    public record Response(boolean allowed, JsonNode status, byte[] patch, String patchType, List<String> warnings) {
    }

    /** The answer was not a usable AdmissionReview (Kubernetes fails such a call like a transport error). */
    public static final class InvalidResponseException extends Exception {
        InvalidResponseException(String message) {
            super(message);
        }
    }

    private AdmissionReviews() {
    }

    /** The AdmissionReview for {@code a} with request uid {@code uid}; {@code object} is the object as it is now. */
    public static ObjectNode request(String uid, AdmissionAttributes a, HasMetadata object) {
        ObjectNode review = Codecs.json().createObjectNode();
        review.put("apiVersion", API_VERSION);
        review.put("kind", KIND);
        ObjectNode r = review.putObject("request");
        r.put("uid", uid);
        HasMetadata subject = object != null ? object : a.oldObject();
        String[] gvk = kind(a, subject);
        ObjectNode kind = r.putObject("kind");
        kind.put("group", gvk[0]).put("version", gvk[1]).put("kind", gvk[2]);
        ObjectNode resource = r.putObject("resource");
        resource.put("group", a.type().group()).put("version", a.type().version()).put("resource", a.type().plural());
        if (!a.subresource().isEmpty()) {
            r.put("subResource", a.subresource());
        }
        r.set("requestKind", kind.deepCopy());
        r.set("requestResource", resource.deepCopy());
        if (!a.subresource().isEmpty()) {
            r.put("requestSubResource", a.subresource());
        }
        if (!a.name().isEmpty()) {
            r.put("name", a.name());
        } else if (object != null && object.getMetadata() != null && object.getMetadata().getName() != null) {
            r.put("name", object.getMetadata().getName());
        }
        if (!a.namespace().isEmpty()) {
            r.put("namespace", a.namespace());
        }
        r.put("operation", a.operation().name());
        r.set("userInfo", userInfo(a.user()));
        if (object != null) {
            r.set("object", Codecs.json().valueToTree(object));
        }
        if (a.oldObject() != null) {
            r.set("oldObject", Codecs.json().valueToTree(a.oldObject()));
        }
        r.put("dryRun", a.dryRun());
        JsonNode options = options(a);
        if (options != null) {
            r.set("options", options);
        }
        return review;
    }

    /** group, version and kind of what is being written (a Scale for /scale, a Binding for /binding). */
    private static String[] kind(AdmissionAttributes a, HasMetadata subject) {
        if (subject != null && subject.getKind() != null && subject.getApiVersion() != null) {
            String av = subject.getApiVersion();
            int slash = av.indexOf('/');
            return new String[]{slash < 0 ? "" : av.substring(0, slash), slash < 0 ? av : av.substring(slash + 1),
                    subject.getKind()};
        }
        return new String[]{a.type().group(), a.type().version(), a.type().kind()};
    }

    private static ObjectNode userInfo(UserInfo u) {
        ObjectNode n = Codecs.json().createObjectNode();
        if (u == null) {
            return n;
        }
        n.put("username", u.name());
        if (u.uid() != null && !u.uid().isEmpty()) {
            n.put("uid", u.uid());
        }
        if (u.groups() != null && !u.groups().isEmpty()) {
            ArrayNode g = n.putArray("groups");
            u.groups().forEach(g::add);
        }
        if (u.extra() != null && !u.extra().isEmpty()) {
            n.set("extra", Codecs.json().valueToTree(u.extra()));
        }
        return n;
    }

    /** The operation's options (CreateOptions, UpdateOptions, DeleteOptions...), as Kubernetes always sends them. */
    private static JsonNode options(AdmissionAttributes a) {
        Map<String, Object> given = a.options();
        String kind = switch (a.operation()) {
            case CREATE -> "CreateOptions";
            case UPDATE -> "UpdateOptions";
            case DELETE -> "DeleteOptions";
            case CONNECT -> null;
        };
        if (given == null && kind == null) {
            return null;
        }
        ObjectNode n = given == null ? Codecs.json().createObjectNode() : Codecs.json().valueToTree(given);
        if (kind != null && !n.has("kind")) {
            n.put("kind", kind);
        }
        if (!n.has("apiVersion") && kind != null) {
            n.put("apiVersion", "meta.k8s.io/v1");
        }
        return n;
    }

    /** Checks a webhook's answer to the request with {@code uid} and reads it. */
    public static Response verify(String uid, boolean mutating, JsonNode review) throws InvalidResponseException {
        if (review == null || !review.isObject()) {
            throw new InvalidResponseException("the response is not a JSON object");
        }
        String apiVersion = review.path("apiVersion").asString("");
        String kind = review.path("kind").asString("");
        if (!apiVersion.equals(API_VERSION) || !kind.equals(KIND)) {
            throw new InvalidResponseException("expected webhook response of " + API_VERSION + ", Kind=" + KIND
                    + ", got " + apiVersion + ", Kind=" + kind);
        }
        JsonNode r = review.get("response");
        if (r == null || !r.isObject()) {
            throw new InvalidResponseException("webhook response was absent");
        }
        String got = r.path("uid").asString("");
        if (!got.equals(uid)) {
            throw new InvalidResponseException("expected response.uid=\"" + uid + "\", got \"" + got + "\"");
        }
        byte[] patch = null;
        String patchB64 = r.path("patch").asString("");
        if (!patchB64.isEmpty()) {
            try {
                patch = Base64.getDecoder().decode(patchB64);
            } catch (IllegalArgumentException e) {
                throw new InvalidResponseException("response.patch is not base64: " + e.getMessage());
            }
        }
        String patchType = r.path("patchType").asString("");
        if (patch != null && patchType.isEmpty()) {
            throw new InvalidResponseException("webhook returned response.patch but not response.patchType");
        }
        if (patch != null && !mutating) {
            throw new InvalidResponseException("validating webhook may not return response.patch");
        }
        List<String> warnings = new ArrayList<>();
        r.path("warnings").forEach(w -> warnings.add(w.asString("")));
        return new Response(r.path("allowed").asBoolean(false), r.get("status"), patch, patchType, warnings);
    }
}
