package io.kube4j.apiserver.auth.authn;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.config.ApiServerProperties;
import io.kube4j.apiserver.rest.ApiException;
import io.kube4j.apiserver.rest.Bodies;
import io.kube4j.apiserver.rest.RequestInfo;
import io.kube4j.apiserver.rest.ResourceExtension;
import io.kube4j.apiserver.rest.Responses;
import io.kube4j.security.UserInfo;
import io.kube4j.security.authn.AuthenticationException;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;

import java.util.List;

/**
 * {@code POST /apis/authentication.k8s.io/v1/tokenreviews}: authenticates {@code spec.token} with the token
 * authenticators (static token file, ServiceAccount JWTs) for {@code spec.audiences} (default the API's) and
 * answers who it is, as Kubernetes' TokenReview (webhook token authentication, kubelet delegated auth).
 */
@Component
public final class TokenReviewExtension implements ResourceExtension {

    private final RequestAuthentication authentication;
    private final long maxBody;

    public TokenReviewExtension(RequestAuthentication authentication, ApiServerProperties props) {
        this.authentication = authentication;
        this.maxBody = props.maxRequestBodySize();
    }

    @Override
    public boolean serves(ResourceType type, String subresource) {
        return subresource == null && type.group().equals("authentication.k8s.io") && type.plural().equals("tokenreviews");
    }

    @Override
    public Mono<ServerResponse> handle(ServerRequest request, RequestInfo info) {
        if (request.method() != HttpMethod.POST || info.name() != null) {
            return Mono.error(ApiException.methodNotAllowed("the server does not allow this method on the requested resource"));
        }
        return Bodies.read(request, maxBody)
                .map(body -> decode(body, Bodies.mediaType(request)))
                .flatMap(this::review)
                .flatMap(tr -> Responses.object(request, 201, tr));
    }

    private TokenReview decode(byte[] body, String mediaType) {
        try {
            return Codecs.json().treeToValue(Bodies.parseObject(body, mediaType), TokenReview.class);
        } catch (JacksonException e) {
            throw ApiException.badRequest("the request body is not a valid TokenReview: " + e.getOriginalMessage());
        }
    }

    private Mono<TokenReview> review(TokenReview in) {
        if (in.getSpec() == null || in.getSpec().getToken() == null || in.getSpec().getToken().isEmpty()) {
            return Mono.error(ApiException.badRequest("token is required for TokenReview in authentication"));
        }
        List<String> audiences = in.getSpec().getAudiences() == null ? List.of() : in.getSpec().getAudiences();
        TokenReview out = new TokenReview();
        out.setApiVersion("authentication.k8s.io/v1");
        out.setKind("TokenReview");
        out.setMetadata(in.getMetadata() == null ? new ObjectMeta() : in.getMetadata());
        out.setSpec(in.getSpec());
        return authentication.authenticateToken(in.getSpec().getToken(), audiences)
                .map(r -> {
                    TokenReviewStatus s = new TokenReviewStatus();
                    if (r.isPresent()) {
                        s.setAuthenticated(true);
                        s.setUser(toModel(r.get().user()));
                        s.setAudiences(r.get().audiences());
                    } else {
                        s.setAuthenticated(false);
                        s.setError("invalid bearer token");
                    }
                    return s;
                })
                .onErrorResume(AuthenticationException.class, e -> {
                    TokenReviewStatus s = new TokenReviewStatus();
                    s.setAuthenticated(false);
                    s.setError("[invalid bearer token, " + e.getMessage() + "]");
                    return Mono.just(s);
                })
                .map(s -> {
                    out.setStatus(s);
                    return out;
                });
    }

    /** The identity as the authentication API's {@code UserInfo}. */
    static io.fabric8.kubernetes.api.model.authentication.UserInfo toModel(UserInfo u) {
        return new io.fabric8.kubernetes.api.model.authentication.UserInfo(
                u.extra().isEmpty() ? null : u.extra(), u.groups(), u.uid().isEmpty() ? null : u.uid(), u.name());
    }
}
