package io.kube4j.apiserver.admission;

import reactor.core.publisher.Mono;

/** The validating phase: accepts or refuses, never changes anything (runs after every mutating plugin). */
public interface ValidatingAdmissionPlugin extends AdmissionPlugin {

    /**
     * Completes empty to accept; errors with an {@link io.kube4j.apiserver.rest.ApiException} (403 Forbidden with
     * the plugin's reason, as Kubernetes answers admission denials; 422 for invalid values) to refuse.
     */
    Mono<Void> validate(AdmissionAttributes attributes);
}
