package io.kube4j.gateway.routing;

import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import reactor.netty.channel.AbortedException;
import reactor.netty.http.client.PrematureCloseException;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.ConnectException;
import java.util.Set;

/**
 * Which failed requests the gateway sends again to another replica. Idempotent reads (GET, HEAD) are retried when
 * the connection failed or the replica answered 502/503/504; long-running reads (watches, followed logs) only when
 * the replica never answered, since an answer may have started a stream. A write (POST, PUT, PATCH, DELETE) is
 * retried only when it provably never left the gateway: the connection could not be established (refused, connect
 * timeout) or no pooled connection could be had; once any byte may have reached an apiserver, the client decides.
 */
public final class RetryPolicy {

    private static final Set<Integer> RETRYABLE_STATUS = Set.of(502, 503, 504);
    private static final String BEFORE_SEND = AbortedException.beforeSend().getMessage();

    private RetryPolicy() {
    }

    /** GET and HEAD. */
    public static boolean isIdempotentRead(ServerHttpRequest request) {
        HttpMethod m = request.getMethod();
        return HttpMethod.GET.equals(m) || HttpMethod.HEAD.equals(m);
    }

    /** Retry after the replica answered {@code status}? */
    public static boolean retryOnStatus(ServerHttpRequest request, int status) {
        return RETRYABLE_STATUS.contains(status) && isIdempotentRead(request) && !LongRunningRequests.is(request);
    }

    /** Retry after the attempt failed with {@code error} before any response reached the client? */
    public static boolean retryOnError(ServerHttpRequest request, Throwable error) {
        if (isNotSent(error)) {
            return true;
        }
        return isIdempotentRead(request) && isConnectionLost(error);
    }

    /**
     * Whether {@code error} takes the replica out of the selection (passive health marking). A pooled keep-alive
     * connection found closed before the request was written ({@link #isStaleConnection}) does not: the replica
     * closing an idle connection says nothing about its health, and a replica that is really gone refuses the next
     * connection, which marks it.
     */
    public static boolean marksReplica(Throwable error) {
        return has(error, ConnectException.class) || (isConnectionLost(error) && !isStaleConnection(error));
    }

    /**
     * Nothing of the request reached a replica: connect refused or timed out, no pooled connection, or a pooled
     * connection that was already closed when the request was to be written.
     */
    public static boolean isNotSent(Throwable error) {
        return has(error, ConnectException.class) || isPoolExhausted(error) || isStaleConnection(error);
    }

    /**
     * A pooled connection closed by the replica just before this request would have been written on it (reactor
     * netty's {@code AbortedException.beforeSend()}, "Connection has been closed BEFORE send operation"): the request
     * was never sent, so it may go again, even to the same replica on a new connection.
     */
    public static boolean isStaleConnection(Throwable error) {
        return anyCause(error, t -> t instanceof AbortedException && BEFORE_SEND.equals(t.getMessage()));
    }

    /** No connection could be taken from the pool in time (every connection to that replica busy). */
    public static boolean isPoolExhausted(Throwable error) {
        return anyCause(error, t -> t.getClass().getSimpleName().equals("PoolAcquireTimeoutException"));
    }

    /** The connection was closed or reset, or TLS failed, before the replica's answer arrived. */
    public static boolean isConnectionLost(Throwable error) {
        if (has(error, UpstreamErrors.LimitExceeded.class)) {
            return false;
        }
        return has(error, PrematureCloseException.class) || has(error, AbortedException.class)
                || has(error, SSLException.class) || has(error, IOException.class);
    }

    static boolean has(Throwable error, Class<? extends Throwable> type) {
        return anyCause(error, type::isInstance);
    }

    /** Whether {@code error} or one of its causes matches. */
    private static boolean anyCause(Throwable error, java.util.function.Predicate<Throwable> test) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (test.test(t)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
