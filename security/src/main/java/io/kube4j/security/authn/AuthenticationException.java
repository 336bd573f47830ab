package io.kube4j.security.authn;

/**
 * A credential was presented and is not valid (expired, wrong signer, unknown token, ...). The apiserver answers
 * 401 when no other authenticator accepts the request; the message is for logs and TokenReview, never for the
 * 401 body (Kubernetes answers a bare "Unauthorized").
 */
public class AuthenticationException extends RuntimeException {

    public AuthenticationException(String message) {
        super(message);
    }

    public AuthenticationException(String message, Throwable cause) {
        super(message, cause);
    }
}
