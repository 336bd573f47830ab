package io.kube4j.addons.dns;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * The cluster DNS add-on (kube-dns/CoreDNS): serves {@code cluster.local} and the Borg Name Service zone from
 * informers on the apiserver and forwards the rest; its actuator (health, Prometheus) listens on
 * {@code server.port}, 9153 like CoreDNS's metrics.
 */
// No Spring Security here: the actuator is local and the API's security is the apiserver's (as the proxy agent).
@SpringBootApplication(excludeName = {
        "org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration"})
@EnableConfigurationProperties(DnsProperties.class)
public class DnsApplication {

    public static void main(String[] args) {
        SpringApplication.run(DnsApplication.class, args);
    }
}
