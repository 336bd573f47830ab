package io.kube4j.gateway.routing;

import io.netty.channel.ConnectTimeoutException;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpMethod;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.http.HttpStatus;
import reactor.netty.http.client.PrematureCloseException;

import java.io.IOException;
import java.net.ConnectException;

import static org.assertj.core.api.Assertions.assertThat;

/** Which failed requests go to another replica. */
class RetryPolicyTest {

    static final String PODS = "/api/v1/namespaces/default/pods";

    static MockServerHttpRequest req(HttpMethod m, String uri) {
        return MockServerHttpRequest.method(m, uri).build();
    }

    static PrematureCloseException premature() {
        // the library's own instance (its constructor is not public)
        return PrematureCloseException.TEST_EXCEPTION;
    }

    @Test
    void readsAreRetriedOn502_503_504ButNotOtherAnswers() {
        for (int code : new int[] {502, 503, 504}) {
            assertThat(RetryPolicy.retryOnStatus(req(HttpMethod.GET, PODS), code)).isTrue();
            assertThat(RetryPolicy.retryOnStatus(req(HttpMethod.HEAD, PODS), code)).isTrue();
        }
        for (int code : new int[] {200, 404, 409, 429, 500}) {
            assertThat(RetryPolicy.retryOnStatus(req(HttpMethod.GET, PODS), code)).isFalse();
        }
    }

    @Test
    void writesAreNeverRetriedOnAnAnswer() {
        for (HttpMethod m : new HttpMethod[] {HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE}) {
            assertThat(RetryPolicy.retryOnStatus(req(m, PODS), 503)).isFalse();
        }
    }

    @Test
    void longRunningReadsAreNotRetriedOnceAnswered() {
        assertThat(RetryPolicy.retryOnStatus(req(HttpMethod.GET, PODS + "?watch=true"), 503)).isFalse();
        assertThat(RetryPolicy.retryOnStatus(req(HttpMethod.GET, PODS + "/p/log?follow=true"), 503)).isFalse();
        assertThat(RetryPolicy.retryOnStatus(req(HttpMethod.GET, PODS + "/p/exec?command=sh"), 502)).isFalse();
        // but a watch whose replica never answered is
        assertThat(RetryPolicy.retryOnError(req(HttpMethod.GET, PODS + "?watch=true"), premature())).isTrue();
    }

    @Test
    void readsAreRetriedOnAnyConnectionFailure() {
        assertThat(RetryPolicy.retryOnError(req(HttpMethod.GET, PODS), new ConnectException("refused"))).isTrue();
        assertThat(RetryPolicy.retryOnError(req(HttpMethod.GET, PODS), new ConnectTimeoutException("5s"))).isTrue();
        assertThat(RetryPolicy.retryOnError(req(HttpMethod.GET, PODS), premature())).isTrue();
        assertThat(RetryPolicy.retryOnError(req(HttpMethod.GET, PODS), new IOException("Connection reset by peer")))
                .isTrue();
    }

    @Test
    void writesAreRetriedOnlyWhenNothingWasSent() {
        for (HttpMethod m : new HttpMethod[] {HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE}) {
            assertThat(RetryPolicy.retryOnError(req(m, PODS), new ConnectException("refused"))).isTrue();
            assertThat(RetryPolicy.retryOnError(req(m, PODS), new ConnectTimeoutException("5s"))).isTrue();
            assertThat(RetryPolicy.retryOnError(req(m, PODS), premature())).isFalse();
            assertThat(RetryPolicy.retryOnError(req(m, PODS), new IOException("Connection reset by peer"))).isFalse();
        }
    }

    @Test
    void aPooledConnectionClosedBeforeSendingIsResentAndDoesNotMarkTheReplica() {
        // reactor-netty's error when the replica closed a keep-alive connection just as it was reused (CI saw a LIST
        // fail with 502 on it while the other replica was being stopped)
        RuntimeException stale = reactor.netty.channel.AbortedException.beforeSend();
        assertThat(RetryPolicy.isStaleConnection(stale)).isTrue();
        assertThat(RetryPolicy.isStaleConnection(new RuntimeException("wrapped", stale))).isTrue();
        for (HttpMethod m : new HttpMethod[] {HttpMethod.GET, HttpMethod.POST, HttpMethod.DELETE}) {
            assertThat(RetryPolicy.retryOnError(req(m, PODS), stale)).as(m.name()).isTrue();
        }
        assertThat(RetryPolicy.marksReplica(stale)).isFalse();
        assertThat(RetryPolicy.isStaleConnection(premature())).isFalse();
        assertThat(RetryPolicy.retryOnError(req(HttpMethod.GET, PODS),
                new reactor.netty.channel.AbortedException("Connection reset"))).isTrue();
    }

    @Test
    void timeoutsAndLimitsAreNotRetriedNorMarkTheReplica() {
        ResponseStatusException timeout = new ResponseStatusException(HttpStatus.GATEWAY_TIMEOUT, "60s",
                new java.util.concurrent.TimeoutException());
        assertThat(RetryPolicy.retryOnError(req(HttpMethod.GET, PODS), timeout)).isFalse();
        assertThat(RetryPolicy.marksReplica(timeout)).isFalse();
        RuntimeException tooLarge = new UpstreamErrors.RequestTooLarge(10);
        assertThat(RetryPolicy.retryOnError(req(HttpMethod.POST, PODS), tooLarge)).isFalse();
        assertThat(RetryPolicy.marksReplica(tooLarge)).isFalse();
        assertThat(RetryPolicy.marksReplica(new ConnectException("refused"))).isTrue();
        assertThat(RetryPolicy.marksReplica(premature())).isTrue();
    }
}
