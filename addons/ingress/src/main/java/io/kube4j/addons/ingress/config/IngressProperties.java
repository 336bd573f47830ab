package io.kube4j.addons.ingress.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * {@code kube4j.ingress.*}: where the proxy listens, which IngressClass controller name it answers to, what address it
 * reports in the Ingresses' status, and the upstream timeouts.
 *
 * @param httpPort the plain-HTTP port (80; 0 picks a free one, as tests do)
 * @param httpsPort the TLS port (443; 0 picks a free one; -1 disables HTTPS)
 * @param bindAddress the listening address
 * @param statusAddress the node address written to {@code status.loadBalancer.ingress} (an IP becomes {@code ip},
 *                      a name {@code hostname}); empty leaves the status alone
 * @param controllerName the {@code spec.controller} of the IngressClasses this controller serves
 * @param connectTimeout how long to wait for a backend connection before answering 502
 * @param responseTimeout how long to wait for a backend's response headers before answering 504
 * @param resync how often the informers replay their caches (a full rebuild and status check)
 * @param ensureDefaultClass create the IngressClass {@code kube4j} (this controller's, marked default) at start when
 *                           missing (true in {@code ./kube4j up} clusters)
 */
@ConfigurationProperties("kube4j.ingress")
public record IngressProperties(
        @DefaultValue("80") int httpPort,
        @DefaultValue("443") int httpsPort,
        @DefaultValue("0.0.0.0") String bindAddress,
        @DefaultValue("") String statusAddress,
        @DefaultValue(IngressProperties.CONTROLLER_NAME) String controllerName,
        @DefaultValue("5s") Duration connectTimeout,
        @DefaultValue("60s") Duration responseTimeout,
        @DefaultValue("10m") Duration resync,
        @DefaultValue("false") boolean ensureDefaultClass) {

    /** The controller name of kube4j's IngressClasses ({@code spec.controller}). */
    public static final String CONTROLLER_NAME = "kube4j.io/ingress";

    /** Defaults for in-process use (tests, the all-in-one JVM) with the given ports and status address. */
    public static IngressProperties of(int httpPort, int httpsPort, String statusAddress) {
        return new IngressProperties(httpPort, httpsPort, "0.0.0.0", statusAddress, CONTROLLER_NAME,
                Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofMinutes(10), false);
    }

    public IngressProperties withBindAddress(String address) {
        return new IngressProperties(httpPort, httpsPort, address, statusAddress, controllerName, connectTimeout,
                responseTimeout, resync, ensureDefaultClass);
    }
}
