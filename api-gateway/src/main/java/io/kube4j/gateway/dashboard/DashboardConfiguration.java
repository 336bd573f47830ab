package io.kube4j.gateway.dashboard;

import io.kube4j.api.codec.Codecs;
import io.kube4j.gateway.authn.AuthenticationFailureListener;
import io.kube4j.gateway.authn.TokenReviewer;
import io.kube4j.security.UserInfo;
import io.kube4j.security.authn.AuthenticationException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.springframework.web.reactive.function.server.RequestPredicates.DELETE;
import static org.springframework.web.reactive.function.server.RequestPredicates.GET;
import static org.springframework.web.reactive.function.server.RequestPredicates.POST;

/**
 * The dashboard: its single-page app at {@code /dashboard/} (built by the module's npm project into
 * {@code static/dashboard/}) and its backend at {@code /dashboard/api/}: token login into a server-side session
 * ({@code POST /dashboard/api/session {"token":...}}), who is logged in ({@code GET}), logout ({@code DELETE}).
 * The app then calls {@code /api/...} and {@code /apis/...} through the gateway with the session cookie.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "kube4j.gateway.dashboard", name = "enabled", havingValue = "true",
        matchIfMissing = true)
public class DashboardConfiguration {

    public static final String BASE = "/dashboard";
    public static final String SESSION_PATH = BASE + "/api/session";
    /** The app's own page: scripts and styles from the gateway only, never framed. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' "
            + "'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
            + "form-action 'self'";
    private static final Resource INDEX = new ClassPathResource("static/dashboard/index.html");

    @Bean
    DashboardSessions dashboardSessions(DashboardProperties props) {
        return new DashboardSessions(props, Clock.systemUTC());
    }

    @Bean
    SessionEdgeAuthenticator sessionEdgeAuthenticator(DashboardSessions sessions) {
        return new SessionEdgeAuthenticator(sessions);
    }

    @Bean
    DashboardCsrfFilter dashboardCsrfFilter() {
        return new DashboardCsrfFilter();
    }

    @Bean
    SessionCookieStrippingFilter sessionCookieStrippingFilter() {
        return new SessionCookieStrippingFilter();
    }

    @Bean
    RouterFunction<ServerResponse> dashboardRoutes(DashboardSessions sessions, TokenReviewer reviewer,
                                                   DashboardProperties props,
                                                   ObjectProvider<AuthenticationFailureListener> failureListeners) {
        SessionEndpoints endpoints = new SessionEndpoints(sessions, reviewer, props, failureListeners);
        return RouterFunctions.route()
                .GET(BASE, r -> ServerResponse.permanentRedirect(URI.create(BASE + "/")).build())
                .route(GET(BASE + "/").or(GET(BASE + "/index.html")), r -> index())
                .route(POST(SESSION_PATH), endpoints::login)
                .route(GET(SESSION_PATH), endpoints::current)
                .route(DELETE(SESSION_PATH), endpoints::logout)
                .build();
    }

    private static Mono<ServerResponse> index() {
        if (!INDEX.exists()) {
            return Mono.defer(() -> ServerResponse.status(HttpStatus.NOT_FOUND).contentType(MediaType.TEXT_PLAIN)
                    .bodyValue("the dashboard was not built into this gateway (npm run build in api-gateway/dashboard)"));
        }
        return ServerResponse.ok().contentType(MediaType.TEXT_HTML)
                .cacheControl(CacheControl.noCache())
                .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .header("X-Frame-Options", "DENY")
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer")
                .bodyValue(INDEX);
    }

    /** The session endpoints' handlers. */
    record SessionEndpoints(DashboardSessions sessions, TokenReviewer reviewer, DashboardProperties props,
                            ObjectProvider<AuthenticationFailureListener> failureListeners) {

        Mono<ServerResponse> login(ServerRequest request) {
            return request.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).flatMap(body -> {
                String token;
                try {
                    JsonNode json = Codecs.json().readTree(body);
                    token = json == null || !json.path("token").isString() ? null : json.path("token").asString();
                } catch (RuntimeException e) {
                    token = null;
                }
                if (token == null) {
                    return status(request, HttpStatus.BAD_REQUEST, "BadRequest",
                            "the body must be a JSON object {\"token\": \"...\"}");
                }
                return reviewer.review(token.trim())
                        .flatMap(user -> {
                            DashboardSession s = sessions.create(user);
                            return ServerResponse.status(HttpStatus.CREATED)
                                    .cookie(cookie(s.id(), props.absoluteTimeout()))
                                    .cacheControl(CacheControl.noStore())
                                    .contentType(MediaType.APPLICATION_JSON)
                                    .bodyValue(describe(s));
                        })
                        .onErrorResume(AuthenticationException.class, e -> {
                            failureListeners.orderedStream().forEach(l -> l.onFailure(request.exchange(), e));
                            return status(request, HttpStatus.UNAUTHORIZED, "Unauthorized",
                                    "the token was not accepted");
                        });
            });
        }

        Mono<ServerResponse> current(ServerRequest request) {
            return SessionEdgeAuthenticator.of(request.exchange())
                    .map(s -> ServerResponse.ok().cacheControl(CacheControl.noStore())
                            .contentType(MediaType.APPLICATION_JSON).bodyValue(describe(s)))
                    .orElseGet(() -> status(request, HttpStatus.UNAUTHORIZED, "Unauthorized", "not logged in"));
        }

        Mono<ServerResponse> logout(ServerRequest request) {
            SessionEdgeAuthenticator.of(request.exchange()).ifPresent(s -> sessions.remove(s.id()));
            return ServerResponse.ok().cookie(cookie("", Duration.ZERO)).cacheControl(CacheControl.noStore())
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("kind", "Status", "apiVersion", "v1", "status", "Success",
                            "message", "logged out"));
        }

        private ResponseCookie cookie(String value, Duration maxAge) {
            return ResponseCookie.from(SessionEdgeAuthenticator.COOKIE, value).httpOnly(true)
                    .secure(props.secureCookie()).sameSite("Strict").path("/").maxAge(maxAge).build();
        }

        private static Map<String, Object> describe(DashboardSession s) {
            UserInfo u = s.user();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("user", u.name());
            m.put("groups", List.copyOf(u.groups()));
            m.put("csrfToken", s.csrfToken());
            return m;
        }

        /** A Kubernetes Failure Status, as every error the gateway answers itself. */
        private static Mono<ServerResponse> status(ServerRequest request, HttpStatus code, String reason,
                                                   String message) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", "Status");
            m.put("apiVersion", "v1");
            m.put("metadata", Map.of());
            m.put("status", "Failure");
            m.put("message", message);
            m.put("reason", reason);
            m.put("code", code.value());
            return ServerResponse.status(code).cacheControl(CacheControl.noStore())
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(m);
        }
    }
}
