package io.kube4j.gateway.streaming;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** What makes watches, followed logs and WebSocket sessions stream through the gateway for their whole life. */
@Configuration(proxyBeanMethods = false)
public class StreamingConfiguration {

    @Bean
    StreamingResponseFilter streamingResponseFilter() {
        return new StreamingResponseFilter();
    }
}
