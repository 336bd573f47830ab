package io.kube4j.gateway.testsupport;

import io.kube4j.apiserver.testsupport.ApiClient;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.TestPki;
import io.kube4j.gateway.GatewayApplication;
import io.kube4j.security.pki.ClusterPki;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An api-gateway in this JVM in front of one or more secure apiservers of the same {@link TestPki}: HTTPS with the
 * PKI's apiserver serving certificate (SANs 127.0.0.1, localhost), user client certificates of the cluster CA, and
 * the front-proxy client certificate towards the apiservers.
 */
public final class GatewayInstance implements AutoCloseable {

    private final TestPki pki;
    private final List<String> upstreams;
    private final String[] extraProperties;
    private ConfigurableApplicationContext context;
    private int port;
    private int managementPort;

    private GatewayInstance(TestPki pki, List<String> upstreams, String[] extraProperties) {
        this.pki = pki;
        this.upstreams = List.copyOf(upstreams);
        this.extraProperties = extraProperties;
    }

    /**
     * Starts a gateway to {@code upstreams} (apiserver URLs of secure instances of {@code pki}).
     * {@code extraProperties} are {@code key=value} pairs; a key given here replaces the default.
     */
    public static GatewayInstance start(TestPki pki, List<String> upstreams, String... extraProperties) {
        GatewayInstance g = new GatewayInstance(pki, upstreams, extraProperties);
        g.start(0);
        return g;
    }

    /** The gateway's default properties for this PKI and these upstreams. */
    public static List<String> properties(TestPki pki, List<String> upstreams) {
        return List.of(
                "kube4j.gateway.tls.cert-file=" + pki.apiserverCertFile(),
                "kube4j.gateway.tls.key-file=" + pki.apiserverKeyFile(),
                "kube4j.gateway.tls.client-ca-file=" + pki.caFile(),
                "kube4j.gateway.authentication.client-ca-file=" + pki.caFile(),
                "kube4j.gateway.upstream.servers=" + String.join(",", upstreams),
                "kube4j.gateway.upstream.ca-file=" + pki.caFile(),
                "kube4j.gateway.upstream.client-cert-file=" + pki.clusterPki().certFile(ClusterPki.FRONT_PROXY_CLIENT),
                "kube4j.gateway.upstream.client-key-file=" + pki.clusterPki().keyFile(ClusterPki.FRONT_PROXY_CLIENT));
    }

    private void start(int fixedPort) {
        // Spring Boot's logging set-up is JVM-global: applications in one JVM must start (and stop) one at a time,
        // also when test classes run concurrently. ApiServerInstance's shared instances start under the same lock.
        synchronized (ApiServerInstance.class) {
            startLocked(fixedPort);
        }
    }

    private void startLocked(int fixedPort) {
        List<String> props = new ArrayList<>(List.of("server.port=" + fixedPort, "server.address=127.0.0.1",
                "spring.main.banner-mode=off", "management.server.port=0"));
        props.addAll(properties(pki, upstreams));
        for (String extra : extraProperties) {
            String key = extra.substring(0, extra.indexOf('=') + 1);
            props.removeIf(p -> p.startsWith(key));
            props.add(extra);
        }
        context = new SpringApplicationBuilder(GatewayApplication.class)
                .initializers(GatewayInstance::ownNettyResources)
                .run(props.stream().map(p -> "--" + p).toArray(String[]::new));
        port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        String management = context.getEnvironment().getProperty("local.management.port");
        managementPort = management == null ? port : Integer.parseInt(management);
    }

    /** Own Reactor Netty event loops and pools, so that closing this context leaves the apiservers' alone. */
    private static void ownNettyResources(ConfigurableApplicationContext context) {
        ((GenericApplicationContext) context).registerBean(ReactorResourceFactory.class, () -> {
            ReactorResourceFactory f = new ReactorResourceFactory();
            f.setUseGlobalResources(false);
            return f;
        });
    }

    /** Stops and starts the gateway again on the same port. */
    public void restart() {
        int p = port;
        close();
        start(p);
    }

    public String url() {
        return "https://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /**
     * The actuator's base URL ({@code /actuator/prometheus}, ...): plain HTTP on the loopback address, on its own
     * port (any free one in tests).
     */
    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public TestPki pki() {
        return pki;
    }

    /** A client of the gateway acting as {@code who} (client certificate or bearer token; trusts the CA). */
    public ApiClient client(TestPki.Credential who) {
        return new ApiClient(url(), ApiClient.httpClient(pki.sslContext(who)), who.token());
    }

    /** A kubeconfig for kubectl (or kube4j's client) pointing at the gateway as {@code who}. */
    public Path kubeconfig(TestPki.Credential who) {
        return pki.kubeconfig(url(), who);
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public synchronized void close() {
        if (context != null) {
            synchronized (ApiServerInstance.class) {
                context.close();
            }
            context = null;
        }
    }
}
