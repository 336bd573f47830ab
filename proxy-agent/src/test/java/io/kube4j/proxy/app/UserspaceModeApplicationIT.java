package io.kube4j.proxy.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.kube4j.apiserver.testsupport.ApiServerInstance;
import io.kube4j.apiserver.testsupport.Requirements;
import io.kube4j.client.DeleteOptions;
import io.kube4j.client.KubeClient;
import io.kube4j.proxy.ProxyAgentApplication;
import io.kube4j.proxy.config.ProxyModeSelector;
import io.kube4j.proxy.exec.CommandRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The real application as a node without root runs it (mode left empty): it picks the userspace mode without
 * netfilter, and a NodePort Service written to the apiserver is served at {@code 127.0.0.1:<nodePort>} by the agent's
 * own proxy, carried to the Service's endpoint (an HTTP server of the test on loopback). Not being root is played by
 * the agent's {@link CommandRunner} answering {@code id -u} with 65534; it refuses every other command, so the test
 * also shows that this path runs none (no iptables, nothing to clean up).
 */
class UserspaceModeApplicationIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String NS = "proxy-us-it-" + UUID.randomUUID().toString().substring(0, 6);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private DisposableServer backend;
    private ConfigurableApplicationContext app;

    @AfterEach
    void tearDown() {
        if (app != null) {
            app.getBean(KubeClient.class).resources(Namespace.class).delete(null, NS, DeleteOptions.defaults())
                    .onErrorComplete().block(WAIT);
            app.close();
        }
        if (backend != null) {
            backend.disposeNow();
        }
    }

    @Test
    void withoutRootANodePortIsServedByTheUserspaceProxyAndNoCommandRuns() throws Exception {
        Requirements.requireBinary("etcd");
        String apiserver = ApiServerInstance.shared().url();
        backend = HttpServer.create().host("127.0.0.1").port(0)
                .handle((req, res) -> res.sendString(Mono.just("backend-1"))).bindNow();

        CommandRunner notRoot = new CommandRunner() {
            @Override
            public Result run(List<String> argv, byte[] stdin, Duration timeout) {
                commands.add(String.join(" ", argv));
                if (argv.equals(List.of("id", "-u"))) {
                    return new Result(argv, 0, "65534\n", "");
                }
                throw new CommandException("a non-root agent must not run " + String.join(" ", argv));
            }

            @Override
            public boolean available(String command) {
                return true;
            }
        };
        app = new SpringApplicationBuilder(ProxyAgentApplication.class)
                .initializers(ctx -> ctx.getBeanFactory().registerSingleton("notRootCommandRunner", notRoot))
                .run("--server.port=0", "--server.address=127.0.0.1", "--kube4j.client.server=" + apiserver,
                        "--kube4j.proxy.node-name=node-us-it", "--kube4j.proxy.userspace.bind-address=127.0.0.1",
                        "--kube4j.proxy.healthz-bind-address=127.0.0.1:0", "--kube4j.proxy.min-sync-period=100ms");
        ProxyModeSelector.Selection mode = app.getBean(ProxyModeSelector.Selection.class);
        assertThat(mode.mode()).isEqualTo("userspace");
        assertThat(mode.redirect()).isFalse();

        KubeClient client = app.getBean(KubeClient.class);
        client.resources(Namespace.class).create(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata()
                .build()).block(WAIT);
        Service svc = client.resources(Service.class).create(new ServiceBuilder()
                .withNewMetadata().withNamespace(NS).withName("web").endMetadata()
                .withNewSpec().withType("NodePort").withSelector(Map.of("app", "web"))
                .addNewPort().withName("http").withPort(80).withNewTargetPort(8080).withProtocol("TCP").endPort()
                .endSpec().build()).block(WAIT);
        int nodePort = svc.getSpec().getPorts().get(0).getNodePort();
        client.resources(EndpointSlice.class).create(new EndpointSliceBuilder()
                .withNewMetadata().withNamespace(NS).withName("web-abc12")
                .addToLabels("kubernetes.io/service-name", "web").endMetadata()
                .withAddressType("IPv4")
                .addNewEndpoint().withAddresses("127.0.0.1").withNewConditions().withReady(true).endConditions()
                .withNodeName("node-us-it").endEndpoint()
                .addNewPort().withName("http").withPort(backend.port()).withProtocol("TCP").endPort()
                .build()).block(WAIT);

        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodePort + "/"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("backend-1");
        });
        assertThat(commands).containsOnly("id -u");
    }
}
