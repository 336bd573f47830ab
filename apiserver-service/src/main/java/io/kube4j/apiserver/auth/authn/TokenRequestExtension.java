package io.kube4j.apiserver.auth.authn;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.authentication.BoundObjectReference;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestSpec;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestStatus;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.registry.ResourceStore;
import io.kube4j.apiserver.rest.ApiException;
import io.kube4j.apiserver.rest.Bodies;
import io.kube4j.apiserver.rest.RequestInfo;
import io.kube4j.apiserver.rest.ResourceExtension;
import io.kube4j.apiserver.rest.Responses;
import io.kube4j.security.authn.ServiceAccountTokens;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;

import java.time.Duration;
import java.util.List;

/**
 * {@code POST /api/v1/namespaces/{ns}/serviceaccounts/{name}/token} (TokenRequest): a JWT for an existing
 * ServiceAccount, for the requested audiences (default the API's), lifetime ({@code expirationSeconds}, at least
 * 600, default 3600, shortened to the configured maximum) and optional binding to an existing Pod or Secret, as
 * Kubernetes' {@code TokenREST}.
 */
@Component
public final class TokenRequestExtension implements ResourceExtension {

    static final long MIN_EXPIRATION_SECONDS = 600;
    static final long DEFAULT_EXPIRATION_SECONDS = 3600;
    static final long MAX_EXPIRATION_SECONDS = 1L << 32;

    private final ResourceStore store;
    private final ServiceAccountTokens tokens;
    private final AuthenticationProperties props;
    private final long maxBody;
    private final ResourceType pods;
    private final ResourceType secrets;
    private final ResourceType nodes;

    public TokenRequestExtension(ResourceStore store, ServiceAccountTokens tokens, AuthenticationProperties props,
                                 io.kube4j.apiserver.config.ApiServerProperties apiProps) {
        this.store = store;
        this.tokens = tokens;
        this.props = props;
        this.maxBody = apiProps.maxRequestBodySize();
        ResourceRegistry r = store.registry();
        this.pods = r.byPath("", "v1", "pods").orElseThrow();
        this.secrets = r.byPath("", "v1", "secrets").orElseThrow();
        this.nodes = r.byPath("", "v1", "nodes").orElseThrow();
    }

    @Override
    public boolean serves(ResourceType type, String subresource) {
        return "token".equals(subresource) && type.group().isEmpty() && type.plural().equals("serviceaccounts");
    }

    @Override
    public Mono<ServerResponse> handle(ServerRequest request, RequestInfo info) {
        if (request.method() != HttpMethod.POST || info.name() == null) {
            return Mono.error(ApiException.methodNotAllowed("the server does not allow this method on the requested resource"));
        }
        return Bodies.read(request, maxBody)
                .map(body -> decode(body, Bodies.mediaType(request)))
                .flatMap(req -> issue(info, req))
                .flatMap(tr -> Responses.object(request, 201, tr));
    }

    private TokenRequest decode(byte[] body, String mediaType) {
        try {
            return Codecs.json().treeToValue(Bodies.parseObject(body, mediaType), TokenRequest.class);
        } catch (JacksonException e) {
            throw ApiException.badRequest("the request body is not a valid TokenRequest: " + e.getOriginalMessage());
        }
    }

    private Mono<TokenRequest> issue(RequestInfo info, TokenRequest req) {
        String ns = info.namespace();
        String name = info.name();
        TokenRequestSpec spec = req.getSpec() == null ? new TokenRequestSpec() : req.getSpec();
        long seconds = spec.getExpirationSeconds() == null ? DEFAULT_EXPIRATION_SECONDS : spec.getExpirationSeconds();
        if (seconds < MIN_EXPIRATION_SECONDS) {
            throw invalid(name, "spec.expirationSeconds", seconds, "may not specify a duration less than 10 minutes");
        }
        if (seconds > MAX_EXPIRATION_SECONDS) {
            throw invalid(name, "spec.expirationSeconds", seconds, "may not specify a duration larger than 2^32 seconds");
        }
        long max = props.serviceAccount().maxTokenExpiration().toSeconds();
        if (max > 0 && seconds > max) {
            seconds = max;
        }
        List<String> audiences = spec.getAudiences() == null || spec.getAudiences().isEmpty()
                ? tokens.apiAudiences() : List.copyOf(spec.getAudiences());
        long lifetime = seconds;
        BoundObjectReference ref = spec.getBoundObjectRef();
        return store.get(info.type(), ns, name).flatMap(sa -> bound(ns, name, ref).defaultIfEmpty(Bound.NONE).flatMap(b -> {
            ServiceAccountTokens.IssuedToken t = tokens.issue(ns,
                    new ServiceAccountTokens.Ref(name, sa.getMetadata().getUid()), audiences,
                    Duration.ofSeconds(lifetime), b.pod, b.secret, b.node);
            TokenRequest out = new TokenRequest();
            out.setApiVersion("authentication.k8s.io/v1");
            out.setKind("TokenRequest");
            out.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).withNamespace(ns)
                    .withCreationTimestamp(ResourceStore.now()).build());
            TokenRequestSpec outSpec = new TokenRequestSpec(null, audiences, ref == null ? null : new BoundObjectReference(
                    ref.getApiVersion(), ref.getKind(), ref.getName(), b.uid()), lifetime);
            out.setSpec(outSpec);
            out.setStatus(new TokenRequestStatus(ResourceStore.RFC3339.format(t.expiration()), t.token()));
            return Mono.just(out);
        }));
    }

    private record Bound(ServiceAccountTokens.Ref pod, ServiceAccountTokens.Ref secret, ServiceAccountTokens.Ref node) {
        static final Bound NONE = new Bound(null, null, null);

        String uid() {
            return pod != null ? pod.uid() : secret != null ? secret.uid() : null;
        }
    }

    /** The object the token is bound to (Kubernetes: a Pod, with its node, or a Secret), which must exist. */
    private Mono<Bound> bound(String ns, String saName, BoundObjectReference ref) {
        if (ref == null) {
            return Mono.empty();
        }
        String kind = ref.getKind() == null ? "" : ref.getKind();
        String apiVersion = ref.getApiVersion() == null ? "" : ref.getApiVersion();
        if (!apiVersion.equals("v1") || !(kind.equals("Pod") || kind.equals("Secret"))) {
            return Mono.error(ApiException.badRequest("cannot bind token to object of type " + groupVersionKind(apiVersion, kind)));
        }
        if (ref.getName() == null || ref.getName().isEmpty()) {
            return Mono.error(invalid(saName, "spec.boundObjectRef.name", "", "Required value"));
        }
        ResourceType t = kind.equals("Pod") ? pods : secrets;
        return store.get(t, ns, ref.getName()).flatMap(o -> {
            String uid = o.getMetadata().getUid();
            if (ref.getUid() != null && !ref.getUid().isEmpty() && !ref.getUid().equals(uid)) {
                return Mono.error(ApiException.conflict(t, ref.getName(), "the UID in the bound object reference ("
                        + ref.getUid() + ") does not match the UID in record. The object might have been deleted and then recreated"));
            }
            ServiceAccountTokens.Ref self = new ServiceAccountTokens.Ref(ref.getName(), uid);
            if (t == secrets) {
                return Mono.just(new Bound(null, self, null));
            }
            Pod pod = (Pod) o;
            String podSa = pod.getSpec() == null ? null : pod.getSpec().getServiceAccountName();
            if (podSa != null && !podSa.isEmpty() && !podSa.equals(saName)) {
                return Mono.error(ApiException.badRequest("cannot bind token for serviceaccount \"" + saName
                        + "\" to pod running with different serviceaccount name."));
            }
            String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
            if (nodeName == null || nodeName.isEmpty()) {
                return Mono.just(new Bound(self, null, null));
            }
            return store.get(nodes, null, nodeName)
                    .map(HasMetadata::getMetadata)
                    .map(m -> new Bound(self, null, new ServiceAccountTokens.Ref(nodeName, m.getUid())))
                    .onErrorResume(ApiException.class, e -> e.code() == 404 ? Mono.just(new Bound(self, null, null)) : Mono.error(e));
        });
    }

    private static String groupVersionKind(String apiVersion, String kind) {
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        String version = slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
        return group + "/" + version + ", Kind=" + kind;
    }

    private ApiException invalid(String name, String field, Object value, String detail) {
        String message = field + ": Invalid value: " + value + ": " + detail;
        return new ApiException(422, "Invalid", "TokenRequest.authentication.k8s.io \"" + name + "\" is invalid: " + message,
                name, "authentication.k8s.io", "TokenRequest", List.of(new StatusCause(field, message, "FieldValueInvalid")), null);
    }
}
