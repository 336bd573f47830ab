package io.kube4j.apiserver.admission;

import io.fabric8.kubernetes.api.model.HasMetadata;
import reactor.core.publisher.Mono;

/** The mutating phase: may change the object being created or updated (defaults, injected volumes, webhooks' patches). */
public interface MutatingAdmissionPlugin extends AdmissionPlugin {

    /**
     * The object to carry on with: {@code attributes.object()} changed in place, or a new instance (a webhook's
     * patched copy). An error ({@link io.kube4j.apiserver.rest.ApiException}, usually 403 Forbidden) refuses the
     * request. For DELETE and CONNECT the object is null and the result is ignored.
     */
    Mono<HasMetadata> admit(AdmissionAttributes attributes);
}
