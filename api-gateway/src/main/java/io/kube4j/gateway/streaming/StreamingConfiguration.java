package io.kube4j.gateway.streaming;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What makes watches and followed logs stream through the gateway; WebSocket upgrades (exec, attach, port-forward)
 * are relayed by {@link WebSocketRelayFilter} (not Spring Cloud Gateway's WebSocket routing filter, which loses the
 * last messages before a close), with the frame size set in application.yaml.
 */
@Configuration(proxyBeanMethods = false)
public class StreamingConfiguration {

    @Bean
    WebSocketRelayFilter webSocketRelayFilter(org.springframework.web.reactive.socket.client.WebSocketClient client,
                                              org.springframework.web.reactive.socket.server.WebSocketService service,
                                              org.springframework.beans.factory.ObjectProvider<java.util.List<
                                                      org.springframework.cloud.gateway.filter.headers
                                                              .HttpHeadersFilter>> headersFilters) {
        return new WebSocketRelayFilter(client, service, headersFilters);
    }

    @Bean
    StreamingResponseFilter streamingResponseFilter() {
        return new StreamingResponseFilter();
    }
}
