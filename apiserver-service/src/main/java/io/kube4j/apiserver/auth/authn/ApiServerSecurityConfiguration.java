package io.kube4j.apiserver.auth.authn;

import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.apiserver.auth.Impersonation;
import io.kube4j.apiserver.auth.authz.Authorizer;
import io.kube4j.apiserver.auth.authz.SuperuserAuthorizer;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.watch.WatchCacheManager;
import io.kube4j.security.authn.OidcAuthenticator;
import io.kube4j.security.authn.RequestHeaderAuthenticator;
import io.kube4j.security.authn.ServiceAccountTokens;
import io.kube4j.security.authn.StaticTokenAuthenticator;
import io.kube4j.security.authn.X509Authenticator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The apiserver's Spring Security chain: stateless (no session, CSRF, form, basic, logout or request cache),
 * authentication ({@link AuthenticationFilter}) then authorization ({@link AuthorizationFilter}) for every path,
 * the actuator and springdoc included (the anonymous paths are authorized too, as Kubernetes'
 * system:public-info-viewer does). Without another {@link Authorizer} bean only system:masters and the anonymous
 * paths are allowed ({@link SuperuserAuthorizer}).
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
public class ApiServerSecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(ApiServerSecurityConfiguration.class);

    @Bean
    ServiceAccountTokens serviceAccountTokens(AuthenticationProperties props, WatchCacheManager caches,
                                              Storage storage, ResourceRegistry registry) {
        AuthenticationProperties.ServiceAccount sa = props.serviceAccount();
        KeyPair key;
        if (sa.keyFile() == null || sa.keyFile().isBlank()) {
            log.warn("no kube4j.apiserver.authentication.service-account.key-file: ServiceAccount tokens are signed "
                    + "with an ephemeral key and die with this process");
            key = ServiceAccountTokens.ephemeralKey();
        } else {
            key = ServiceAccountTokens.readKeyPair(Path.of(sa.keyFile()));
        }
        List<PublicKey> more = new ArrayList<>();
        for (String f : sa.publicKeyFiles()) {
            more.addAll(ServiceAccountTokens.readPublicKeys(Path.of(f)));
        }
        return new ServiceAccountTokens(key, more, sa.issuer(), sa.apiAudiences(),
                new StoredObjectLookup(caches, storage, registry), Clock.systemUTC());
    }

    @Bean
    RequestAuthentication requestAuthentication(AuthenticationProperties props, ServiceAccountTokens tokens,
                                                @Value("${kube4j.apiserver.tls.client-ca-file:}") String clientCaFile) {
        X509Authenticator x509 = clientCaFile.isBlank() ? null : X509Authenticator.fromCaFile(Path.of(clientCaFile));
        StaticTokenAuthenticator tokenFile = props.tokenFile() == null || props.tokenFile().isBlank() ? null
                : StaticTokenAuthenticator.fromFile(Path.of(props.tokenFile()));
        AuthenticationProperties.RequestHeader rh = props.requestheader();
        RequestHeaderAuthenticator proxy = rh.clientCaFile() == null || rh.clientCaFile().isBlank() ? null
                : new RequestHeaderAuthenticator(X509Authenticator.fromCaFile(Path.of(rh.clientCaFile())),
                rh.allowedNames(), rh.usernameHeaders(), rh.groupHeaders(), rh.extraHeadersPrefix());
        OidcAuthenticator oidc = props.oidc().enabled() ? OidcAuthenticator.of(props.oidc()) : null;
        log.info("authentication: client certificates {}, token file {}, ServiceAccount tokens (issuer {}), OIDC {}, "
                        + "front proxy {}, anonymous paths {}{}", x509 == null ? "off" : "from CA " + clientCaFile,
                tokenFile == null ? "off" : props.tokenFile(), tokens.issuer(),
                oidc == null ? "off" : props.oidc().issuerUrl() + " client " + props.oidc().clientId(),
                proxy == null ? "off" : "from CA " + rh.clientCaFile() + " names " + rh.allowedNames(),
                props.anonymousPaths(), props.insecureDevelopment() ? ", INSECURE development mode" : "");
        return new RequestAuthentication(x509, tokenFile, tokens, oidc, proxy);
    }

    @Bean
    SecurityWebFilterChain apiServerSecurity(ServerHttpSecurity http, RequestAuthentication authentication,
                                             AuthenticationProperties props, ObjectProvider<Impersonation> impersonation,
                                             ObjectProvider<Authorizer> authorizers) {
        AuthenticationProperties.RequestHeader rh = props.requestheader();
        List<String> identityHeaders = new ArrayList<>(rh.usernameHeaders());
        identityHeaders.addAll(rh.groupHeaders());
        identityHeaders.addAll(rh.extraHeadersPrefix());
        Authorizer fallback = new SuperuserAuthorizer(props.anonymousPaths());
        AuthenticationFilter authn = new AuthenticationFilter(authentication, props.insecureDevelopment(),
                props.anonymousPaths(), impersonation.getIfAvailable(), identityHeaders);
        // resolved per request: the @Primary union of the authorizers when there is one, else superusers only
        AuthorizationFilter authz = new AuthorizationFilter(() -> authorizers.getIfAvailable(() -> fallback));
        return http
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .anonymous(ServerHttpSecurity.AnonymousSpec::disable)
                .headers(ServerHttpSecurity.HeaderSpec::disable)
                .requestCache(c -> c.requestCache(NoOpServerRequestCache.getInstance()))
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .addFilterAt(authn, SecurityWebFiltersOrder.AUTHENTICATION)
                .addFilterAt(authz, SecurityWebFiltersOrder.AUTHORIZATION)
                .build();
    }
}
