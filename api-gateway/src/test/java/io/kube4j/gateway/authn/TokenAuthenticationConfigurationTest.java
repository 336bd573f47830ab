package io.kube4j.gateway.authn;

import io.kube4j.security.authn.ServiceAccountTokens;
import io.kube4j.security.pki.PemFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Which token authenticators the gateway's properties turn on, and the configurations it refuses to start with. */
class TokenAuthenticationConfigurationTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties({GatewayClientProperties.class, ServiceAccountEdgeProperties.class,
            OidcEdgeProperties.class})
    static class Props {
    }

    final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(Props.class, TokenAuthenticationConfiguration.class);

    @TempDir
    Path dir;

    Path publicKeyFile() {
        Path f = dir.resolve("sa.pub");
        PemFiles.writePrivate(f, PemFiles.encodePublicKey(ServiceAccountTokens.ephemeralKey().getPublic()));
        return f;
    }

    @Test
    void nothingConfiguredMeansNoServiceAccountOrOidcTokens() {
        runner.run(c -> {
            assertThat(c).hasNotFailed();
            assertThat(c.getBeanProvider(TokenAuthenticator.class).orderedStream()).isEmpty();
            ServiceAccountEdgeProperties sa = c.getBean(ServiceAccountEdgeProperties.class);
            assertThat(sa.issuers()).containsExactly(ServiceAccountTokens.DEFAULT_ISSUER);
            assertThat(sa.lookup()).isTrue();
            assertThat(c.getBean(OidcEdgeProperties.class).toConfig().signingAlgs()).containsExactly("RS256");
            assertThat(c.getBean(OidcEdgeProperties.class).toConfig().usernameClaim()).isEqualTo("sub");
        });
    }

    @Test
    void serviceAccountKeysWithTheLookupNeedTheGatewaysKubeconfig() {
        runner.withPropertyValues("kube4j.gateway.authentication.service-account.public-key-files=" + publicKeyFile())
                .run(c -> assertThat(c).hasFailed().getFailure()
                        .rootCause().hasMessageContaining("kube4j.gateway.client.kubeconfig is not set"));
    }

    @Test
    void serviceAccountKeysWithoutTheLookup() {
        runner.withPropertyValues("kube4j.gateway.authentication.service-account.public-key-files=" + publicKeyFile(),
                        "kube4j.gateway.authentication.service-account.lookup=false")
                .run(c -> assertThat(c.getBeanProvider(TokenAuthenticator.class).orderedStream())
                        .singleElement().isInstanceOf(ServiceAccountTokenAuthenticator.class));
    }

    @Test
    void oidcNeedsAnHttpsIssuerAndAClientId() {
        runner.withPropertyValues("kube4j.gateway.authentication.oidc.issuer-url=https://issuer.example.com",
                        "kube4j.gateway.authentication.oidc.client-id=kube4j",
                        "kube4j.gateway.authentication.oidc.required-claims.hd=example.com")
                .run(c -> {
                    assertThat(c.getBeanProvider(TokenAuthenticator.class).orderedStream())
                            .singleElement().isInstanceOf(OidcTokenAuthenticator.class);
                    assertThat(c.getBean(OidcEdgeProperties.class).toConfig().requiredClaims())
                            .containsEntry("hd", "example.com");
                });
        runner.withPropertyValues("kube4j.gateway.authentication.oidc.issuer-url=http://issuer.example.com",
                        "kube4j.gateway.authentication.oidc.client-id=kube4j")
                .run(c -> assertThat(c).hasFailed().getFailure().rootCause().hasMessageContaining("must use https"));
        runner.withPropertyValues("kube4j.gateway.authentication.oidc.issuer-url=https://issuer.example.com")
                .run(c -> assertThat(c).hasFailed().getFailure().rootCause().hasMessageContaining("client id"));
    }
}
