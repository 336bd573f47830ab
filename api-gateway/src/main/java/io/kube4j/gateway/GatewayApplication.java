package io.kube4j.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * kube4j's api-gateway: the single HTTPS address users, kubectl and browsers talk to. It terminates TLS,
 * authenticates the request (client certificates, static and ServiceAccount tokens, OIDC), limits its rate, and
 * forwards it to one of the apiserver replicas with the authenticated identity in the front-proxy headers, over a
 * connection authenticated by the gateway's front-proxy client certificate.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

    public static void main(String[] args) {
        SpringApplication.run(GatewayApplication.class, args);
    }
}
