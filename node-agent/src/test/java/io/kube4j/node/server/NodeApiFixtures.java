package io.kube4j.node.server;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.kube4j.node.agent.NodeContext;
import io.kube4j.node.config.NodeAgentProperties;
import io.kube4j.node.pod.ActivePods;
import io.kube4j.node.runtime.ContainerRuntime;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import reactor.core.publisher.Flux;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;

/** Shared pieces of the node API tests: a NodeContext, a fixed set of active pods, HTTP and WebSocket clients. */
final class NodeApiFixtures {

    private NodeApiFixtures() {
    }

    static NodeAgentProperties properties(Map<String, String> extra) {
        Map<String, String> m = new java.util.HashMap<>(Map.of(
                "kube4j.node.server.address", "127.0.0.1",
                "kube4j.node.server.port", "0",
                // NodeAgentProperties' default "100Mi" is not a DataSize Spring can parse (reported to the lead)
                "kube4j.node.eviction.memory-available", "100MB"));
        m.putAll(extra);
        return new Binder(new MapConfigurationPropertySource(m)).bindOrCreate("kube4j.node", NodeAgentProperties.class);
    }

    static NodeContext context(String node, NodeAgentProperties props, ContainerRuntime runtime, Path root) {
        return new NodeContext(node, "127.0.0.1", props, null, runtime, Executors.newSingleThreadScheduledExecutor(),
                null, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), null, root);
    }

    /** The pods a node runs, set by the test. */
    static final class FixedPods implements ActivePods {
        final List<Pod> pods = new CopyOnWriteArrayList<>();

        @Override
        public List<Pod> activePods() {
            return pods;
        }

        @Override
        public Pod pod(String podUid) {
            return pods.stream().filter(p -> podUid.equals(p.getMetadata().getUid())).findFirst().orElse(null);
        }

        @Override
        public void evict(String podUid, String message) {
            throw new UnsupportedOperationException();
        }
    }

    static Pod pod(String namespace, String name, String uid, String podIp, String... containers) {
        PodBuilder b = new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).withUid(uid).endMetadata()
                .withNewSpec().endSpec().withNewStatus().withPodIP(podIp).endStatus();
        for (String c : containers) {
            b.editSpec().addNewContainer().withName(c).withImage(NodeApiTestImages.BUSYBOX).endContainer().endSpec();
        }
        return b.build();
    }

    static HttpClient https() {
        return HttpClient.newConnection().secure(s -> s.sslContext(Http11SslContextSpec.forClient()
                        .configure(b -> b.trustManager(InsecureTrustManagerFactory.INSTANCE)))
                .handlerConfigurator(h -> {
                    var p = h.engine().getSSLParameters();
                    p.setEndpointIdentificationAlgorithm(null);
                    h.engine().setSSLParameters(p);
                }))
                .responseTimeout(Duration.ofSeconds(30));
    }

    /** A GET: status code and body. */
    record Response(int code, String contentType, String body) {
    }

    static Response get(String url) {
        return https().get().uri(url).responseSingle((r, body) -> body.asString(StandardCharsets.UTF_8).defaultIfEmpty("")
                        .map(s -> new Response(r.status().code(), r.responseHeaders().get("Content-Type"), s)))
                .block(Duration.ofSeconds(60));
    }

    /**
     * Opens a WebSocket with {@code protocol}, sends {@code send} (channel-prefixed messages) and collects every
     * message until the server closes.
     */
    static List<byte[]> websocket(String url, String protocol, Flux<byte[]> send) {
        return https().websocket(WebsocketClientSpec.builder().protocols(protocol).build()).uri(url)
                .handle((in, out) -> {
                    out.sendObject(send.map(b -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(b)))).then().subscribe();
                    return in.aggregateFrames().receiveFrames().map(f -> ByteBufUtil.getBytes(f.content()));
                })
                .collectList()
                .block(Duration.ofSeconds(60));
    }

    /** The text of every message on {@code channel}. */
    static String channel(List<byte[]> messages, int channel) {
        StringBuilder sb = new StringBuilder();
        for (byte[] m : messages) {
            if (m.length > 0 && (m[0] & 0xff) == channel) {
                sb.append(new String(m, 1, m.length - 1, StandardCharsets.UTF_8));
            }
        }
        return sb.toString();
    }

    static byte[] msg(int channel, String text) {
        return StreamChannels.frame(channel, text.getBytes(StandardCharsets.UTF_8));
    }

}
