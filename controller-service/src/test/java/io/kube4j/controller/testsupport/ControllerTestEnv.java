package io.kube4j.controller.testsupport;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.KubeClient;
import io.kube4j.client.config.ClientConfig;
import io.kube4j.client.util.Clock;
import io.kube4j.controller.manager.ControllerContext;
import io.kube4j.controller.manager.ControllerFactory;
import io.kube4j.controller.manager.ControllerManager;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The real apiserver on the real etcd (one per test JVM, shared), a client to it, fresh namespaces, and controller
 * managers running chosen controllers, for the controllers' integration tests.
 */
public final class ControllerTestEnv {

    public static final Duration WAIT = Duration.ofSeconds(30);

    private static KubeClient client;

    private ControllerTestEnv() {
    }

    /** A client to the shared apiserver (skips, or fails under KUBE4J_REQUIRE_ALL=1, without an etcd binary). */
    public static synchronized KubeClient client() {
        Requirements.requireBinary("etcd");
        if (client == null) {
            client = KubeClient.create(ClientConfig.of(ApiServerInstance.shared().url()));
        }
        return client;
    }

    /** Creates a namespace {@code prefix-<random>} and returns its name. */
    public static String namespace(String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
        client().resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(name)
                .endMetadata().build()).block(WAIT);
        return name;
    }

    /** Starts a manager running {@code factories} (no leader election, no resync) and waits for its caches. */
    public static ControllerManager start(ControllerFactory... factories) {
        ControllerManager m = new ControllerManager(ControllerContext.of(client(), Duration.ZERO,
                new SimpleMeterRegistry(), Clock.system()), List.of(factories), List.of("*"));
        m.start();
        if (!m.waitForCacheSync(WAIT)) {
            throw new IllegalStateException("informer caches did not sync within " + WAIT);
        }
        return m;
    }
}
