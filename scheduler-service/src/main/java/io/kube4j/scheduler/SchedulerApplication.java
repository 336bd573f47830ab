package io.kube4j.scheduler;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** kube4j's scheduler: watches pods without a node and binds each to the node that fits it best. */
// No Spring Security here: these endpoints are local (127.0.0.1) and the API's security is the apiserver's. The
// names only matter where Spring Security is on the classpath anyway (the test JVMs, which also run an apiserver);
// there its auto-configuration would put the actuator behind a generated password.
@SpringBootApplication(excludeName = {
        "org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration"})
@ConfigurationPropertiesScan
public class SchedulerApplication {

    public static void main(String[] args) {
        SpringApplication.run(SchedulerApplication.class, args);
    }
}
