package io.kube4j.apiserver.admission;

import io.kube4j.apiserver.rest.Responses;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Gives every request an {@link AdmissionWarnings} collector and writes what admission recorded as
 * {@code Warning: 299 - "..."} headers just before the response is committed, on successes and refusals alike
 * (Kubernetes returns the warnings of a refused request too). Handlers need not know about it.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
public class AdmissionWarningsFilter implements WebFilter {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        AdmissionWarnings warnings = new AdmissionWarnings();
        exchange.getResponse().beforeCommit(() -> {
            for (String w : warnings.list()) {
                exchange.getResponse().getHeaders().add("Warning", Responses.warningHeader(w));
            }
            return Mono.empty();
        });
        return chain.filter(exchange).contextWrite(warnings::attach);
    }
}
