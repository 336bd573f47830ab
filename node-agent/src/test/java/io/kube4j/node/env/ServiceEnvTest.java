package io.kube4j.node.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.kube4j.node.testsupport.ExecStubRuntime;
import io.kube4j.node.testsupport.InMemoryConfigObjects;
import io.kube4j.node.testsupport.TestNodeContexts;
import org.junit.jupiter.api.Test;

class ServiceEnvTest {

    static Service service(String ns, String name, String ip, ServicePort... ports) {
        return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata().withNewSpec()
                .withClusterIP(ip).withPorts(ports).endSpec().build();
    }

    static ServicePort port(String name, int port, String protocol) {
        return new ServicePortBuilder().withName(name).withPort(port).withProtocol(protocol).build();
    }

    static final Service KUBERNETES = service("default", "kubernetes", "10.96.0.1", port("https", 443, "TCP"));

    @Test
    void theMasterServiceAsTheKubeletWritesIt() {
        assertThat(ServiceEnv.forPod("shop", false, List.of(KUBERNETES))).containsExactly(
                entry("KUBERNETES_SERVICE_HOST", "10.96.0.1"),
                entry("KUBERNETES_SERVICE_PORT", "443"),
                entry("KUBERNETES_SERVICE_PORT_HTTPS", "443"),
                entry("KUBERNETES_PORT", "tcp://10.96.0.1:443"),
                entry("KUBERNETES_PORT_443_TCP", "tcp://10.96.0.1:443"),
                entry("KUBERNETES_PORT_443_TCP_PROTO", "tcp"),
                entry("KUBERNETES_PORT_443_TCP_PORT", "443"),
                entry("KUBERNETES_PORT_443_TCP_ADDR", "10.96.0.1"));
    }

    @Test
    void namespaceServicesOnlyWithServiceLinksAndNeverHeadlessOnesOrOtherNamespaces() {
        Service web = service("shop", "web-front", "10.96.0.20", port(null, 80, null), port("dns", 53, "UDP"));
        Service headless = service("shop", "db", "None", port(null, 5432, "TCP"));
        Service elsewhere = service("other", "cache", "10.96.0.30", port(null, 6379, "TCP"));
        List<Service> all = List.of(KUBERNETES, web, headless, elsewhere);

        Map<String, String> linked = ServiceEnv.forPod("shop", true, all);
        assertThat(linked).contains(
                entry("WEB_FRONT_SERVICE_HOST", "10.96.0.20"),
                entry("WEB_FRONT_SERVICE_PORT", "80"),
                entry("WEB_FRONT_SERVICE_PORT_DNS", "53"),
                entry("WEB_FRONT_PORT", "tcp://10.96.0.20:80"),
                entry("WEB_FRONT_PORT_53_UDP", "udp://10.96.0.20:53"),
                entry("WEB_FRONT_PORT_53_UDP_PROTO", "udp"),
                entry("KUBERNETES_SERVICE_HOST", "10.96.0.1"));
        assertThat(linked.keySet()).noneMatch(k -> k.startsWith("DB_") || k.startsWith("CACHE_"));

        assertThat(ServiceEnv.forPod("shop", false, all).keySet()).allMatch(k -> k.startsWith("KUBERNETES_"));
        assertThat(ServiceEnv.forPod("shop", true, List.of())).isEmpty();
    }

    @Test
    void theResolverAddsServiceVariablesLastAndExpandsThem() {
        Service web = service("shop", "web", "10.96.0.20", port("http", 8080, "TCP"));
        KubeletEnvResolver resolver = new KubeletEnvResolver(
                TestNodeContexts.of(Path.of("/nonexistent"), null, new ExecStubRuntime(), null, null, null),
                new InMemoryConfigObjects(), () -> List.of(KUBERNETES, web));
        Container c = new ContainerBuilder().withName("app")
                .addNewEnv().withName("API").withValue("https://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)")
                .endEnv()
                .addNewEnv().withName("WEB_SERVICE_PORT").withValue("override").endEnv().build();
        Pod pod = new PodBuilder().withNewMetadata().withName("p").withNamespace("shop").withUid("u").endMetadata()
                .withNewSpec().withContainers(c).endSpec().build();

        Map<String, String> env = new LinkedHashMap<>();
        resolver.resolve(pod, c, "10.244.0.5", "192.0.2.10").forEach(v -> env.put(v.name(), v.value()));
        assertThat(env).containsEntry("API", "https://10.96.0.1:443")
                .containsEntry("WEB_SERVICE_PORT", "override")
                .containsEntry("WEB_SERVICE_HOST", "10.96.0.20")
                .containsEntry("KUBERNETES_PORT_443_TCP_ADDR", "10.96.0.1");
        assertThat(env.keySet()).startsWith("API", "WEB_SERVICE_PORT");

        Pod unlinked = new PodBuilder(pod).editSpec().withEnableServiceLinks(false).endSpec().build();
        Map<String, String> env2 = new LinkedHashMap<>();
        resolver.resolve(unlinked, c, "10.244.0.5", "192.0.2.10").forEach(v -> env2.put(v.name(), v.value()));
        assertThat(env2).containsKey("KUBERNETES_SERVICE_HOST").doesNotContainKey("WEB_SERVICE_HOST");
    }
}
