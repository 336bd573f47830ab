package io.kube4j.apiserver.admission.webhook;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.ServiceReference;
import reactor.core.publisher.Mono;

/** Turns a webhook's {@code clientConfig.service} into an address to call (Kubernetes' {@code ServiceResolver}). */
public interface ServiceResolver {

    /** Errors with a message saying why the Service cannot be reached (missing, no such port, no endpoints). */
    Mono<WebhookTarget> resolve(ServiceReference service);
}
