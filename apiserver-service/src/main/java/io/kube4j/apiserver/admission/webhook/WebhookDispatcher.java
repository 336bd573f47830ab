package io.kube4j.apiserver.admission.webhook;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.admission.AdmissionAttributes;
import io.kube4j.apiserver.admission.AdmissionWarnings;
import io.kube4j.apiserver.rest.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the mutating and the validating webhook plugins share: whether a webhook applies to a request (rules, then
 * the namespace and object selectors), the dry-run rule, one call with its AdmissionReview and checked answer, and
 * Kubernetes' errors: a call that failed is {@link WebhookCallException} (the failure policy decides), a refusal is
 * the webhook's own status ({@code admission webhook "x" denied the request: ...}).
 */
public final class WebhookDispatcher {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

    private final WebhookClient client;
    private final NamespaceLabels namespaces;

    public WebhookDispatcher(WebhookClient client, NamespaceLabels namespaces) {
        this.client = client;
        this.namespaces = namespaces;
    }

    /**
     * Whether {@code h} is to be called for {@code a}; a request in a namespace that does not exist, for a webhook
     * that selects namespaces, is refused with 404 as Kubernetes does.
     */
    public Mono<Boolean> shouldCall(Webhook h, AdmissionAttributes a) {
        if (!WebhookMatcher.matchesRules(h, a)) {
            return Mono.just(false);
        }
        boolean objectMatches = WebhookMatcher.matchesObject(h, a);
        if (!WebhookMatcher.needsNamespaceLabels(h, a)) {
            return Mono.just(objectMatches);
        }
        Map<String, String> own = WebhookMatcher.ownNamespaceLabels(a);
        Mono<Map<String, String>> labels = own != null ? Mono.just(own) : namespaces.labels(a.namespace());
        return labels.map(l -> h.namespaceSelector().matches(l) && objectMatches)
                .switchIfEmpty(Mono.defer(() -> objectMatches
                        ? Mono.error(new ApiException(404, "NotFound", "namespaces \"" + a.namespace() + "\" not found",
                        a.namespace(), "", "namespaces", List.of(), null))
                        : Mono.just(false)));
    }

    /**
     * Calls {@code h} about {@code object} (the object as earlier webhooks left it); completes with the checked
     * answer, whose warnings are already recorded. Errors: {@link WebhookCallException}, or 400 when the request is a
     * dry run and the webhook may have side effects.
     */
    public Mono<AdmissionReviews.Response> call(Webhook h, AdmissionAttributes a, HasMetadata object) {
        if (a.dryRun() && !("None".equals(h.sideEffects()) || "NoneOnDryRun".equals(h.sideEffects()))) {
            return Mono.error(ApiException.badRequest("admission webhook \"" + h.name() + "\" does not support dry run"));
        }
        String uid = UUID.randomUUID().toString();
        byte[] body;
        try {
            body = Codecs.json().writeValueAsBytes(AdmissionReviews.request(uid, a, object));
        } catch (RuntimeException e) {
            return Mono.error(new WebhookCallException(h.name(), "could not create admission objects: " + e.getMessage()));
        }
        return client.post(h, body).flatMap(json -> {
            AdmissionReviews.Response r;
            try {
                r = AdmissionReviews.verify(uid, h.mutating(), json);
            } catch (AdmissionReviews.InvalidResponseException e) {
                return Mono.error(new WebhookCallException(h.name(), "received invalid webhook response: " + e.getMessage()));
            }
            return Mono.deferContextual(ctx -> {
                r.warnings().forEach(w -> AdmissionWarnings.add(ctx, w));
                return Mono.just(r);
            });
        });
    }

    /**
     * What a failed call becomes: nothing (logged) with failurePolicy Ignore, else 500 InternalError
     * {@code Internal error occurred: failed calling webhook "x": ...}. Other errors pass unchanged.
     */
    public static <T> Mono<T> onCallFailure(Webhook h, Throwable e) {
        if (!(e instanceof WebhookCallException)) {
            return Mono.error(e);
        }
        if (h.failOpen()) {
            log.warn("Failed calling webhook, failing open {}: {}", h.name(), e.getMessage());
            return Mono.empty();
        }
        log.warn("Failed calling webhook, failing closed {}: {}", h.name(), e.getMessage());
        return Mono.error(internalError(e.getMessage()));
    }

    /** apierrors.NewInternalError. */
    static ApiException internalError(String message) {
        return new ApiException(500, "InternalError", "Internal error occurred: " + message, null, null, null,
                List.of(new StatusCause(null, message, null)), null);
    }

    /**
     * A refusal (Kubernetes' {@code webhookerrors.ToStatusErr}): the webhook's status with a code of at least 400
     * and the message {@code admission webhook "x" denied the request: <message or reason>}.
     */
    public static ApiException denied(String webhookName, JsonNode status) {
        int code = status == null ? 0 : status.path("code").asInt(0);
        if (code < 400) {
            code = 400;
        }
        String reason = status == null ? "" : status.path("reason").asString("");
        String message = status == null ? "" : status.path("message").asString("");
        String deniedBy = "admission webhook \"" + webhookName + "\" denied the request";
        String full = !message.isEmpty() ? deniedBy + ": " + message
                : !reason.isEmpty() ? deniedBy + ": " + reason : deniedBy + " without explanation";
        List<StatusCause> causes = new java.util.ArrayList<>();
        if (status != null) {
            status.path("details").path("causes").forEach(c -> causes.add(new StatusCause(
                    c.path("field").asString(null), c.path("message").asString(null), c.path("reason").asString(null))));
        }
        return new ApiException(code, reason.isEmpty() ? null : reason, full, null, null, null, causes, null);
    }
}
