package io.kube4j.apiserver.admission.webhook;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.kube4j.api.codec.Codecs;
import io.kube4j.apiserver.admission.AdmissionAttributes;
import io.kube4j.apiserver.admission.AdmissionOrder;
import io.kube4j.apiserver.admission.MutatingAdmissionPlugin;
import io.kube4j.apiserver.patch.Patches;
import io.kube4j.apiserver.rest.ApiException;
import org.springframework.core.annotation.Order;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Kubernetes' MutatingAdmissionWebhook plugin: calls the matching mutating webhooks one after the other, each seeing
 * the object as the previous ones patched it, and applies their JSON patches. reinvocationPolicy IfNeeded: when a
 * webhook changed the object, the IfNeeded webhooks called before it are called once more, in a second round (a
 * webhook is never called for the first time in that round). Built-in mutating plugins all run before this one here,
 * so only webhooks' changes can call for a reinvocation.
 */
@Order(AdmissionOrder.MUTATING_WEBHOOK)
public final class MutatingAdmissionWebhook implements MutatingAdmissionPlugin {

    public static final String NAME = "MutatingAdmissionWebhook";

    private final WebhookSource source;
    private final WebhookDispatcher dispatcher;

    public MutatingAdmissionWebhook(WebhookSource source, WebhookDispatcher dispatcher) {
        this.source = source;
        this.dispatcher = dispatcher;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Cheap: with no mutating webhook configured (the usual case) the store skips this plugin altogether. */
    @Override
    public boolean appliesTo(AdmissionAttributes.Operation operation, io.kube4j.api.registry.ResourceType type,
                             String subresource, io.kube4j.security.UserInfo user) {
        return !WebhookMatcher.isExempt(type) && !source.mutating().isEmpty();
    }

    /** One request's progress through the webhooks. */
    private static final class State {
        HasMetadata object;
        final Set<String> invokedReinvocable = new HashSet<>();
        final Set<String> reinvoke = new HashSet<>();

        State(HasMetadata object) {
            this.object = object;
        }
    }

    @Override
    public Mono<HasMetadata> admit(AdmissionAttributes attributes) {
        if (WebhookMatcher.isExempt(attributes)) {
            return Mono.empty();
        }
        List<Webhook> hooks = source.mutating();
        if (hooks.isEmpty()) {
            return Mono.empty();
        }
        State st = new State(attributes.object());
        return round(hooks, attributes, st, false)
                .then(Mono.defer(() -> st.reinvoke.isEmpty() ? Mono.<Void>empty() : round(hooks, attributes, st, true)))
                .then(Mono.fromSupplier(() -> st.object));
    }

    private Mono<Void> round(List<Webhook> hooks, AdmissionAttributes attributes, State st, boolean reinvocation) {
        return Flux.fromIterable(hooks)
                .concatMap(h -> reinvocation && !st.reinvoke.contains(h.uid()) ? Mono.<Void>empty()
                        : one(h, attributes, st))
                .then();
    }

    private Mono<Void> one(Webhook h, AdmissionAttributes attributes, State st) {
        AdmissionAttributes a = attributes.withObject(st.object);
        return dispatcher.shouldCall(h, a).flatMap(call -> !call ? Mono.<Void>empty()
                : dispatcher.call(h, a, st.object)
                .flatMap(r -> apply(h, r, st))
                .onErrorResume(e -> WebhookDispatcher.onCallFailure(h, e))
                .doOnNext(changed -> {
                    if (changed) {
                        st.reinvoke.addAll(st.invokedReinvocable);
                    }
                })
                .then(Mono.fromRunnable(() -> {
                    if (h.reinvokeIfNeeded()) {
                        st.invokedReinvocable.add(h.uid());
                    }
                })));
    }

    /** Applies the webhook's answer to the object; true when the object changed. */
    private static Mono<Boolean> apply(Webhook h, AdmissionReviews.Response r, State st) {
        if (!r.allowed()) {
            return Mono.error(WebhookDispatcher.denied(h.name(), r.status()));
        }
        if (r.patch() == null || r.patch().length == 0) {
            return Mono.just(false);
        }
        JsonNode patch;
        try {
            patch = Codecs.json().readTree(r.patch());
        } catch (JacksonException e) {
            return Mono.error(new WebhookCallException(h.name(),
                    "received undecodable patch in webhook response: " + e.getOriginalMessage()));
        }
        if (patch == null || !patch.isArray()) {
            return Mono.error(new WebhookCallException(h.name(),
                    "received undecodable patch in webhook response: a JSON patch must be an array of operations"));
        }
        if (patch.isEmpty()) {
            return Mono.just(false);
        }
        if (st.object == null) {
            return Mono.error(WebhookDispatcher.internalError("admission webhook \"" + h.name()
                    + "\" attempted to modify the object, which is not supported for this operation"));
        }
        if (!"JSONPatch".equals(r.patchType())) {
            return Mono.error(new WebhookCallException(h.name(), "unsupported patch type \"" + r.patchType() + "\""));
        }
        JsonNode before = Codecs.json().valueToTree(st.object);
        JsonNode after;
        try {
            after = Patches.apply(Patches.JSON_PATCH, before, r.patch());
        } catch (ApiException e) {
            return Mono.error(WebhookDispatcher.internalError(e.getMessage()));
        }
        if (after.equals(before)) {
            return Mono.just(false);
        }
        try {
            st.object = Codecs.convert(after, st.object.getClass());
        } catch (RuntimeException e) {
            return Mono.error(WebhookDispatcher.internalError("admission webhook \"" + h.name()
                    + "\" returned a patch that does not produce a valid " + st.object.getKind() + ": " + e.getMessage()));
        }
        return Mono.just(true);
    }
}
