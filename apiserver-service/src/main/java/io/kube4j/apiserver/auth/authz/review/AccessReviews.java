package io.kube4j.apiserver.auth.authz.review;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.authorization.v1.LocalSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.NonResourceAttributes;
import io.fabric8.kubernetes.api.model.authorization.v1.NonResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributes;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceRule;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewSpec;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewStatus;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectRulesReviewStatus;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.auth.RequestUser;
import io.kube4j.apiserver.auth.authz.AuthorizationAttributes;
import io.kube4j.apiserver.auth.authz.Authorizer;
import io.kube4j.apiserver.auth.authz.Decision;
import io.kube4j.apiserver.rest.ApiException;
import io.kube4j.apiserver.rest.RequestInfo;
import io.kube4j.apiserver.rest.ResourceExtension;
import io.kube4j.apiserver.rest.Responses;
import io.kube4j.security.UserInfo;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The authorization.k8s.io reviews (Kubernetes' {@code registry/authorization}): SubjectAccessReview (may a given
 * user...), SelfSubjectAccessReview (may I...), LocalSubjectAccessReview (namespaced SubjectAccessReview) answered
 * by the same authorizer every request goes through, and SelfSubjectRulesReview (what may I do in a namespace),
 * which is what {@code kubectl auth can-i} and {@code kubectl auth can-i --list} use. Nothing is stored: the review
 * is answered with its status filled in (201).
 */
public final class AccessReviews implements ResourceExtension {

    private static final String GROUP = "authorization.k8s.io";
    private static final Set<String> SERVED = Set.of("subjectaccessreviews", "selfsubjectaccessreviews",
            "localsubjectaccessreviews", "selfsubjectrulesreviews");
    private static final long MAX_BODY = 3L * 1024 * 1024;

    private final Authorizer authorizer;
    private final RuleResolver rules;

    public AccessReviews(Authorizer authorizer, RuleResolver rules) {
        this.authorizer = authorizer;
        this.rules = rules;
    }

    @Override
    public boolean serves(ResourceType type, String subresource) {
        return subresource == null && type.group().equals(GROUP) && SERVED.contains(type.plural());
    }

    @Override
    public Mono<ServerResponse> handle(ServerRequest request, RequestInfo info) {
        if (!request.method().name().equals("POST") || info.name() != null) {
            return Responses.error(ApiException.methodNotAllowed(
                    "the server does not allow this method on the requested resource"));
        }
        UserInfo me = RequestUser.get(request);
        return request.bodyToMono(byte[].class)
                .switchIfEmpty(Mono.error(() -> ApiException.badRequest("the request body is empty")))
                .flatMap(body -> {
                    if (body.length > MAX_BODY) {
                        return Mono.error(ApiException.tooLarge("the request body is too large"));
                    }
                    return switch (info.type().plural()) {
                        case "subjectaccessreviews" -> subject(decode(body, SubjectAccessReview.class, info.type()));
                        case "localsubjectaccessreviews" ->
                                local(decode(body, LocalSubjectAccessReview.class, info.type()), info.namespace());
                        case "selfsubjectaccessreviews" -> self(decode(body, SelfSubjectAccessReview.class, info.type()), me);
                        default -> Mono.just(rulesReview(decode(body, SelfSubjectRulesReview.class, info.type()), me));
                    };
                })
                .flatMap(review -> Responses.object(request, 201, review))
                .onErrorResume(ApiException.class, Responses::error);
    }

    private Mono<Object> subject(SubjectAccessReview r) {
        SubjectAccessReviewSpec spec = requireSpec(r.getSpec());
        UserInfo u = specUser(spec);
        return check(u, spec.getResourceAttributes(), spec.getNonResourceAttributes())
                .map(status -> {
                    r.setStatus(status);
                    return r;
                });
    }

    private Mono<Object> local(LocalSubjectAccessReview r, String namespace) {
        SubjectAccessReviewSpec spec = requireSpec(r.getSpec());
        if (spec.getResourceAttributes() == null) {
            throw invalid("spec.resourceAttributes", "disallowed on this kind of request");
        }
        String ns = spec.getResourceAttributes().getNamespace();
        if (ns == null || ns.isEmpty()) {
            spec.getResourceAttributes().setNamespace(namespace);
        } else if (!ns.equals(namespace)) {
            throw ApiException.badRequest("spec.resourceAttributes.namespace must match namespace: " + namespace);
        }
        if (r.getMetadata() == null) {
            r.setMetadata(new ObjectMeta());
        }
        r.getMetadata().setNamespace(namespace);
        UserInfo u = specUser(spec);
        return check(u, spec.getResourceAttributes(), null).map(status -> {
            r.setStatus(status);
            return r;
        });
    }

    private Mono<Object> self(SelfSubjectAccessReview r, UserInfo me) {
        if (r.getSpec() == null) {
            throw invalid("spec", "exactly one of nonResourceAttributes or resourceAttributes must be specified");
        }
        return check(me, r.getSpec().getResourceAttributes(), r.getSpec().getNonResourceAttributes())
                .map(status -> {
                    r.setStatus(status);
                    return r;
                });
    }

    private Object rulesReview(SelfSubjectRulesReview r, UserInfo me) {
        String ns = r.getSpec() == null || r.getSpec().getNamespace() == null ? "" : r.getSpec().getNamespace();
        RuleResolver.Result res = rules.rulesFor(me, ns);
        List<ResourceRule> resourceRules = new ArrayList<>();
        List<NonResourceRule> nonResourceRules = new ArrayList<>();
        for (PolicyRule p : res.rules()) {
            if (p.getNonResourceURLs() != null && !p.getNonResourceURLs().isEmpty()) {
                NonResourceRule n = new NonResourceRule();
                n.setVerbs(p.getVerbs());
                n.setNonResourceURLs(p.getNonResourceURLs());
                nonResourceRules.add(n);
            }
            if (p.getResources() != null && !p.getResources().isEmpty()) {
                ResourceRule rr = new ResourceRule();
                rr.setVerbs(p.getVerbs());
                rr.setApiGroups(p.getApiGroups());
                rr.setResources(p.getResources());
                rr.setResourceNames(p.getResourceNames() == null || p.getResourceNames().isEmpty() ? null : p.getResourceNames());
                resourceRules.add(rr);
            }
        }
        SubjectRulesReviewStatus status = new SubjectRulesReviewStatus();
        status.setResourceRules(resourceRules);
        status.setNonResourceRules(nonResourceRules);
        status.setIncomplete(res.incomplete());
        if (!res.errors().isEmpty()) {
            status.setEvaluationError(String.join(", ", res.errors()));
        }
        r.setStatus(status);
        return r;
    }

    private Mono<SubjectAccessReviewStatus> check(UserInfo u, ResourceAttributes ra, NonResourceAttributes na) {
        if ((ra == null) == (na == null)) {
            throw invalid("spec.resourceAttributes",
                    "exactly one of nonResourceAttributes or resourceAttributes must be specified");
        }
        AuthorizationAttributes a = ra != null
                ? AuthorizationAttributes.resource(u, nz(ra.getVerb()), ra.getGroup(), ra.getVersion(), ra.getResource(),
                ra.getSubresource(), ra.getNamespace(), ra.getName())
                : AuthorizationAttributes.nonResource(u, nz(na.getVerb()), na.getPath());
        return authorizer.authorize(a).map(d -> {
            SubjectAccessReviewStatus s = new SubjectAccessReviewStatus();
            s.setAllowed(d.allowed());
            if (d.kind() == Decision.Kind.DENY) {
                s.setDenied(true);
            }
            if (d.reason() != null && !d.reason().isEmpty()) {
                s.setReason(d.reason());
            }
            return s;
        });
    }

    private static SubjectAccessReviewSpec requireSpec(SubjectAccessReviewSpec spec) {
        if (spec == null) {
            throw invalid("spec", "exactly one of nonResourceAttributes or resourceAttributes must be specified");
        }
        if (nz(spec.getUser()).isEmpty() && (spec.getGroups() == null || spec.getGroups().isEmpty())) {
            throw invalid("spec.user", "at least one of user or group must be specified");
        }
        return spec;
    }

    private static UserInfo specUser(SubjectAccessReviewSpec spec) {
        Map<String, List<String>> extra = spec.getExtra() == null ? Map.of() : spec.getExtra();
        return new UserInfo(nz(spec.getUser()), spec.getUid(), spec.getGroups(), extra);
    }

    private static <T> T decode(byte[] body, Class<T> type, ResourceType rt) {
        T out;
        try {
            out = Codecs.json().readValue(body, type);
        } catch (RuntimeException e) {
            throw ApiException.badRequest("the body of the request cannot be decoded as a " + rt.kind() + ": "
                    + e.getMessage());
        }
        if (out == null) {
            throw ApiException.badRequest("the request body is empty");
        }
        return out;
    }

    private static ApiException invalid(String field, String message) {
        // Kubernetes answers a review that fails validation with 422 Invalid
        return new ApiException(422, "Invalid", field + ": Invalid value: \"\": " + message);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
