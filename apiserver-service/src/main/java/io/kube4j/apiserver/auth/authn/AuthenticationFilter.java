package io.kube4j.apiserver.auth.authn;

import io.kube4j.apiserver.auth.Impersonation;
import io.kube4j.apiserver.auth.RequestUser;
import io.kube4j.apiserver.rest.ApiException;
import io.kube4j.apiserver.rest.Responses;
import io.kube4j.security.UserInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.PathContainer;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.ReactiveSecurityContextHolder;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Map;

/**
 * The authentication step of the security chain: runs {@link RequestAuthentication}; failed credentials → 401;
 * no credentials → the development superuser (insecure-development only), else system:anonymous on the
 * anonymous paths, else 401. Then impersonation (when an {@link Impersonation} bean exists; the authenticated
 * user is kept in {@link RequestUser#AUTHENTICATED_ATTRIBUTE}). The user ends up in {@link RequestUser} and in
 * Spring Security's context (principal: the {@link UserInfo}, authorities: the groups).
 */
public final class AuthenticationFilter implements WebFilter {

    private static final Logger log = LoggerFactory.getLogger(AuthenticationFilter.class);
    static final UserInfo DEVELOPER = new UserInfo(RequestAuthentication.INSECURE_DEVELOPMENT_USER, "",
            List.of(UserInfo.SYSTEM_MASTERS, UserInfo.SYSTEM_AUTHENTICATED), Map.of());

    private final RequestAuthentication authentication;
    private final boolean insecureDevelopment;
    private final List<PathPattern> anonymousPaths;
    private final Impersonation impersonation;
    private final List<String> identityHeaderNames;

    /**
     * @param impersonation       null when impersonation is not wired
     * @param identityHeaderNames front-proxy header names (and prefixes) removed once the request is authenticated
     */
    public AuthenticationFilter(RequestAuthentication authentication, boolean insecureDevelopment,
                                List<String> anonymousPaths, Impersonation impersonation,
                                List<String> identityHeaderNames) {
        this.authentication = authentication;
        this.insecureDevelopment = insecureDevelopment;
        this.anonymousPaths = anonymousPaths.stream().map(PathPatternParser.defaultInstance::parse).toList();
        this.impersonation = impersonation;
        this.identityHeaderNames = identityHeaderNames.stream().map(String::toLowerCase).toList();
        if (insecureDevelopment) {
            log.warn("INSECURE development mode: requests without credentials act as {} in system:masters; never "
                    + "use this for a real cluster", RequestAuthentication.INSECURE_DEVELOPMENT_USER);
        }
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        return authentication.authenticate(exchange.getRequest()).flatMap(outcome -> {
            UserInfo user;
            if (outcome.failed()) {
                log.debug("401 {} {}: {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), outcome.errors());
                return Responses.error(exchange, ApiException.unauthorized());
            } else if (outcome.authenticated()) {
                user = outcome.user();
            } else if (insecureDevelopment) {
                user = DEVELOPER;
            } else if (isAnonymousPath(exchange.getRequest())) {
                user = UserInfo.anonymous();
            } else {
                return Responses.error(exchange, ApiException.unauthorized());
            }
            ServerWebExchange ex = outcome.authenticated() ? withoutCredentials(exchange) : exchange;
            Mono<UserInfo> effective = impersonation == null ? Mono.just(user)
                    : impersonation.resolve(ex.getRequest(), user);
            return effective.map(u -> {
                RequestUser.set(ex, u);
                if (u != user) {
                    ex.getAttributes().put(RequestUser.AUTHENTICATED_ATTRIBUTE, user);
                }
                return u;
            }).map(u -> true).onErrorResume(ApiException.class, e -> Responses.error(ex, e).thenReturn(false))
                    .flatMap(ok -> ok ? chain.filter(ex).contextWrite(
                            ReactiveSecurityContextHolder.withAuthentication(token(RequestUser.get(ex))))
                            : Mono.empty());
        });
    }

    private boolean isAnonymousPath(ServerHttpRequest request) {
        PathContainer path = request.getPath().pathWithinApplication();
        for (PathPattern p : anonymousPaths) {
            if (p.matches(path)) {
                return true;
            }
        }
        return false;
    }

    /** Kubernetes removes the credential headers once they served (so nothing forwards a bearer token onwards). */
    private ServerWebExchange withoutCredentials(ServerWebExchange exchange) {
        HttpHeaders h = exchange.getRequest().getHeaders();
        List<String> drop = h.headerNames().stream().filter(n -> {
            String l = n.toLowerCase();
            return l.equals("authorization") || identityHeaderNames.stream().anyMatch(l::startsWith);
        }).toList();
        if (drop.isEmpty()) {
            return exchange;
        }
        return exchange.mutate().request(r -> r.headers(hh -> drop.forEach(hh::remove))).build();
    }

    private static PreAuthenticatedAuthenticationToken token(UserInfo u) {
        PreAuthenticatedAuthenticationToken t = new PreAuthenticatedAuthenticationToken(u, "N/A",
                u.groups().stream().map(SimpleGrantedAuthority::new).toList());
        return t;
    }
}
