package io.kube4j.apiserver.proxy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.kube4j.api.codec.Codecs;
import io.kube4j.api.registry.ResourceRegistry;
import io.kube4j.api.registry.ResourceType;
import io.kube4j.apiserver.config.ApiServerProperties;
import io.kube4j.apiserver.registry.ResourceStore;
import io.kube4j.apiserver.rest.ApiException;
import io.kube4j.apiserver.rest.RequestInfo;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.UriUtils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.Http11SslContextSpec;
import io.kube4j.security.tls.ReloadingPemKeyManager;
import io.kube4j.security.tls.TlsContexts;
import io.kube4j.security.tls.TlsTrust;
import java.nio.file.Path;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The pod subresources a node agent serves: {@code pods/log} (streamed text), {@code pods/exec},
 * {@code pods/attach} and {@code pods/portforward} (WebSocket, relayed message by message). Finds the pod's
 * node and the node agent's address (InternalIP, else Hostname; {@code daemonEndpoints.kubeletEndpoint.Port},
 * else 10250) and proxies the request to its node API.
 */
public final class KubeletProxy {

    public static final String V5 = "v5.channel.k8s.io";
    public static final String V4 = "v4.channel.k8s.io";
    public static final String PORT_FORWARD_TUNNEL = "SPDY/3.1+portforward.k8s.io";
    private static final List<String> STREAM_PROTOCOLS = List.of(V5, V4);
    private static final List<String> PORT_FORWARD_PROTOCOLS = List.of(PORT_FORWARD_TUNNEL);
    private static final int MAX_MESSAGE = 1 << 20;
    private static final String DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container";

    private final ResourceStore store;
    private final ResourceType pods;
    private final ResourceType nodes;
    private final ApiServerProperties.Kubelet cfg;
    private final HttpClient http;
    private final WebClient web;
    private final HandshakeWebSocketService handshakes = new HandshakeWebSocketService();

    public KubeletProxy(ResourceStore store, ResourceRegistry registry, ApiServerProperties.Kubelet cfg) {
        this.store = store;
        this.pods = registry.byPath("", "v1", "pods").orElseThrow();
        this.nodes = registry.byPath("", "v1", "nodes").orElseThrow();
        this.cfg = cfg;
        HttpClient c = HttpClient.newConnection()
                .option(io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) cfg.connectTimeout().toMillis());
        if (cfg.https()) {
            boolean insecure = cfg.insecureTls() && !cfg.verifies();
            boolean clientCert = cfg.clientCertFile() != null && !cfg.clientCertFile().isBlank();
            if (clientCert && (cfg.clientKeyFile() == null || cfg.clientKeyFile().isBlank())) {
                throw new IllegalStateException("kube4j.apiserver.kubelet.client-cert-file is set but client-key-file "
                        + "is not");
            }
            Http11SslContextSpec spec = Http11SslContextSpec.forClient().configure(b -> {
                if (cfg.verifies()) {
                    b.trustManager(TlsContexts.trustManagerFactory(TlsTrust.server(Path.of(cfg.caFile()))));
                } else if (insecure) {
                    b.trustManager(InsecureTrustManagerFactory.INSTANCE);
                }
                if (clientCert) {
                    b.keyManager(TlsContexts.keyManagerFactory(new ReloadingPemKeyManager(
                            Path.of(cfg.clientCertFile()), Path.of(cfg.clientKeyFile()))));
                }
            });
            c = c.secure(s -> {
                var b = s.sslContext(spec);
                if (insecure) {
                    // kube-apiserver's --kubelet-insecure-tls skips the host name check too
                    b.handlerConfigurator(h -> h.engine().setSSLParameters(noHostnameCheck(h.engine().getSSLParameters())));
                }
            });
        }
        this.http = c;
        // a /stats/summary of a full node is a few hundred kB; streamed bodies (logs) are not held in memory
        this.web = WebClient.builder().clientConnector(new ReactorClientHttpConnector(c))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(16 << 20)).build();
    }

    private static javax.net.ssl.SSLParameters noHostnameCheck(javax.net.ssl.SSLParameters p) {
        p.setEndpointIdentificationAlgorithm(null);
        return p;
    }

    /** Serves {@code pods/{log,exec,attach,portforward}}. */
    public Mono<ServerResponse> handle(ServerRequest request, RequestInfo info) {
        String sub = info.subresource();
        HttpMethod m = request.method();
        if (sub.equals("log") && m != HttpMethod.GET) {
            return Mono.error(ApiException.methodNotAllowed("pods/log supports get"));
        }
        if (!sub.equals("log") && m != HttpMethod.GET && m != HttpMethod.POST) {
            return Mono.error(ApiException.methodNotAllowed("pods/" + sub + " supports get and create (connect)"));
        }
        return switch (sub) {
            case "log" -> logs(request, info);
            case "exec", "attach" -> stream(request, info, sub);
            case "portforward" -> portForward(request, info);
            default -> Mono.error(ApiException.notFound("the server could not find the requested resource"));
        };
    }

    // ---------------------------------------------------------------- target

    private record Target(Pod pod, String baseUrl) {
    }

    private Mono<Target> target(String namespace, String name) {
        return store.get(pods, namespace, name).cast(Pod.class).flatMap(pod -> {
            String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
            if (nodeName == null || nodeName.isEmpty()) {
                return Mono.error(ApiException.badRequest("pod " + name + " does not have a host assigned"));
            }
            return store.get(nodes, null, nodeName).cast(Node.class).map(node -> new Target(pod, baseUrl(node)));
        });
    }

    /**
     * {@code GET path} on {@code node}'s node agent (the same address, port and client certificate as the pod
     * subresources): the body, or an {@link ApiException} with the node's status, or 502 when it cannot be reached.
     * The resource metrics scraper reads {@code /stats/summary} with it.
     */
    public Mono<byte[]> nodeGet(Node node, String path) {
        return Mono.fromCallable(() -> baseUrl(node)).flatMap(base -> web.get().uri(java.net.URI.create(base + path))
                .accept(MediaType.APPLICATION_JSON)
                .retrieve()
                .bodyToMono(byte[].class)
                .onErrorMap(WebClientResponseException.class, e -> fromNode(e.getStatusCode().value(),
                        e.getResponseBodyAsByteArray()))
                .onErrorMap(e -> !(e instanceof ApiException), e -> new ApiException(502, "BadGateway",
                        "cannot reach the node agent of node " + node.getMetadata().getName() + ": " + message(e))));
    }

    private static String message(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && t.getMessage() == null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    private String baseUrl(Node node) {
        List<NodeAddress> addresses = node.getStatus() == null || node.getStatus().getAddresses() == null ? List.of()
                : node.getStatus().getAddresses();
        String host = address(addresses, "InternalIP").or(() -> address(addresses, "Hostname"))
                .or(() -> address(addresses, "ExternalIP"))
                .orElseThrow(() -> ApiException.badRequest("node " + node.getMetadata().getName()
                        + " has no address (status.addresses) to reach its node agent at"));
        Integer port = null;
        if (node.getStatus().getDaemonEndpoints() != null && node.getStatus().getDaemonEndpoints().getKubeletEndpoint() != null) {
            port = node.getStatus().getDaemonEndpoints().getKubeletEndpoint().getPort();
        }
        if (port == null || port <= 0) {
            port = 10250;
        }
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return (cfg.https() ? "https://" : "http://") + h + ":" + port;
    }

    private static Optional<String> address(List<NodeAddress> addresses, String type) {
        return addresses.stream().filter(a -> type.equals(a.getType()) && a.getAddress() != null && !a.getAddress().isBlank())
                .map(NodeAddress::getAddress).findFirst();
    }

    /** The container the request names, else the pod's default or only container; it must be declared. */
    static String container(Pod pod, Optional<String> requested) {
        List<String> main = Optional.ofNullable(pod.getSpec().getContainers()).orElse(List.of()).stream()
                .map(Container::getName).toList();
        List<String> all = Stream.of(main.stream(),
                        Optional.ofNullable(pod.getSpec().getInitContainers()).orElse(List.of()).stream().map(Container::getName),
                        Optional.ofNullable(pod.getSpec().getEphemeralContainers()).orElse(List.of()).stream()
                                .map(EphemeralContainer::getName))
                .flatMap(s -> s).toList();
        String name = pod.getMetadata().getName();
        if (requested.isPresent() && !requested.get().isEmpty()) {
            if (!all.contains(requested.get())) {
                throw ApiException.badRequest("container " + requested.get() + " is not valid for pod " + name);
            }
            return requested.get();
        }
        Map<String, String> ann = pod.getMetadata().getAnnotations();
        String preferred = ann == null ? null : ann.get(DEFAULT_CONTAINER_ANNOTATION);
        if (preferred != null && main.contains(preferred)) {
            return preferred;
        }
        if (main.size() == 1) {
            return main.get(0);
        }
        throw ApiException.badRequest("a container name must be specified for pod " + name + ", choose one of: "
                + main);
    }

    // ---------------------------------------------------------------- logs

    private Mono<ServerResponse> logs(ServerRequest request, RequestInfo info) {
        String query = logQuery(request);
        return target(info.namespace(), info.name()).flatMap(t -> {
            String container = container(t.pod(), request.queryParam("container"));
            String url = t.baseUrl() + "/containerLogs/" + seg(info.namespace()) + "/" + seg(info.name()) + "/"
                    + seg(container) + query;
            return web.get().uri(java.net.URI.create(url)).accept(MediaType.ALL)
                    .retrieve()
                    .toEntityFlux(DataBuffer.class)
                    .onErrorMap(WebClientResponseException.class, e -> fromNode(e.getStatusCode().value(),
                            e.getResponseBodyAsByteArray()))
                    .onErrorMap(e -> !(e instanceof ApiException), e -> unreachable(t.pod(), e))
                    .flatMap(entity -> streamBody(entity));
        });
    }

    private static Mono<ServerResponse> streamBody(ResponseEntity<Flux<DataBuffer>> entity) {
        Flux<DataBuffer> body = entity.getBody() == null ? Flux.empty() : entity.getBody();
        // flushed per chunk: kubectl logs -f shows lines as they come
        return ServerResponse.ok().contentType(new MediaType("text", "plain", StandardCharsets.UTF_8))
                .body((out, ctx) -> out.writeAndFlushWith(body.map(Flux::just)));
    }

    /** The node API query for pods/log, its parameters checked as Kubernetes checks PodLogOptions. */
    static String logQuery(ServerRequest request) {
        StringBuilder q = new StringBuilder();
        for (String b : List.of("follow", "previous", "timestamps")) {
            request.queryParam(b).ifPresent(v -> {
                if (bool(b, v)) {
                    append(q, b, "true");
                }
            });
        }
        request.queryParam("tailLines").filter(v -> !v.isEmpty()).ifPresent(v -> append(q, "tailLines", Long.toString(number("tailLines", v, 0))));
        request.queryParam("limitBytes").filter(v -> !v.isEmpty()).ifPresent(v -> append(q, "limitBytes", Long.toString(number("limitBytes", v, 1))));
        Optional<String> sinceSeconds = request.queryParam("sinceSeconds").filter(v -> !v.isEmpty());
        Optional<String> sinceTime = request.queryParam("sinceTime").filter(v -> !v.isEmpty());
        if (sinceSeconds.isPresent() && sinceTime.isPresent()) {
            throw ApiException.badRequest("at most one of sinceTime or sinceSeconds may be specified");
        }
        sinceSeconds.ifPresent(v -> append(q, "sinceSeconds", Long.toString(number("sinceSeconds", v, 1))));
        sinceTime.ifPresent(v -> {
            try {
                OffsetDateTime.parse(v);
            } catch (DateTimeParseException e) {
                throw ApiException.badRequest("sinceTime: invalid RFC 3339 time \"" + v + "\"");
            }
            append(q, "sinceTime", v);
        });
        return q.toString();
    }

    private static void append(StringBuilder q, String k, String v) {
        // every reserved character encoded: a command's ';' or '&' must reach the node intact
        q.append(q.isEmpty() ? '?' : '&').append(k).append('=')
                .append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20"));
    }

    private static boolean bool(String name, String v) {
        return switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "", "1", "true", "t" -> true;
            case "0", "false", "f" -> false;
            default -> throw ApiException.badRequest(name + ": invalid boolean value \"" + v + "\"");
        };
    }

    private static long number(String name, String v, long min) {
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + ": invalid integer \"" + v + "\"");
        }
        if (n < min) {
            throw ApiException.badRequest(name + ": must be " + (min == 0 ? "non-negative" : "greater than 0"));
        }
        return n;
    }

    // ---------------------------------------------------------------- exec, attach, portforward

    private Mono<ServerResponse> stream(ServerRequest request, RequestInfo info, String sub) {
        List<String> protocols = offeredProtocols(request, sub, STREAM_PROTOCOLS);
        StringBuilder q = new StringBuilder();
        for (String c : request.queryParams().getOrDefault("command", List.of())) {
            append(q, "command", c);
        }
        for (String b : List.of("stdin", "stdout", "stderr", "tty")) {
            request.queryParam(b).ifPresent(v -> {
                if (bool(b, v)) {
                    append(q, b, "true");
                }
            });
        }
        if (sub.equals("exec") && request.queryParams().getOrDefault("command", List.of()).isEmpty()) {
            throw ApiException.badRequest("you must specify at least 1 command");
        }
        return target(info.namespace(), info.name()).flatMap(t -> {
            String container = container(t.pod(), request.queryParam("container"));
            String url = t.baseUrl() + "/" + sub + "/" + seg(info.namespace()) + "/" + seg(info.name()) + "/"
                    + seg(container) + q;
            return relay(request.exchange(), t.pod(), url, protocols);
        });
    }

    private Mono<ServerResponse> portForward(ServerRequest request, RequestInfo info) {
        List<String> protocols = offeredProtocols(request, "portforward", PORT_FORWARD_PROTOCOLS);
        return target(info.namespace(), info.name()).flatMap(t -> relay(request.exchange(), t.pod(),
                t.baseUrl() + "/portForward/" + seg(info.namespace()) + "/" + seg(info.name()), protocols));
    }

    /** The client's WebSocket sub-protocols this server relays, in the client's order; else a 400 Status. */
    private static List<String> offeredProtocols(ServerRequest request, String sub, List<String> supported) {
        String upgrade = request.headers().firstHeader("Upgrade");
        if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
            throw ApiException.badRequest("Upgrade request required: kube4j serves pods/" + sub
                    + " over WebSocket (" + String.join(", ", supported) + ")"
                    + (upgrade != null && upgrade.toUpperCase(java.util.Locale.ROOT).startsWith("SPDY")
                    ? "; SPDY is not supported: use kubectl " + (sub.equals("portforward") ? "1.31" : "1.30")
                    + " or later" : ""));
        }
        List<String> offered = request.headers().header("Sec-WebSocket-Protocol").stream()
                .flatMap(v -> Arrays.stream(v.split(","))).map(String::trim).filter(s -> !s.isEmpty()).toList();
        List<String> usable = offered.stream().filter(supported::contains).toList();
        if (usable.isEmpty()) {
            throw ApiException.badRequest("pods/" + sub + ": none of the offered WebSocket sub-protocols " + offered
                    + " is supported; supported: " + supported);
        }
        return usable;
    }

    /**
     * Opens the WebSocket to the node agent first (so that a refusal is still an HTTP error here), then accepts the
     * client's upgrade with the sub-protocol the node chose and relays messages both ways; either side closing
     * closes the other.
     */
    private Mono<ServerResponse> relay(ServerWebExchange exchange, Pod pod, String url, List<String> protocols) {
        WebsocketClientSpec spec = WebsocketClientSpec.builder().protocols(String.join(",", protocols))
                .maxFramePayloadLength(MAX_MESSAGE).handlePing(false).build();
        return http.websocket(spec).uri(url)
                .handle((nodeIn, nodeOut) -> {
                    String selected = nodeIn.selectedSubprotocol();
                    Sinks.Empty<Void> relayed = Sinks.empty();
                    WebSocketHandler handler = new WebSocketHandler() {
                        @Override
                        public List<String> getSubProtocols() {
                            return selected == null ? List.of() : List.of(selected);
                        }

                        @Override
                        public Mono<Void> handle(WebSocketSession session) {
                            return pipe(session, nodeIn, nodeOut).doFinally(s -> relayed.tryEmitEmpty());
                        }
                    };
                    // handleRequest completes once the client's upgrade is done; the node connection must live
                    // until the relay ends
                    return handshakes.handleRequest(exchange, handler).then(relayed.asMono());
                })
                .then(Mono.<ServerResponse>empty())
                .onErrorMap(WebSocketClientHandshakeException.class, e -> {
                    int code = e.response() != null && e.response().status().code() >= 400 ? e.response().status().code() : 502;
                    return new ApiException(code, reason(code), "the node agent of pod " + pod.getMetadata().getName()
                            + " refused the stream: " + (e.response() == null ? e.getMessage() : e.response().status()));
                })
                .onErrorMap(e -> !(e instanceof ApiException), e -> unreachable(pod, e));
    }

    private static Mono<Void> pipe(WebSocketSession client, WebsocketInbound nodeIn, WebsocketOutbound nodeOut) {
        Sinks.Empty<Void> clientDone = Sinks.empty();
        // The client's messages go through a buffer rather than straight into the node's send: when the node
        // closes, that send cancels its source, and cancelling the server session's receive makes reactor-netty
        // close the client's socket at once, without a status code and before the node's last messages.
        Sinks.Many<WebSocketFrame> toNodeFrames = Sinks.many().unicast().onBackpressureBuffer();
        Mono<Void> fromClient = client.receive()
                .doOnNext(m -> toNodeFrames.tryEmitNext(toFrame(m)))
                .then()
                .onErrorResume(e -> Mono.empty())
                .doFinally(s -> {
                    toNodeFrames.tryEmitComplete();
                    clientDone.tryEmitEmpty();
                });
        Mono<Void> toNode = nodeOut.sendObject(toNodeFrames.asFlux(), o -> true)
                .then()
                .onErrorResume(e -> Mono.empty())
                .then(Mono.defer(() -> nodeOut.sendClose(1000, "")).onErrorResume(e -> Mono.empty()));
        // everything the node sent, then a normal close (kubectl reads the error channel until a clean close)
        Mono<Void> toClient = client.send(nodeIn.aggregateFrames(MAX_MESSAGE).receiveFrames()
                        .takeUntilOther(clientDone.asMono().then(Mono.delay(Duration.ofSeconds(5))))
                        .filter(f -> f instanceof BinaryWebSocketFrame || f instanceof TextWebSocketFrame)
                        .map(f -> toMessage(client, f)))
                .onErrorResume(e -> Mono.empty())
                .then(Mono.defer(() -> client.close(org.springframework.web.reactive.socket.CloseStatus.NORMAL))
                        .onErrorResume(e -> Mono.empty()));
        return Mono.when(fromClient, toNode, toClient);
    }

    private static WebSocketFrame toFrame(WebSocketMessage m) {
        DataBuffer p = m.getPayload();
        byte[] b = new byte[p.readableByteCount()];
        p.read(b);
        return m.getType() == WebSocketMessage.Type.TEXT ? new TextWebSocketFrame(Unpooled.wrappedBuffer(b))
                : new BinaryWebSocketFrame(Unpooled.wrappedBuffer(b));
    }

    private static WebSocketMessage toMessage(WebSocketSession session, WebSocketFrame f) {
        ByteBuf c = f.content();
        byte[] b = ByteBufUtil.getBytes(c, c.readerIndex(), c.readableBytes());
        return f instanceof TextWebSocketFrame ? session.textMessage(new String(b, StandardCharsets.UTF_8))
                : session.binaryMessage(factory -> factory.wrap(b));
    }

    // ---------------------------------------------------------------- errors

    /** The node agent's error: its Status when it sent one, else the HTTP code. */
    private static ApiException fromNode(int code, byte[] body) {
        try {
            Status s = Codecs.json().readValue(body, Status.class);
            if ("Status".equals(s.getKind()) && s.getMessage() != null) {
                return new ApiException(code, s.getReason() == null ? reason(code) : s.getReason(), s.getMessage());
            }
        } catch (RuntimeException e) {
            // not a Status: fall through
        }
        String text = new String(body, StandardCharsets.UTF_8).trim();
        return new ApiException(code, reason(code), text.isEmpty() ? "the node agent answered " + code : text);
    }

    private static ApiException unreachable(Pod pod, Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && t.getMessage() == null) {
            t = t.getCause();
        }
        return new ApiException(502, "BadGateway", "cannot reach the node agent of node " + pod.getSpec().getNodeName()
                + " for pod " + pod.getMetadata().getName() + ": " + (t.getMessage() == null ? t.toString() : t.getMessage()));
    }

    private static String reason(int code) {
        return switch (code) {
            case 400 -> "BadRequest";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "NotFound";
            case 409 -> "Conflict";
            case 500 -> "InternalError";
            case 501 -> "NotImplemented";
            case 502 -> "BadGateway";
            case 503 -> "ServiceUnavailable";
            default -> "Unknown";
        };
    }

    private static String seg(String s) {
        return UriUtils.encodePathSegment(s, StandardCharsets.UTF_8);
    }
}
