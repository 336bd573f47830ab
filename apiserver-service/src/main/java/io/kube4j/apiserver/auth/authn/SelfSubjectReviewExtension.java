package io.kube4j.apiserver.auth.authn;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReviewStatus;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.auth.RequestUser;
import io.kube4j.apiserver.rest.ApiException;
import io.kube4j.apiserver.rest.RequestInfo;
import io.kube4j.apiserver.rest.ResourceExtension;
import io.kube4j.apiserver.rest.Responses;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * {@code POST /apis/authentication.k8s.io/v1/selfsubjectreviews} ({@code kubectl auth whoami}): the requesting
 * user as the apiserver sees it, after impersonation. The body is not needed (Kubernetes ignores it too).
 */
@Component
public final class SelfSubjectReviewExtension implements ResourceExtension {

    @Override
    public boolean serves(ResourceType type, String subresource) {
        return subresource == null && type.group().equals("authentication.k8s.io") && type.plural().equals("selfsubjectreviews");
    }

    @Override
    public Mono<ServerResponse> handle(ServerRequest request, RequestInfo info) {
        if (request.method() != HttpMethod.POST || info.name() != null) {
            return Mono.error(ApiException.methodNotAllowed("the server does not allow this method on the requested resource"));
        }
        SelfSubjectReview r = new SelfSubjectReview();
        r.setApiVersion(info.type().apiVersion());
        r.setKind("SelfSubjectReview");
        r.setMetadata(new ObjectMeta());
        r.setStatus(new SelfSubjectReviewStatus(TokenReviewExtension.toModel(RequestUser.get(request))));
        // drain the body: a client that sent one expects it read
        return request.bodyToMono(byte[].class).then(Responses.object(request, 201, r));
    }
}
