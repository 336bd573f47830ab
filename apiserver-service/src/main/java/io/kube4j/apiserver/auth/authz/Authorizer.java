package io.kube4j.apiserver.auth.authz;

import reactor.core.publisher.Mono;

/**
 * Decides whether a user may do what a request asks (Kubernetes' {@code authorizer.Authorizer}). Implementations:
 * the Node authorizer, RBAC, and the union of the configured ones in order (first ALLOW or DENY wins), which is
 * the {@code @Primary} bean the request filter and the access reviews use.
 */
@FunctionalInterface
public interface Authorizer {

    Mono<Decision> authorize(AuthorizationAttributes attributes);
}
