package io.kube4j.apiserver.auth;

import io.kube4j.security.UserInfo;

import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Map;

/**
 * Development mode only ({@code kube4j.apiserver.authentication.insecure-development=true}, never the default):
 * a request that no authenticator identified acts as {@value #USER} in {@code system:masters}, as Kubernetes'
 * old insecure port did. Tests of everything but security run this way; a cluster started by {@code ./kube4j up}
 * never does.
 */
@Component
@ConditionalOnProperty(name = "kube4j.apiserver.authentication.insecure-development", havingValue = "true")
@Order(Ordered.HIGHEST_PRECEDENCE + 100)
public class InsecureDevelopmentUserFilter implements WebFilter {

    public static final String USER = "kube4j:insecure-development";
    private static final UserInfo DEVELOPER = new UserInfo(USER, "",
            List.of(UserInfo.SYSTEM_MASTERS, UserInfo.SYSTEM_AUTHENTICATED), Map.of());

    public InsecureDevelopmentUserFilter() {
        LoggerFactory.getLogger(InsecureDevelopmentUserFilter.class).warn("INSECURE development mode: requests "
                + "without credentials act as {} in system:masters; never use this for a real cluster", USER);
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (RequestUser.find(exchange) == null) {
            RequestUser.set(exchange, DEVELOPER);
        }
        return chain.filter(exchange);
    }

}
