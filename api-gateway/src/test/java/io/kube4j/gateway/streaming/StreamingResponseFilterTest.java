package io.kube4j.gateway.streaming;

import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** Which responses {@link StreamingResponseFilter} streams, and that the streamed body is the upstream's. */
class StreamingResponseFilterTest {

    private final StreamingResponseFilter filter = new StreamingResponseFilter();

    private ServerWebExchange passed(MockServerHttpRequest request) {
        AtomicReference<ServerWebExchange> seen = new AtomicReference<>();
        filter.filter(MockServerWebExchange.from(request), e -> {
            seen.set(e);
            return Mono.empty();
        }).block();
        return seen.get();
    }

    @Test
    void watchesAndFollowedLogsAreStreamed() {
        assertThat(passed(MockServerHttpRequest.get("/api/v1/pods?watch=true").build()).getResponse())
                .isInstanceOf(StreamingResponseFilter.FlushingResponse.class);
        assertThat(passed(MockServerHttpRequest.get("/api/v1/watch/namespaces/a/pods").build()).getResponse())
                .isInstanceOf(StreamingResponseFilter.FlushingResponse.class);
        assertThat(passed(MockServerHttpRequest.get("/api/v1/namespaces/a/pods/p/log?follow=true").build())
                .getResponse()).isInstanceOf(StreamingResponseFilter.FlushingResponse.class);
    }

    @Test
    void ordinaryRequestsAndWebSocketsAreLeftAlone() {
        MockServerHttpRequest list = MockServerHttpRequest.get("/api/v1/pods").build();
        assertThat(passed(list).getResponse()).isNotInstanceOf(StreamingResponseFilter.FlushingResponse.class);
        MockServerHttpRequest logs = MockServerHttpRequest.get("/api/v1/namespaces/a/pods/p/log").build();
        assertThat(passed(logs).getResponse()).isNotInstanceOf(StreamingResponseFilter.FlushingResponse.class);
        MockServerHttpRequest exec = MockServerHttpRequest.get("/api/v1/namespaces/a/pods/p/exec?command=sh")
                .header("Upgrade", "websocket").header("Connection", "Upgrade").build();
        assertThat(passed(exec).getResponse()).isNotInstanceOf(StreamingResponseFilter.FlushingResponse.class);
    }

    @Test
    void theStreamedBodyIsTheUpstreamsChunkByChunk() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/api/v1/pods?watch=1"));
        StreamingResponseFilter.FlushingResponse response = new StreamingResponseFilter.FlushingResponse(exchange.getResponse());
        DefaultDataBufferFactory f = DefaultDataBufferFactory.sharedInstance;
        response.writeWith(Flux.just("{\"type\":\"ADDED\"}\n", "{\"type\":\"DELETED\"}\n")
                .map(s -> f.wrap(s.getBytes(StandardCharsets.UTF_8)))).block();
        assertThat(exchange.getResponse().getBodyAsString().block())
                .isEqualTo("{\"type\":\"ADDED\"}\n{\"type\":\"DELETED\"}\n");
    }
}
