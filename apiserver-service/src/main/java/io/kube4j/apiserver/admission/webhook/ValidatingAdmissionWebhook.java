package io.kube4j.apiserver.admission.webhook;

import io.kube4j.apiserver.admission.AdmissionAttributes;
import io.kube4j.apiserver.admission.AdmissionOrder;
import io.kube4j.apiserver.admission.ValidatingAdmissionPlugin;
import org.springframework.core.annotation.Order;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Optional;

/**
 * Kubernetes' ValidatingAdmissionWebhook plugin: calls every matching validating webhook at once and waits for all;
 * any refusal (or failed call under failurePolicy Fail) refuses the request. With several, the first in webhook order
 * is answered (Kubernetes answers the first to arrive; the order here does not depend on timing).
 */
@Order(AdmissionOrder.VALIDATING_WEBHOOK)
public final class ValidatingAdmissionWebhook implements ValidatingAdmissionPlugin {

    public static final String NAME = "ValidatingAdmissionWebhook";

    private final WebhookSource source;
    private final WebhookDispatcher dispatcher;

    public ValidatingAdmissionWebhook(WebhookSource source, WebhookDispatcher dispatcher) {
        this.source = source;
        this.dispatcher = dispatcher;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Cheap: with no validating webhook configured (the usual case) the store skips this plugin altogether. */
    @Override
    public boolean appliesTo(AdmissionAttributes.Operation operation, io.kube4j.api.registry.ResourceType type,
                             String subresource, io.kube4j.security.UserInfo user) {
        return !WebhookMatcher.isExempt(type) && !source.validating().isEmpty();
    }

    @Override
    public Mono<Void> validate(AdmissionAttributes a) {
        if (WebhookMatcher.isExempt(a)) {
            return Mono.empty();
        }
        List<Webhook> hooks = source.validating();
        if (hooks.isEmpty()) {
            return Mono.empty();
        }
        return Flux.fromIterable(hooks)
                .flatMapSequential(h -> dispatcher.shouldCall(h, a)
                        .flatMap(call -> !call ? Mono.<Void>empty() : dispatcher.call(h, a, a.object())
                                .flatMap(r -> r.allowed() ? Mono.<Void>empty()
                                        : Mono.<Void>error(WebhookDispatcher.denied(h.name(), r.status())))
                                .onErrorResume(e -> WebhookDispatcher.onCallFailure(h, e)))
                        .then(Mono.just(Optional.<Throwable>empty()))
                        .onErrorResume(e -> Mono.just(Optional.of(e))))
                .filter(Optional::isPresent)
                .next()
                .flatMap(e -> Mono.error(e.get()));
    }
}
