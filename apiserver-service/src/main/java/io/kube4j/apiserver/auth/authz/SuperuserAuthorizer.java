package io.kube4j.apiserver.auth.authz;

import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import reactor.core.publisher.Mono;

import java.util.List;

/**
 * The authorizer used while no other {@link Authorizer} bean exists (RBAC not wired): system:masters may do
 * anything, anybody may GET the anonymous paths (health, version), everything else is no opinion (403).
 */
public final class SuperuserAuthorizer implements Authorizer {

    private final List<PathPattern> publicPaths;

    public SuperuserAuthorizer(List<String> publicPaths) {
        this.publicPaths = publicPaths.stream().map(PathPatternParser.defaultInstance::parse).toList();
    }

    @Override
    public Mono<Decision> authorize(AuthorizationAttributes a) {
        if (a.user() != null && a.user().isSuperuser()) {
            return Mono.just(Decision.allow("system:masters"));
        }
        if (!a.resourceRequest() && (a.verb().equals("get") || a.verb().equals("head"))) {
            var path = org.springframework.http.server.PathContainer.parsePath(a.path());
            if (publicPaths.stream().anyMatch(p -> p.matches(path))) {
                return Mono.just(Decision.allow("public path"));
            }
        }
        return Mono.just(Decision.noOpinion(""));
    }
}
