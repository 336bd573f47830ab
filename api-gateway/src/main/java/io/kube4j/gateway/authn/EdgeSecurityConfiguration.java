package io.kube4j.gateway.authn;

import io.kube4j.security.authn.StaticTokenAuthenticator;
import io.kube4j.security.authn.X509Authenticator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;

import java.nio.file.Path;
import java.util.List;

/**
 * Spring Security at the edge: no sessions, no CSRF, no login forms for API clients; one authentication filter
 * running kube4j's authenticators (shared with the apiserver through the {@code security} module). Authorization
 * stays the apiserver's (RBAC, Node): the gateway lets every authenticated or anonymous request through to it.
 */
@Configuration(proxyBeanMethods = false)
public class EdgeSecurityConfiguration {

    @Bean
    SecurityWebFilterChain edgeSecurity(ServerHttpSecurity http, List<EdgeAuthenticator> authenticators,
                                        ObjectProvider<AuthenticationFailureListener> failureListeners,
                                        EdgeAuthenticationProperties props) {
        EdgeAuthenticationFilter filter = new EdgeAuthenticationFilter(authenticators,
                failureListeners.orderedStream().toList(), props.anonymous());
        return http
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .requestCache(c -> c.requestCache(org.springframework.security.web.server.savedrequest
                        .NoOpServerRequestCache.getInstance()))
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .addFilterAt(filter, SecurityWebFiltersOrder.AUTHENTICATION)
                .authorizeExchange(e -> e.anyExchange().permitAll())
                .build();
    }

    @Bean
    X509EdgeAuthenticator x509EdgeAuthenticator(EdgeAuthenticationProperties props) {
        X509Authenticator x509 = props.clientCaFile() == null || props.clientCaFile().isBlank()
                ? null
                : X509Authenticator.fromCaFile(Path.of(props.clientCaFile()));
        return new X509EdgeAuthenticator(x509);
    }

    @Bean
    TokenReviewer tokenReviewer(List<TokenAuthenticator> authenticators) {
        return new TokenReviewer(authenticators);
    }

    @Bean
    BearerTokenEdgeAuthenticator bearerTokenEdgeAuthenticator(TokenReviewer reviewer) {
        return new BearerTokenEdgeAuthenticator(reviewer);
    }

    @Bean
    StaticTokenFileAuthenticator staticTokenFileAuthenticator(EdgeAuthenticationProperties props) {
        if (props.tokenFile() == null || props.tokenFile().isBlank()) {
            return new StaticTokenFileAuthenticator(new StaticTokenAuthenticator(java.util.Map::of));
        }
        return new StaticTokenFileAuthenticator(StaticTokenAuthenticator.fromFile(Path.of(props.tokenFile())));
    }

    @Bean
    IdentityForwardingFilter identityForwardingFilter() {
        return new IdentityForwardingFilter();
    }
}
