package io.kube4j.addons.ingress;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

import java.util.Map;

/**
 * The ingress controller as its own process (a DaemonSet or host process on each node that should serve 80/443).
 * Its defaults are given here rather than in an {@code application.properties}, which would shadow the apiserver's
 * own when both are on one classpath (the in-process test cluster).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class IngressApplication {

    /** The process defaults: the proxy listens on kube4j.ingress.http-port/https-port, actuator on 10254. */
    static final Map<String, Object> DEFAULTS = Map.of(
            "spring.application.name", "kube4j-ingress",
            "server.port", "10254",
            "management.endpoints.web.exposure.include", "health,info,prometheus");

    public static void main(String[] args) {
        new SpringApplicationBuilder(IngressApplication.class).properties(DEFAULTS).run(args);
    }
}
