package io.kube4j.controller;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * kube4j's controller manager: one leader-elected process running the reconcile loops (ReplicaSet, Deployment,
 * Endpoints, Namespace, garbage collector, node lifecycle, ...) that converge the cluster to its desired state.
 */
// No Spring Security here: these endpoints are local (127.0.0.1) and the API's security is the apiserver's. The
// names only matter where Spring Security is on the classpath anyway (the test JVMs, which also run an apiserver);
// there its auto-configuration would put the actuator behind a generated password.
@SpringBootApplication(excludeName = {
        "org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration"})
@ConfigurationPropertiesScan
public class ControllerManagerApplication {

    public static void main(String[] args) {
        SpringApplication.run(ControllerManagerApplication.class, args);
    }
}
