package io.kube4j.gateway.streaming;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What makes watches and followed logs stream through the gateway; WebSocket upgrades (exec, attach, port-forward)
 * are relayed by Spring Cloud Gateway's WebSocket routing filter, with the frame size set in application.yaml.
 */
@Configuration(proxyBeanMethods = false)
public class StreamingConfiguration {

    @Bean
    StreamingResponseFilter streamingResponseFilter() {
        return new StreamingResponseFilter();
    }
}
