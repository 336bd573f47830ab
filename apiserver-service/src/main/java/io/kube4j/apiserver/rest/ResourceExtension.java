package io.kube4j.apiserver.rest;

import io.kube4j.api.registry.ResourceType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * A resource or subresource served by code rather than by the generic store: the create-only reviews
 * (TokenReview, SubjectAccessReview, ...) and subresources such as {@code serviceaccounts/token}. Beans of this
 * type are asked in order before the generic verbs; the request was already authenticated and authorized, and
 * {@link io.kube4j.apiserver.auth.RequestUser} holds the user.
 */
public interface ResourceExtension {

    /** True when this extension answers requests for {@code type} ({@code subresource} null for the resource itself). */
    boolean serves(ResourceType type, String subresource);

    Mono<ServerResponse> handle(ServerRequest request, RequestInfo info);
}
