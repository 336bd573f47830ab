package io.kube4j.apiserver.limits;

import io.kube4j.apiserver.auth.RequestUser;
import io.kube4j.security.UserInfo;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MaxInFlightFilterTest {

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final MaxInFlightFilter filter = new MaxInFlightFilter(
            new RequestLimitsProperties(Duration.ofSeconds(60), 1, 2), meters);
    private final Sinks.Empty<Void> release = Sinks.empty();
    private final List<Disposable> held = new ArrayList<>();
    private static final UserInfo ALICE = new UserInfo("alice", "", List.of(UserInfo.SYSTEM_AUTHENTICATED), Map.of());
    private static final UserInfo ADMIN = new UserInfo("admin", "", List.of(UserInfo.SYSTEM_MASTERS), Map.of());

    private MockServerWebExchange exchange(MockServerHttpRequest.BaseBuilder<?> b, UserInfo user) {
        MockServerWebExchange ex = MockServerWebExchange.from(b);
        RequestUser.set(ex, user);
        return ex;
    }

    /** Runs the filter with a handler that answers only when {@link #release} fires. */
    private MockServerWebExchange hold(MockServerWebExchange ex) {
        held.add(filter.filter(ex, e -> release.asMono()).subscribe());
        return ex;
    }

    private int answer(MockServerWebExchange ex) {
        filter.filter(ex, e -> Mono.empty()).block(Duration.ofSeconds(5));
        var s = ex.getResponse().getStatusCode();
        return s == null ? 200 : s.value();
    }

    private double gauge(String kind) {
        return meters.get("apiserver_current_inflight_requests").tag("request_kind", kind).gauge().value();
    }

    @Test
    void mutatingRequestsBeyondTheLimitGet429WithRetryAfter() {
        hold(exchange(MockServerHttpRequest.post("/api/v1/namespaces/a/configmaps"), ALICE));
        hold(exchange(MockServerHttpRequest.delete("/api/v1/namespaces/a/configmaps/x"), ALICE));
        assertThat(gauge("mutating")).isEqualTo(2);

        MockServerWebExchange third = exchange(MockServerHttpRequest.put("/api/v1/namespaces/a/configmaps/x"), ALICE);
        assertThat(answer(third)).isEqualTo(429);
        assertThat(third.getResponse().getHeaders().getFirst("Retry-After")).isEqualTo("1");
        assertThat(third.getResponse().getBodyAsString().block())
                .contains("\"kind\":\"Status\"").contains("\"reason\":\"TooManyRequests\"").contains("\"code\":429");
        assertThat(meters.get("apiserver_dropped_requests_total").tag("request_kind", "mutating").counter().count())
                .isEqualTo(1);

        // reads have their own limit; long-running requests are not counted at all
        assertThat(answer(exchange(MockServerHttpRequest.get("/api/v1/namespaces/a/configmaps"), ALICE))).isEqualTo(200);
        hold(exchange(MockServerHttpRequest.get("/api/v1/namespaces/a/configmaps?watch=true"), ALICE));
        hold(exchange(MockServerHttpRequest.post("/api/v1/namespaces/a/pods/p/exec"), ALICE));
        assertThat(gauge("readOnly")).isZero();
        assertThat(gauge("mutating")).isEqualTo(2);

        // as in Kubernetes, system:masters always gets an answer
        assertThat(answer(exchange(MockServerHttpRequest.post("/api/v1/namespaces/a/configmaps"), ADMIN))).isEqualTo(200);

        release.tryEmitEmpty();
        assertThat(gauge("mutating")).isZero();
        assertThat(answer(exchange(MockServerHttpRequest.patch("/api/v1/namespaces/a/configmaps/x"), ALICE))).isEqualTo(200);
    }

    @Test
    void readOnlyRequestsHaveTheirOwnLimitAndCancelledRequestsAreReleased() {
        hold(exchange(MockServerHttpRequest.get("/api/v1/namespaces/a/configmaps/x"), ALICE));
        assertThat(gauge("readOnly")).isEqualTo(1);
        assertThat(answer(exchange(MockServerHttpRequest.get("/api/v1/pods"), ALICE))).isEqualTo(429);
        assertThat(answer(exchange(MockServerHttpRequest.get("/healthz"), ALICE))).as("non-resource reads count too")
                .isEqualTo(429);
        assertThat(answer(exchange(MockServerHttpRequest.post("/api/v1/namespaces"), ALICE))).isEqualTo(200);
        held.forEach(Disposable::dispose);
        assertThat(gauge("readOnly")).isZero();
        assertThat(answer(exchange(MockServerHttpRequest.get("/api/v1/pods"), ALICE))).isEqualTo(200);
    }
}
