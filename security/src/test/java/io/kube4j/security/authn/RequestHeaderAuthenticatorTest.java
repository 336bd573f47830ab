package io.kube4j.security.authn;

import io.kube4j.security.UserInfo;
import org.junit.jupiter.api.Test;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RequestHeaderAuthenticatorTest {

    static final TestCerts.Issued PROXY_CA = TestCerts.ca("front-proxy-ca");
    static final TestCerts.Issued CLUSTER_CA = TestCerts.ca("cluster-ca");
    static final X509Certificate[] PROXY = {TestCerts.client(PROXY_CA, "front-proxy-client").cert()};

    final RequestHeaderAuthenticator auth = new RequestHeaderAuthenticator(
            new X509Authenticator(() -> List.of(PROXY_CA.cert()), Clock.systemUTC()), List.of("front-proxy-client"),
            List.of("X-Remote-User"), List.of("X-Remote-Group"), List.of("X-Remote-Extra-"));

    @Test
    void theProxyAssertsUserGroupsAndExtra() {
        UserInfo u = auth.authenticate(PROXY, Map.of(
                "x-remote-user", List.of("alice"),
                "X-Remote-Group", List.of("dev", "ops"),
                "X-Remote-Extra-Scopes", List.of("a", "b"),
                "X-Remote-Extra-Example.com%2fTeam", List.of("blue"))).orElseThrow();
        assertThat(u.name()).isEqualTo("alice");
        assertThat(u.groups()).containsExactly("dev", "ops");
        assertThat(u.extra()).containsEntry("scopes", List.of("a", "b")).containsEntry("example.com/team", List.of("blue"));
    }

    @Test
    void extraKeysAreLowerCasedBeforeUnescapingAsKubernetesDoes() {
        // "Café/Ünits%": the escaped characters keep their case, the plain ones are lower-cased
        UserInfo u = auth.authenticate(PROXY, Map.of("X-Remote-User", List.of("alice"),
                "X-Remote-Extra-Caf%C3%A9%2F%C3%9Cnits%25", List.of("x"))).orElseThrow();
        assertThat(u.extra()).containsOnlyKeys("café/Ünits%");
    }

    @Test
    void withoutAUserHeaderOrWithoutACertificateThereIsNoOpinion() {
        assertThat(auth.authenticate(PROXY, Map.of("X-Remote-Group", List.of("system:masters")))).isEmpty();
        assertThat(auth.authenticate(null, Map.of("X-Remote-User", List.of("admin"),
                "X-Remote-Group", List.of("system:masters")))).isEmpty();
    }

    @Test
    void headersFromAClientCertificateThatIsNotTheProxysAreRefused() {
        X509Certificate[] client = {TestCerts.client(CLUSTER_CA, "mallory").cert()};
        assertThatThrownBy(() -> auth.authenticate(client, Map.of("X-Remote-User", List.of("admin"))))
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("unknown authority");
        X509Certificate[] otherName = {TestCerts.client(PROXY_CA, "some-other-proxy").cert()};
        assertThatThrownBy(() -> auth.authenticate(otherName, Map.of("X-Remote-User", List.of("admin"))))
                .isInstanceOf(AuthenticationException.class)
                .hasMessage("x509: subject with cn=some-other-proxy is not in the allowed list");
    }

    @Test
    void anEmptyAllowedListAcceptsAnyCertificateOfTheProxyCa() {
        RequestHeaderAuthenticator any = new RequestHeaderAuthenticator(
                new X509Authenticator(() -> List.of(PROXY_CA.cert()), Clock.systemUTC()), List.of(),
                List.of("X-Remote-User"), List.of("X-Remote-Group"), List.of("X-Remote-Extra-"));
        X509Certificate[] otherName = {TestCerts.client(PROXY_CA, "some-other-proxy").cert()};
        assertThat(any.authenticate(otherName, Map.of("X-Remote-User", List.of("bob"))).orElseThrow().name()).isEqualTo("bob");
    }
}
