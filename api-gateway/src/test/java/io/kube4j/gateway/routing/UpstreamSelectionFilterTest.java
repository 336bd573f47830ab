package io.kube4j.gateway.routing;

import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.PrematureCloseException;
import reactor.test.StepVerifier;

import java.net.ConnectException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR;
import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR;

/**
 * The selection filter over a fake routing chain: which replica each attempt goes to, that a retry never goes to
 * a replica already tried, and that the URL keeps the client's path and query.
 */
class UpstreamSelectionFilterTest {

    final UpstreamPool pool = UpstreamPool.of(UpstreamProperties.of(
            List.of("https://10.0.0.1:6443", "https://10.0.0.2:6443", "https://10.0.0.3:6443")));
    final UpstreamSelectionFilter filter = new UpstreamSelectionFilter(pool,
            new UpstreamHealthChecker(pool, HttpClient.create(), java.time.Duration.ofSeconds(2),
                    java.time.Duration.ofSeconds(1)), 2);
    final List<URI> attempts = new ArrayList<>();

    static MockServerWebExchange exchange(HttpMethod method, String pathAndQuery) {
        MockServerWebExchange e = MockServerWebExchange.from(MockServerHttpRequest.method(method,
                URI.create("https://gateway:8443" + pathAndQuery)).build());
        e.getAttributes().put(GATEWAY_ROUTE_ATTR, Route.async().id("apiserver")
                .uri(URI.create("https://10.0.0.1:6443")).predicate(x -> true).build());
        e.getAttributes().put(GATEWAY_REQUEST_URL_ATTR, URI.create("https://10.0.0.1:6443" + pathAndQuery));
        return e;
    }

    /** A routing chain whose n-th call does {@code behaviour(n)}. */
    GatewayFilterChain chain(Function<Integer, Mono<Void>> behaviour, ServerWebExchange[] seen) {
        return e -> {
            seen[0] = e;
            attempts.add(e.getAttribute(GATEWAY_REQUEST_URL_ATTR));
            return behaviour.apply(attempts.size());
        };
    }

    static Mono<Void> answer(ServerWebExchange e, HttpStatus status) {
        e.getResponse().setStatusCode(status);
        return Mono.empty();
    }

    @Test
    void aReadAnswered503IsRetriedOnAnotherReplica() {
        MockServerWebExchange e = exchange(HttpMethod.GET, "/api/v1/pods?labelSelector=a%3Db");
        ServerWebExchange[] seen = new ServerWebExchange[1];
        filter.filter(e, chain(n -> answer(seen[0], n == 1 ? HttpStatus.SERVICE_UNAVAILABLE : HttpStatus.OK), seen))
                .block();
        assertThat(attempts).hasSize(2);
        assertThat(attempts.get(0).getAuthority()).isNotEqualTo(attempts.get(1).getAuthority());
        assertThat(attempts).allSatisfy(u -> assertThat(u.getRawPath() + "?" + u.getRawQuery())
                .isEqualTo("/api/v1/pods?labelSelector=a%3Db"));
        assertThat(e.getResponse().getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(pool.retries()).isEqualTo(1);
    }

    @Test
    void retriesStopAfterEveryReplicaWasTriedOnce() {
        MockServerWebExchange e = exchange(HttpMethod.GET, "/api/v1/pods");
        ServerWebExchange[] seen = new ServerWebExchange[1];
        filter.filter(e, chain(n -> answer(seen[0], HttpStatus.BAD_GATEWAY), seen)).block();
        assertThat(attempts).hasSize(3);
        assertThat(attempts.stream().map(URI::getAuthority).distinct()).hasSize(3);
        assertThat(e.getResponse().getStatusCode()).isEqualTo(HttpStatus.BAD_GATEWAY);
    }

    @Test
    void aRefusedConnectionMarksTheReplicaAndEvenAWriteGoesElsewhere() {
        MockServerWebExchange e = exchange(HttpMethod.POST, "/api/v1/namespaces/a/configmaps");
        ServerWebExchange[] seen = new ServerWebExchange[1];
        filter.filter(e, chain(n -> n == 1 ? Mono.error(new ConnectException("refused"))
                : answer(seen[0], HttpStatus.CREATED), seen)).block();
        assertThat(attempts).hasSize(2);
        UpstreamReplica first = pool.replicas().stream()
                .filter(r -> r.server().endsWith(attempts.get(0).getAuthority())).findFirst().orElseThrow();
        assertThat(first.healthy()).isFalse();
        assertThat(e.getResponse().getStatusCode()).isEqualTo(HttpStatus.CREATED);
    }

    @Test
    void aWriteWhoseConnectionIsLostIsNotRetried() {
        MockServerWebExchange e = exchange(HttpMethod.POST, "/api/v1/namespaces/a/configmaps");
        ServerWebExchange[] seen = new ServerWebExchange[1];
        StepVerifier.create(filter.filter(e, chain(n -> Mono.error(PrematureCloseException.TEST_EXCEPTION), seen)))
                .expectError(PrematureCloseException.class).verify();
        assertThat(attempts).hasSize(1);
    }

    @Test
    void aWriteAnswered503IsNotRetried() {
        MockServerWebExchange e = exchange(HttpMethod.PUT, "/api/v1/namespaces/a/configmaps/x");
        ServerWebExchange[] seen = new ServerWebExchange[1];
        filter.filter(e, chain(n -> answer(seen[0], HttpStatus.SERVICE_UNAVAILABLE), seen)).block();
        assertThat(attempts).hasSize(1);
    }

    @Test
    void theReplicaCountsTheRequestUntilTheLeaseIsReleased() {
        MockServerWebExchange e = exchange(HttpMethod.GET, "/api/v1/pods?watch=true");
        java.util.concurrent.atomic.AtomicReference<UpstreamReplica.Lease> holder =
                new java.util.concurrent.atomic.AtomicReference<>();
        e.getAttributes().put(UpstreamExchangeFilter.LEASE_ATTR, holder);
        ServerWebExchange[] seen = new ServerWebExchange[1];
        filter.filter(e, chain(n -> answer(seen[0], HttpStatus.OK), seen)).block();
        // the exchange filter releases it when the whole exchange (the watch) ends
        assertThat(pool.replicas().stream().mapToInt(UpstreamReplica::outstanding).sum()).isEqualTo(1);
        holder.get().release();
        assertThat(pool.replicas().stream().mapToInt(UpstreamReplica::outstanding).sum()).isZero();
    }

    @Test
    void noHealthyReplicaFailsAtOnce() {
        pool.replicas().forEach(r -> r.markFailed(new ConnectException("refused")));
        MockServerWebExchange e = exchange(HttpMethod.GET, "/api/v1/pods");
        StepVerifier.create(filter.filter(e, chain(n -> Mono.empty(), new ServerWebExchange[1])))
                .expectError(UpstreamErrors.NoReplicaException.class).verify(java.time.Duration.ofSeconds(1));
        assertThat(attempts).isEmpty();
    }
}
