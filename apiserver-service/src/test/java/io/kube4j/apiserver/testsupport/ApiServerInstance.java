package io.kube4j.apiserver.testsupport;

import io.kube4j.apiserver.ApiServerApplication;
import io.kube4j.apiserver.watch.WatchCacheManager;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real apiserver (the whole Spring Boot application, real HTTP on a free loopback port) on a real etcd,
 * for integration tests. {@link #shared()} is one per JVM on {@link EtcdServer#shared()}; tests that need
 * a second replica or a restart start their own with {@link #start(String, String...)}.
 */
public final class ApiServerInstance implements AutoCloseable {

    private static ApiServerInstance shared;
    /** Test instances leave out ServiceAccount unless a test sets this property itself. */
    public static final String DISABLED_PLUGINS = "kube4j.apiserver.admission.disabled-plugins";

    private final String etcdEndpoint;
    private final String[] extraProperties;
    private ConfigurableApplicationContext context;
    private int port;

    private ApiServerInstance(String etcdEndpoint, String[] extraProperties) {
        this.etcdEndpoint = etcdEndpoint;
        this.extraProperties = extraProperties;
    }

    public static synchronized ApiServerInstance shared() {
        if (shared == null) {
            shared = start(EtcdServer.shared().endpoint());
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "apiserver-shutdown"));
        }
        return shared;
    }

    /** Starts an apiserver on {@code etcdEndpoint}; {@code extraProperties} are {@code key=value} pairs. */
    public static ApiServerInstance start(String etcdEndpoint, String... extraProperties) {
        ApiServerInstance i = new ApiServerInstance(etcdEndpoint, extraProperties);
        i.start(0);
        return i;
    }

    private void start(int fixedPort) {
        List<String> props = new ArrayList<>(List.of(
                "server.port=" + fixedPort,
                "server.address=127.0.0.1",
                "spring.main.banner-mode=off",
                "kube4j.apiserver.etcd.endpoints=" + etcdEndpoint,
                "kube4j.apiserver.watch-cache.bookmark-interval=2s",
                // plain HTTP, and requests without credentials act as a superuser: every test but the security
                // ones (which start their own secure instance) talks to the apiserver this way
                "kube4j.apiserver.authentication.insecure-development=true"));
        if (java.util.Arrays.stream(extraProperties).noneMatch(p -> p.startsWith(DISABLED_PLUGINS + "="))) {
            // no controllers run beside this apiserver, so nothing creates the "default" ServiceAccounts that
            // the ServiceAccount admission plugin requires (Kubernetes' own integration tests disable it too)
            props.add(DISABLED_PLUGINS + "=ServiceAccount");
        }
        props.addAll(List.of(extraProperties));
        // As command-line arguments: they override application.yaml (builder properties() are only defaults).
        context = new SpringApplicationBuilder(ApiServerApplication.class)
                .initializers(ApiServerInstance::ownNettyResources)
                .run(props.stream().map(p -> "--" + p).toArray(String[]::new));
        port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        awaitReady(Duration.ofSeconds(60));
    }

    /**
     * Several apiservers share this JVM: each gets its own Reactor Netty event loops, because the global ones
     * are disposed when any context closes, which would take every other instance's server down with it.
     */
    private static void ownNettyResources(ConfigurableApplicationContext context) {
        ((GenericApplicationContext) context).registerBean(ReactorResourceFactory.class, () -> {
            ReactorResourceFactory f = new ReactorResourceFactory();
            f.setUseGlobalResources(false);
            return f;
        });
    }

    private void awaitReady(Duration timeout) {
        WatchCacheManager caches = context.getBean(WatchCacheManager.class);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!caches.isReady()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("apiserver did not become ready within " + timeout);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Stops and starts the application again on the same port (clients reconnect to the same URL). */
    public void restart() {
        int p = port;
        close();
        start(p);
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public ApiClient client() {
        return new ApiClient(url());
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public synchronized void close() {
        if (context != null) {
            context.close();
            context = null;
        }
    }
}
