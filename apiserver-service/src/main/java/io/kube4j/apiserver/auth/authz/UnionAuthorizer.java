package io.kube4j.apiserver.auth.authz;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.util.ArrayList;
import java.util.List;

/**
 * The authorizer every request and access review goes through: members of {@code system:masters} are allowed
 * (Kubernetes' privileged-group authorizer), then each configured authorizer in order; the first ALLOW or DENY
 * answers, and when all have no opinion the request is denied with their reasons joined.
 */
public final class UnionAuthorizer implements Authorizer {

    private final List<Authorizer> authorizers;

    public UnionAuthorizer(List<Authorizer> authorizers) {
        this.authorizers = List.copyOf(authorizers);
    }

    @Override
    public Mono<Decision> authorize(AuthorizationAttributes a) {
        if (a.user() != null && a.user().isSuperuser()) {
            return Mono.just(Decision.allow(""));
        }
        List<String> reasons = new ArrayList<>();
        return Flux.fromIterable(authorizers)
                .concatMap(z -> z.authorize(a))
                .doOnNext(d -> {
                    if (d.reason() != null && !d.reason().isEmpty()) {
                        reasons.add(d.reason());
                    }
                })
                .filter(d -> d.kind() != Decision.Kind.NO_OPINION)
                .next()
                .switchIfEmpty(Mono.fromSupplier(() -> Decision.noOpinion(String.join("\n", reasons))));
    }
}
