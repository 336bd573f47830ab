package io.kube4j.apiserver.limits;

import io.kube4j.apiserver.rest.ApiException;
import io.kube4j.apiserver.rest.Responses;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kubernetes' {@code WithTimeoutForNonLongRunningRequests} and {@code WithRequestDeadline}: a request that is not
 * long-running gets {@code kube4j.apiserver.request-timeout} (or a shorter {@code ?timeout=}) to answer, then a
 * 504 Status Timeout and its work is cancelled. Runs before authentication, as in Kubernetes.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 50)
public class RequestTimeoutFilter implements WebFilter {

    private static final Pattern GO_DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    private final Duration timeout;

    public RequestTimeoutFilter(RequestLimitsProperties props) {
        this.timeout = props.requestTimeout();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (timeout.isZero() || timeout.isNegative() || LongRunningRequests.isLongRunning(exchange)) {
            return chain.filter(exchange);
        }
        Duration d = timeout;
        String requested = exchange.getRequest().getQueryParams().getFirst("timeout");
        if (requested != null && !requested.isEmpty()) {
            Duration asked = parseGoDuration(requested);
            if (asked == null) {
                return Responses.error(exchange, ApiException.badRequest("invalid timeout specified in the request URL"));
            }
            if (!asked.isZero() && asked.compareTo(d) < 0) {
                d = asked;
            }
        }
        return chain.filter(exchange).timeout(d, Mono.defer(() -> Responses.error(exchange, ApiException.timeout(
                "Timeout: request did not complete within requested timeout - context deadline exceeded"))));
    }

    /** A Go {@code time.Duration} string such as {@code 30s}, {@code 1m30s} or {@code 250ms}; null when malformed. */
    static Duration parseGoDuration(String s) {
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = GO_DURATION.matcher(s);
        long nanos = 0;
        int end = 0;
        while (m.find()) {
            if (m.start() != end) {
                return null;
            }
            end = m.end();
            double v;
            try {
                v = Double.parseDouble(m.group(1));
            } catch (NumberFormatException e) {
                return null;
            }
            double unit = switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            double add = v * unit;
            if (add > Long.MAX_VALUE - nanos) {
                return null;
            }
            nanos += (long) add;
        }
        return end == s.length() && end > 0 ? Duration.ofNanos(nanos) : null;
    }
}
