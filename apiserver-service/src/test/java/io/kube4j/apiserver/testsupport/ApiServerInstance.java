package io.kube4j.apiserver.testsupport;

import io.kube4j.apiserver.ApiServerApplication;
import io.kube4j.apiserver.watch.WatchCacheManager;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.http.client.ReactorResourceFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A real apiserver (the whole Spring Boot application, real HTTP on a free loopback port) on a real etcd,
 * for integration tests. {@link #shared()} is one per JVM on {@link EtcdServer#shared()}; tests that need
 * a second replica or a restart start their own with {@link #start(String, String...)}.
 */
public final class ApiServerInstance implements AutoCloseable {

    private static ApiServerInstance shared;
    private static ApiServerInstance secureShared;
    /** Test instances leave out ServiceAccount unless a test sets this property itself. */
    public static final String DISABLED_PLUGINS = "kube4j.apiserver.admission.disabled-plugins";

    /**
     * System property that puts test apiservers on another storage backend: {@code embedded} starts each one on the
     * embedded store in its own temporary data directory (kept across {@link #restart()}) instead of etcd. The
     * apiserver-service build runs the REST and watch ITs a second time this way (failsafe execution embedded-store).
     */
    public static final String TEST_STORE = "kube4j.test.store";

    private final String etcdEndpoint;
    private final String[] extraProperties;
    private java.nio.file.Path embeddedDataDir;
    private final TestPki pki;
    private ConfigurableApplicationContext context;
    private int port;

    private ApiServerInstance(String etcdEndpoint, TestPki pki, String[] extraProperties) {
        this.etcdEndpoint = etcdEndpoint;
        this.pki = pki;
        this.extraProperties = extraProperties;
    }

    /** Whether test apiservers run on the embedded store ({@link #TEST_STORE}) rather than etcd. */
    public static boolean onEmbeddedStore() {
        return "embedded".equals(System.getProperty(TEST_STORE));
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
        ApiServerInstance i = new ApiServerInstance(etcdEndpoint, null, extraProperties);
        i.start(0);
        return i;
    }

    /**
     * One secure apiserver per JVM on {@link EtcdServer#shared()}: HTTPS with {@link TestPki#shared()}, no
     * insecure-development (requests need credentials). Security tests that need other settings start their own with
     * {@link #startSecure(TestPki, String...)}.
     */
    public static synchronized ApiServerInstance secureShared() {
        if (secureShared == null) {
            secureShared = startSecure(TestPki.shared());
            Runtime.getRuntime().addShutdownHook(new Thread(secureShared::close, "secure-apiserver-shutdown"));
        }
        return secureShared;
    }

    /**
     * Starts an apiserver as a real cluster runs it: HTTPS with {@code pki}'s serving certificate, client
     * certificates of its CA, its ServiceAccount key and front-proxy CA, and no insecure-development mode.
     * {@code extraProperties} are {@code key=value} pairs (a key given here replaces the PKI's).
     */
    public static ApiServerInstance startSecure(TestPki pki, String... extraProperties) {
        ApiServerInstance i = new ApiServerInstance(EtcdServer.shared().endpoint(), pki, extraProperties);
        i.start(0);
        return i;
    }

    /**
     * Starts under the class lock, as {@code GatewayInstance} does: two Spring Boot applications starting at once in
     * one JVM race on the shared logging system ("Unable to find Spring Environment in logger context"), which a test
     * class running concurrently with others (the gateway's long-lived streams test) would otherwise hit.
     */
    private void start(int fixedPort) {
        synchronized (ApiServerInstance.class) {
            startLocked(fixedPort);
        }
    }

    private void startLocked(int fixedPort) {
        List<String> props = new ArrayList<>(List.of(
                "server.port=" + fixedPort,
                "server.address=127.0.0.1",
                "spring.main.banner-mode=off",
                "kube4j.apiserver.etcd.endpoints=" + etcdEndpoint,
                "kube4j.apiserver.watch-cache.bookmark-interval=2s"));
        if (pki == null) {
            // plain HTTP, and requests without credentials act as a superuser: every test but the security
            // ones (which start a secure instance) talks to the apiserver this way
            props.add("kube4j.apiserver.authentication.insecure-development=true");
            // no controllers run beside this apiserver, so nothing creates the "default" ServiceAccounts that
            // the ServiceAccount admission plugin requires (Kubernetes' own integration tests disable it too)
            if (Arrays.stream(extraProperties).noneMatch(x -> x.startsWith(DISABLED_PLUGINS + "="))) {
                props.add(DISABLED_PLUGINS + "=ServiceAccount");
            }
        } else {
            // Spring merges repeated command-line keys into a list: a key the test gives replaces the PKI's
            for (String p : pki.apiServerProperties()) {
                String key = p.substring(0, p.indexOf('='));
                if (Arrays.stream(extraProperties).noneMatch(e -> e.startsWith(key + "="))) {
                    props.add(p);
                }
            }
        }
        if (onEmbeddedStore()
                && Arrays.stream(extraProperties).noneMatch(x -> x.startsWith("kube4j.apiserver.store="))) {
            props.add("kube4j.apiserver.store=embedded");
            props.add("kube4j.apiserver.embedded.data-dir=" + embeddedDataDir());
        }
        // an extra property replaces a default of the same key (a repeated command-line key would bind "a,b")
        for (String extra : extraProperties) {
            String key = extra.substring(0, extra.indexOf('=') + 1);
            props.removeIf(p -> p.startsWith(key));
            props.add(extra);
        }
        // As command-line arguments: they override application.yaml (builder properties() are only defaults).
        context = new SpringApplicationBuilder(ApiServerApplication.class)
                .initializers(ApiServerInstance::ownNettyResources)
                .run(props.stream().map(p -> "--" + p).toArray(String[]::new));
        port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        awaitReady(Duration.ofSeconds(60));
    }

    /** This instance's embedded store directory: one per instance, removed when the JVM exits. */
    private java.nio.file.Path embeddedDataDir() {
        if (embeddedDataDir == null) {
            try {
                // on /dev/shm when there is one, as EtcdServer does for etcd: tests measure behaviour, not the disk's
                // fsync latency (the crash-safety test and the benchmark use a real disk)
                java.nio.file.Path shm = java.nio.file.Path.of("/dev/shm");
                java.nio.file.Path dir = java.nio.file.Files.isDirectory(shm) && java.nio.file.Files.isWritable(shm)
                        ? java.nio.file.Files.createTempDirectory(shm, "kube4j-embedded-store")
                        : java.nio.file.Files.createTempDirectory("kube4j-embedded-store");
                embeddedDataDir = dir;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "embedded-store-cleanup"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return embeddedDataDir;
    }

    private static void deleteTree(java.nio.file.Path dir) {
        try (var paths = java.nio.file.Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException ignored) {
            // best effort at JVM exit: a temp directory left behind does no harm
        }
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

    /** {@code https://127.0.0.1:PORT} for a secure instance, else {@code http://...}. */
    public String url() {
        return (pki == null ? "http" : "https") + "://127.0.0.1:" + port;
    }

    /** The PKI a secure instance serves with (null for a plain one). */
    public TestPki pki() {
        return pki;
    }

    public int port() {
        return port;
    }

    /** A client without credentials (for a secure instance: trusts its CA, presents no certificate). */
    public ApiClient client() {
        return pki == null ? new ApiClient(url()) : client(TestPki.Credential.anonymous());
    }

    /** A client of a secure instance acting as {@code who}: its client certificate, or its bearer token. */
    public ApiClient client(TestPki.Credential who) {
        requireSecure();
        return new ApiClient(url(), ApiClient.httpClient(pki.sslContext(who)), who.token());
    }

    /** A kubeconfig (for kubectl or kube4j's KubeConfigLoader) of a secure instance as {@code who}. */
    public java.nio.file.Path kubeconfig(TestPki.Credential who) {
        requireSecure();
        return pki.kubeconfig(url(), who);
    }

    private void requireSecure() {
        if (pki == null) {
            throw new IllegalStateException("not a secure instance: start it with startSecure(TestPki)");
        }
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        synchronized (ApiServerInstance.class) {
            if (context != null) {
                context.close();
                context = null;
            }
        }
    }
}
