package io.kube4j.proxy;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The proxy agent (kube-proxy): one per node, programs the node so that Services reach their endpoints. */
@SpringBootApplication
public class ProxyAgentApplication {

    public static void main(String[] args) {
        SpringApplication.run(ProxyAgentApplication.class, args);
    }
}
