package io.kube4j.apiserver.auth;

import io.kube4j.security.UserInfo;
import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.core.publisher.Mono;

/**
 * Kubernetes' impersonation: {@code Impersonate-User}, {@code Impersonate-Uid}, {@code Impersonate-Group} and
 * {@code Impersonate-Extra-*} headers replace the authenticated user when it is allowed to {@code impersonate}
 * each of them. Runs after authentication, before authorization.
 */
public interface Impersonation {

    /**
     * The user the request acts as: {@code authenticated} itself when no impersonation header is present; an
     * error ({@link io.kube4j.apiserver.rest.ApiException} 403) when a header asks for what the user may not
     * impersonate, 400 when the headers are malformed.
     */
    Mono<UserInfo> resolve(ServerHttpRequest request, UserInfo authenticated);
}
