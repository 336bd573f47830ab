package io.kube4j.apiserver.audit;

import io.kube4j.apiserver.auth.RequestUser;
import io.kube4j.apiserver.auth.authz.AuthorizationAttributes;
import io.kube4j.apiserver.limits.LongRunningRequests;
import io.kube4j.security.UserInfo;
import io.micrometer.core.instrument.MeterRegistry;
import org.reactivestreams.Publisher;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The audit log: every request gets an {@code Audit-Id} response header and, when the policy's level for it is
 * not None, an {@code audit.k8s.io/v1 Event} line at stage ResponseComplete (long-running requests also at
 * ResponseStarted), with the request and response objects at the Request and RequestResponse levels. It runs
 * outermost (after the metrics filter) so it sees every answer, 401, 429 and 504 included; the user is read
 * when the request ends, after the authentication filters set it.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class AuditFilter implements WebFilter, DisposableBean {

    public static final String AUDIT_ID_HEADER = "Audit-Id";

    private final AuditPolicy policy;
    private final AuditLogWriter writer;
    private final int maxObjectBytes;

    public AuditFilter(AuditProperties props, MeterRegistry meters) {
        this.maxObjectBytes = props.maxObjectBytes();
        if (!props.enabled()) {
            policy = null;
            writer = null;
            return;
        }
        policy = AuditPolicy.load(Path.of(props.policyFile()));
        writer = new AuditLogWriter(props.logPath(), props.logMaxsize(), props.logMaxbackup(), props.queueSize(), meters);
        LoggerFactory.getLogger(AuditFilter.class).info("audit log: policy {}, writing to {} (maxsize {} MB, maxbackup {})",
                props.policyFile(), props.logPath(), props.logMaxsize(), props.logMaxbackup());
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String id = UUID.randomUUID().toString();
        exchange.getResponse().getHeaders().set(AUDIT_ID_HEADER, id);
        if (policy == null) {
            return chain.filter(exchange);
        }
        Request r = new Request(exchange, id, Instant.now());
        ServerWebExchange audited = exchange.mutate()
                .request(new CapturingRequest(exchange.getRequest(), r))
                .response(new CapturingResponse(exchange.getResponse(), r))
                .build();
        if (r.longRunning) {
            exchange.getResponse().beforeCommit(() -> {
                r.emit("ResponseStarted", SignalType.ON_COMPLETE);
                return Mono.empty();
            });
        }
        return chain.filter(audited).doFinally(s -> r.emit("ResponseComplete", s));
    }

    @Override
    public void destroy() {
        if (writer != null) {
            writer.close();
        }
    }

    /** The audit state of one request. */
    private final class Request {
        final ServerWebExchange exchange;
        final String id;
        final Instant received;
        final AuthorizationAttributes attrs;
        final boolean longRunning;
        AuditPolicy.Decision decision;
        ByteArrayOutputStream requestBody;
        ByteArrayOutputStream responseBody;
        boolean requestTooLarge;
        boolean responseTooLarge;

        Request(ServerWebExchange exchange, String id, Instant received) {
            this.exchange = exchange;
            this.id = id;
            this.received = received;
            this.attrs = LongRunningRequests.attributes(exchange);
            this.longRunning = LongRunningRequests.isLongRunning(attrs);
        }

        UserInfo authenticated() {
            UserInfo original = exchange.getAttribute(RequestUser.AUTHENTICATED_ATTRIBUTE);
            return original != null ? original : RequestUser.find(exchange);
        }

        /** The policy's decision, fixed once the user is known (the policy matches users and groups). */
        AuditPolicy.Decision decision() {
            if (decision != null) {
                return decision;
            }
            UserInfo u = authenticated();
            AuditPolicy.Decision d = policy.decide(u, attrs);
            if (u != null) {
                decision = d;
            }
            return d;
        }

        synchronized void copyRequest(DataBuffer b) {
            if (requestTooLarge) {
                return;
            }
            if (requestBody == null) {
                requestBody = new ByteArrayOutputStream();
            }
            requestTooLarge = !copy(b, requestBody);
        }

        synchronized void copyResponse(DataBuffer b) {
            if (responseTooLarge) {
                return;
            }
            if (responseBody == null) {
                responseBody = new ByteArrayOutputStream();
            }
            responseTooLarge = !copy(b, responseBody);
        }

        private boolean copy(DataBuffer b, ByteArrayOutputStream to) {
            int n = b.readableByteCount();
            if (to.size() + n > maxObjectBytes) {
                return false;
            }
            byte[] bytes = new byte[n];
            int pos = b.readPosition();
            b.read(bytes);
            b.readPosition(pos);
            to.writeBytes(bytes);
            return true;
        }

        synchronized void emit(String stage, SignalType signal) {
            AuditPolicy.Decision d = decision();
            if (d.level() == AuditLevel.None || d.omitStages().contains(stage)) {
                return;
            }
            ServerHttpResponse response = exchange.getResponse();
            var status = response.getStatusCode();
            int code = status != null ? status.value() : signal == SignalType.CANCEL ? 0 : 200;
            UserInfo user = authenticated();
            UserInfo effective = RequestUser.find(exchange);
            UserInfo impersonated = effective != null && effective != user ? effective : null;
            ServerHttpRequest req = exchange.getRequest();
            String query = req.getURI().getRawQuery();
            var ct = req.getHeaders().getContentType();
            writer.offer(new AuditRecord(d.level(), id, stage,
                    req.getURI().getRawPath() + (query == null ? "" : "?" + query), attrs, user, impersonated,
                    sourceIps(req), req.getHeaders().getFirst("User-Agent"), code,
                    requestBody == null || requestTooLarge ? null : requestBody.toByteArray(),
                    ct == null ? null : ct.toString(),
                    stage.equals("ResponseComplete") && responseBody != null && !responseTooLarge
                            ? responseBody.toByteArray() : null,
                    received, Instant.now()));
        }
    }

    /** Kubernetes' {@code utilnet.SourceIPs}: X-Forwarded-For, X-Real-Ip, then the peer address. */
    static List<String> sourceIps(ServerHttpRequest req) {
        List<String> ips = new ArrayList<>();
        String fwd = req.getHeaders().getFirst("X-Forwarded-For");
        if (fwd != null) {
            for (String p : fwd.split(",")) {
                String ip = p.trim();
                if (!ip.isEmpty() && !ips.contains(ip)) {
                    ips.add(ip);
                }
            }
        }
        String real = req.getHeaders().getFirst("X-Real-Ip");
        if (real != null && !real.isBlank() && !ips.contains(real.trim())) {
            ips.add(real.trim());
        }
        InetSocketAddress remote = req.getRemoteAddress();
        if (remote != null) {
            String ip = remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
            if (!ips.contains(ip)) {
                ips.add(ip);
            }
        }
        return ips;
    }

    /** Copies the request body when the level is Request or more (decided when the handler reads it). */
    private static final class CapturingRequest extends ServerHttpRequestDecorator {
        private final Request r;

        CapturingRequest(ServerHttpRequest delegate, Request r) {
            super(delegate);
            this.r = r;
        }

        @Override
        public Flux<DataBuffer> getBody() {
            return Flux.defer(() -> r.decision().level().atLeast(AuditLevel.Request)
                    ? super.getBody().doOnNext(r::copyRequest) : super.getBody());
        }
    }

    /** Copies the response body at RequestResponse (not for long-running requests), and of every error Status. */
    private static final class CapturingResponse extends ServerHttpResponseDecorator {
        private final Request r;

        CapturingResponse(ServerHttpResponse delegate, Request r) {
            super(delegate);
            this.r = r;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
            var status = getStatusCode();
            boolean error = status != null && status.value() >= 400;
            AuditLevel level = r.decision().level();
            if (level == AuditLevel.None || !error && (r.longRunning || !level.atLeast(AuditLevel.RequestResponse))) {
                return super.writeWith(body);
            }
            if (body instanceof Mono<?> mono) {
                return super.writeWith(((Mono<DataBuffer>) mono).doOnNext(r::copyResponse));
            }
            return super.writeWith(Flux.from(body).doOnNext(r::copyResponse));
        }
    }
}
