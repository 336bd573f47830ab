package io.kube4j.gateway.authn;

import io.kube4j.security.UserInfo;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Forwards the gateway-authenticated identity to the apiserver in the front-proxy headers
 * ({@code X-Remote-User}, {@code X-Remote-Group}, {@code X-Remote-Extra-<key>}, Kubernetes' requestheader
 * authenticator's defaults) and strips every identity header and the {@code Authorization} header the client
 * sent, so only the gateway asserts who the caller is (the apiserver trusts the headers only on the gateway's
 * front-proxy client certificate).
 */
public final class IdentityForwardingFilter implements GlobalFilter, Ordered {

    public static final String USER_HEADER = "X-Remote-User";
    public static final String GROUP_HEADER = "X-Remote-Group";
    public static final String EXTRA_HEADER_PREFIX = "X-Remote-Extra-";
    /** Runs before the routing filters. */
    public static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 1000;

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        UserInfo user = EdgeIdentity.of(exchange).orElse(UserInfo.anonymous());
        ServerWebExchange forwarded = exchange.mutate().request(r -> r.headers(h -> rewrite(h, user))).build();
        return chain.filter(forwarded);
    }

    /** Removes client-sent identity headers and adds {@code user}'s. */
    public static void rewrite(HttpHeaders headers, UserInfo user) {
        List<String> names = List.copyOf(headers.headerNames());
        for (String name : names) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("x-remote-") || lower.equals("authorization")) {
                headers.remove(name);
            }
        }
        headers.set(USER_HEADER, user.name());
        for (String g : user.groups()) {
            headers.add(GROUP_HEADER, g);
        }
        for (Map.Entry<String, List<String>> e : user.extra().entrySet()) {
            for (String v : e.getValue()) {
                headers.add(EXTRA_HEADER_PREFIX + escape(e.getKey()), v);
            }
        }
    }

    /** Percent-encodes an extra key as Kubernetes does (url.PathEscape), so any key fits in a header name. */
    static String escape(String key) {
        StringBuilder b = new StringBuilder();
        for (byte x : key.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (x & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                b.append(c);
            } else {
                b.append('%').append(String.format("%02X", (int) c));
            }
        }
        return b.toString();
    }

    @Override
    public int getOrder() {
        return ORDER;
    }
}
