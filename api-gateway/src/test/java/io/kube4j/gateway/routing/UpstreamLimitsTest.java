package io.kube4j.gateway.routing;

import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.util.unit.DataSize;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** The request and response size limits of {@link UpstreamExchangeFilter} and its Status answers. */
class UpstreamLimitsTest {

    static final DefaultDataBufferFactory BUFFERS = DefaultDataBufferFactory.sharedInstance;

    final UpstreamExchangeFilter filter = new UpstreamExchangeFilter(new LimitsProperties(DataSize.ofBytes(100),
            DataSize.ofBytes(1000), null, null, null, null, null));

    static MockServerWebExchange exchange(MockServerHttpRequest request) {
        MockServerWebExchange e = MockServerWebExchange.from(request);
        e.getAttributes().put(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR, Route.async().id("apiserver")
                .uri(URI.create("https://127.0.0.1:6443")).predicate(x -> true).build());
        return e;
    }

    static Flux<DataBuffer> bytes(int chunks, int size) {
        return Flux.range(0, chunks).map(i -> BUFFERS.wrap(new byte[size]));
    }

    static String body(MockServerWebExchange e) {
        return e.getResponse().getBodyAsString().block();
    }

    @Test
    void contentLengthOverTheLimitIs413WithoutRouting() {
        MockServerWebExchange e = exchange(MockServerHttpRequest.post("/api/v1/namespaces/a/configmaps")
                .contentLength(101).body("x".repeat(101)));
        AtomicBoolean routed = new AtomicBoolean();
        filter.filter(e, x -> {
            routed.set(true);
            return Mono.empty();
        }).block();
        assertThat(routed).isFalse();
        assertThat(e.getResponse().getStatusCode()).isEqualTo(HttpStatus.PAYLOAD_TOO_LARGE);
        assertThat(body(e)).contains("\"reason\":\"RequestEntityTooLarge\"").contains("\"code\":413")
                .contains("limit is 100");
    }

    @Test
    void aStreamedBodyOverTheLimitIs413() {
        MockServerWebExchange e = exchange(MockServerHttpRequest.post("/api/v1/namespaces/a/configmaps")
                .header("Transfer-Encoding", "chunked").body(bytes(5, 30)));
        GatewayFilterChain consumesBody = x -> DataBufferUtils.join(x.getRequest().getBody()).then();
        filter.filter(e, consumesBody).block();
        assertThat(e.getResponse().getStatusCode()).isEqualTo(HttpStatus.PAYLOAD_TOO_LARGE);
        assertThat(body(e)).contains("RequestEntityTooLarge");
    }

    @Test
    void aBodyWithinTheLimitPasses() {
        MockServerWebExchange e = exchange(MockServerHttpRequest.post("/api/v1/namespaces/a/configmaps")
                .body(bytes(4, 25)));
        AtomicReference<Integer> seen = new AtomicReference<>();
        filter.filter(e, x -> DataBufferUtils.join(x.getRequest().getBody())
                .doOnNext(b -> seen.set(b.readableByteCount())).then()).block();
        assertThat(seen.get()).isEqualTo(100);
        assertThat(e.getResponse().getStatusCode()).isNotEqualTo(HttpStatus.PAYLOAD_TOO_LARGE);
    }

    @Test
    void aResponseOverTheLimitIsAbortedOnceStarted() {
        MockServerWebExchange e = exchange(MockServerHttpRequest.get("/api/v1/configmaps").build());
        GatewayFilterChain writesTooMuch = x -> x.getResponse().writeWith(bytes(20, 100));
        StepVerifier.create(filter.filter(e, writesTooMuch))
                .expectError(UpstreamErrors.ResponseTooLarge.class).verify();
    }

    @Test
    void aResponseWhoseLengthIsKnownTooLargeGetsA502Status() {
        MockServerWebExchange e = exchange(MockServerHttpRequest.get("/api/v1/configmaps").build());
        GatewayFilterChain declaresTooMuch = x -> {
            x.getResponse().getHeaders().setContentLength(5000);
            return x.getResponse().writeWith(bytes(50, 100));
        };
        filter.filter(e, declaresTooMuch).block();
        assertThat(e.getResponse().getStatusCode()).isEqualTo(HttpStatus.BAD_GATEWAY);
        assertThat(body(e)).contains("\"kind\":\"Status\"").contains("exceeds");
    }

    @Test
    void longRunningResponsesHaveNoSizeLimit() {
        MockServerWebExchange e = exchange(MockServerHttpRequest.get("/api/v1/configmaps?watch=true").build());
        filter.filter(e, x -> x.getResponse().writeWith(bytes(20, 100))).block();
        assertThat(body(e)).hasSize(2000);
    }

    @Test
    void noReplicaIs503WithRetryAfter() {
        MockServerWebExchange e = exchange(MockServerHttpRequest.get("/api/v1/configmaps").build());
        filter.filter(e, x -> Mono.error(new UpstreamErrors.NoReplicaException("none"))).block();
        assertThat(e.getResponse().getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(e.getResponse().getHeaders().getFirst("Retry-After")).isEqualTo("1");
        assertThat(body(e)).contains("\"reason\":\"ServiceUnavailable\"");
    }

    @Test
    void otherRoutesAreLeftAlone() {
        MockServerWebExchange e = MockServerWebExchange.from(MockServerHttpRequest.post("/dashboard/api/x")
                .contentLength(5000).body("x".repeat(5000)));
        AtomicBoolean routed = new AtomicBoolean();
        filter.filter(e, x -> {
            routed.set(true);
            return Mono.empty();
        }).block();
        assertThat(routed).isTrue();
    }

}
