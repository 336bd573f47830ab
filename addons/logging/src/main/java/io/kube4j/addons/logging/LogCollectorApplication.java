package io.kube4j.addons.logging;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The log collector add-on: one per node (a DaemonSet, or beside the node agent), collecting the node's container
 * logs into its own store and serving {@code /api/v1/logs/search}.
 */
// No Spring Security here (as the proxy agent): it is only on the classpath of test JVMs that also run an apiserver.
@SpringBootApplication(excludeName = {
        "org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration"})
public class LogCollectorApplication {

    public static void main(String[] args) {
        SpringApplication.run(LogCollectorApplication.class, args);
    }
}
