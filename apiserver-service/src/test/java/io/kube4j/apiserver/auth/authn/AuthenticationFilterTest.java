package io.kube4j.apiserver.auth.authn;

import io.kube4j.apiserver.auth.RequestUser;
import io.kube4j.security.UserInfo;
import io.kube4j.security.authn.StaticTokenAuthenticator;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

class AuthenticationFilterTest {

    static final RequestAuthentication TOKENS = new RequestAuthentication(null, new StaticTokenAuthenticator(() -> Map.of(
            "good", UserInfo.of("alice", "dev"))), null, null);
    static final List<String> ANONYMOUS = List.of("/healthz", "/version", "/actuator/health/**");

    record Result(int status, String body, UserInfo user, ServerWebExchange downstream) {
    }

    static Result run(boolean insecure, MockServerHttpRequest request) {
        AuthenticationFilter f = new AuthenticationFilter(TOKENS, insecure, ANONYMOUS, null, List.of("X-Remote-User", "X-Remote-Extra-"));
        MockServerWebExchange ex = MockServerWebExchange.from(request);
        AtomicReference<ServerWebExchange> seen = new AtomicReference<>();
        f.filter(ex, e -> {
            seen.set(e);
            return Mono.empty();
        }).block();
        Integer code = ex.getResponse().getStatusCode() == null ? null : ex.getResponse().getStatusCode().value();
        return new Result(code == null ? 200 : code, code == null ? "" : ex.getResponse().getBodyAsString().block(),
                seen.get() == null ? null : RequestUser.find(seen.get()), seen.get());
    }

    @Test
    void noCredentialsIs401ExceptOnAnonymousPaths() {
        Result r = run(false, MockServerHttpRequest.get("/api/v1/pods").build());
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.body()).contains("\"kind\":\"Status\"").contains("\"reason\":\"Unauthorized\"").contains("\"message\":\"Unauthorized\"");
        assertThat(r.user()).isNull();
        for (String p : List.of("/healthz", "/version", "/actuator/health", "/actuator/health/liveness")) {
            assertThat(run(false, MockServerHttpRequest.get(p).build()).user()).as(p).isEqualTo(UserInfo.anonymous());
        }
        assertThat(run(false, MockServerHttpRequest.get("/healthzz").build()).status()).isEqualTo(401);
    }

    @Test
    void aKnownTokenAuthenticatesWithSystemAuthenticatedAndIsNotPassedOn() {
        Result r = run(false, MockServerHttpRequest.get("/api/v1/pods").header("Authorization", "Bearer good")
                .header("X-Remote-User", "x").header("X-Remote-Extra-Scope", "y").header("Accept", "application/json").build());
        assertThat(r.user().name()).isEqualTo("alice");
        assertThat(r.user().groups()).containsExactly("dev", UserInfo.SYSTEM_AUTHENTICATED);
        assertThat(r.downstream().getRequest().getHeaders().headerNames()).containsExactly("Accept");
        // the scheme is case-insensitive, as Kubernetes reads it
        assertThat(run(false, MockServerHttpRequest.get("/api").header("Authorization", "bearer good").build()).user().name())
                .isEqualTo("alice");
    }

    @Test
    void aBadCredentialIs401EvenOnAnonymousPathsAndInDevelopmentMode() {
        assertThat(run(false, MockServerHttpRequest.get("/healthz").header("Authorization", "Bearer bad").build()).status())
                .isEqualTo(401);
        assertThat(run(true, MockServerHttpRequest.get("/api").header("Authorization", "Bearer bad").build()).status())
                .isEqualTo(401);
        // not a bearer credential at all: no credential
        assertThat(run(false, MockServerHttpRequest.get("/healthz").header("Authorization", "Basic Zm9vOmJhcg==").build())
                .user()).isEqualTo(UserInfo.anonymous());
    }

    @Test
    void developmentModeMakesRequestsWithoutCredentialsASuperuser() {
        Result r = run(true, MockServerHttpRequest.get("/api/v1/pods").build());
        assertThat(r.user().name()).isEqualTo(RequestAuthentication.INSECURE_DEVELOPMENT_USER);
        assertThat(r.user().isSuperuser()).isTrue();
        assertThat(run(true, MockServerHttpRequest.get("/api").header("Authorization", "Bearer good").build()).user().name())
                .isEqualTo("alice");
    }
}
