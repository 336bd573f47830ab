package io.kube4j.apiserver;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** kube4j's apiserver: the Kubernetes REST API, backed by etcd, the only component that touches storage. */
// no generated in-memory user: the apiserver's security chain authenticates with its own authenticators
@SpringBootApplication(excludeName = "org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration")
@ConfigurationPropertiesScan
public class ApiServerApplication {

    public static void main(String[] args) {
        SpringApplication.run(ApiServerApplication.class, args);
    }
}
