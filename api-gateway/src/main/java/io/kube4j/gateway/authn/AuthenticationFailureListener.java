package io.kube4j.gateway.authn;

import io.kube4j.security.authn.AuthenticationException;
import org.springframework.web.server.ServerWebExchange;

/** Told of every request the gateway answers with 401 (for example to limit failed attempts per address). */
public interface AuthenticationFailureListener {

    void onFailure(ServerWebExchange exchange, AuthenticationException reason);
}
