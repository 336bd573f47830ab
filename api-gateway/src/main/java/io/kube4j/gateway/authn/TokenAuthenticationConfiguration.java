package io.kube4j.gateway.authn;

import io.kube4j.client.KubeClient;
import io.kube4j.client.config.KubeConfigLoader;
import io.kube4j.security.authn.OidcAuthenticator;
import io.kube4j.security.authn.ServiceAccountTokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The bearer tokens the gateway knows besides the static token file: ServiceAccount JWTs (with the lookup of the
 * objects they name, over the apiserver as the gateway's own identity) and OIDC ID tokens. Each is a
 * {@link TokenAuthenticator} bean only when configured.
 */
@Configuration(proxyBeanMethods = false)
public class TokenAuthenticationConfiguration {

    private static final Logger log = LoggerFactory.getLogger(TokenAuthenticationConfiguration.class);

    /** The gateway's own client of the apiserver ({@code kube4j.gateway.client.kubeconfig}), when configured. */
    @Bean(destroyMethod = "close")
    GatewayKubeClient gatewayKubeClient(GatewayClientProperties props) {
        if (props.kubeconfig() == null || props.kubeconfig().isBlank()) {
            return new GatewayKubeClient(null);
        }
        KubeClient client = KubeClient.create(KubeConfigLoader.load(Path.of(props.kubeconfig()),
                props.context() == null || props.context().isBlank() ? null : props.context()));
        log.info("gateway client: {} as kubeconfig {}", client.config().server(), props.kubeconfig());
        return new GatewayKubeClient(client);
    }

    @Bean
    ServiceAccountTokenAuthenticator serviceAccountTokenAuthenticator(ServiceAccountEdgeProperties props,
                                                                      GatewayKubeClient client) {
        if (props.publicKeyFiles().isEmpty()) {
            log.info("ServiceAccount tokens at the edge: off (no kube4j.gateway.authentication.service-account.public-key-files)");
            return null;
        }
        List<PublicKey> keys = new ArrayList<>();
        for (String f : props.publicKeyFiles()) {
            keys.addAll(ServiceAccountTokens.readPublicKeys(Path.of(f)));
        }
        ServiceAccountTokens.ObjectLookup lookup = null;
        if (props.lookup()) {
            if (client.client() == null) {
                throw new IllegalStateException("kube4j.gateway.authentication.service-account.lookup is on but "
                        + "kube4j.gateway.client.kubeconfig is not set: the gateway cannot check that a token's "
                        + "ServiceAccount still exists (set the kubeconfig, or turn the lookup off)");
            }
            lookup = new CachingObjectLookup(new ApiServerObjectLookup(client.client()), props.lookupCacheTtl(),
                    Clock.systemUTC());
        }
        ServiceAccountTokens tokens = new ServiceAccountTokens(null, keys, props.issuers(), props.apiAudiences(),
                lookup, Clock.systemUTC());
        log.info("ServiceAccount tokens at the edge: {} keys, issuers {}, audiences {}, lookup {}", keys.size(),
                props.issuers(), tokens.apiAudiences(), props.lookup() ? "on (cache " + props.lookupCacheTtl() + ")" : "off");
        return new ServiceAccountTokenAuthenticator(tokens);
    }

    @Bean
    OidcTokenAuthenticator oidcTokenAuthenticator(OidcEdgeProperties props) {
        OidcAuthenticator.Config config = props.toConfig();
        if (!config.enabled()) {
            log.info("OIDC at the edge: off (no kube4j.gateway.authentication.oidc.issuer-url)");
            return null;
        }
        log.info("OIDC at the edge: issuer {}, client id {}, username claim {} (prefix \"{}\"), groups claim {}",
                config.issuerUrl(), config.clientId(), config.usernameClaim(), config.effectiveUsernamePrefix(),
                config.groupsClaim());
        return new OidcTokenAuthenticator(OidcAuthenticator.of(config));
    }

    /** Holder of the optional client (a bean may not be null where it is injected). */
    public record GatewayKubeClient(KubeClient client) implements AutoCloseable {
        @Override
        public void close() {
            if (client != null) {
                client.close();
            }
        }
    }
}
