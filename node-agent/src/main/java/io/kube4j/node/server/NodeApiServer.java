package io.kube4j.node.server;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;

import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.kube4j.api.codec.Codecs;
import io.kube4j.node.agent.NodeContext;
import io.kube4j.node.config.NodeAgentProperties;
import io.kube4j.node.pod.ActivePods;
import io.kube4j.node.runtime.ContainerStatus;
import io.kube4j.node.runtime.LogRequest;
import io.kube4j.node.runtime.OutputSink;
import io.kube4j.node.runtime.StreamHandle;
import io.kube4j.node.runtime.StreamIo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.HttpServerRoutes;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * The node agent's own HTTP(S) API, the kubelet's port 10250: container logs, exec, attach, port-forward,
 * the Summary API, the running pods and Prometheus metrics. A reactor-netty server of its own, separate from the
 * Spring Boot server, so that every node of a hollow fleet in one JVM gets its own port.
 *
 * <p>Not authenticated yet (kubelet authn/authz is part of the security work): bind it to a trusted address.
 */
public final class NodeApiServer {

    private static final Logger log = LoggerFactory.getLogger(NodeApiServer.class);
    private static final int MAX_MESSAGE = 1 << 20;

    private final NodeContext ctx;
    private final ActivePods pods;
    private final PodContainers containers;
    private final StatsSummary stats;
    private final PortForwarder portForwarder;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private volatile DisposableServer server;

    public NodeApiServer(NodeContext ctx, ActivePods pods) {
        this.ctx = ctx;
        this.pods = pods;
        this.containers = new PodContainers(pods, ctx.runtime());
        this.stats = new StatsSummary(ctx, pods);
        this.portForwarder = new PortForwarder(containers);
    }

    /** Binds and starts serving; returns the bound port. */
    public synchronized int start() {
        if (server != null) {
            return server.port();
        }
        NodeAgentProperties.Server cfg = ctx.properties().server();
        HttpServer http = HttpServer.create().host(cfg.address()).port(cfg.port()).route(this::routes);
        if (cfg.tls()) {
            var spec = NodeCertificates.serverSpec(cfg.certFile(), cfg.keyFile(), ctx.nodeName(), ctx.nodeIp(),
                    cfg.clientCaFile(), cfg.allowedClientNames());
            http = http.secure(s -> s.sslContext(spec));
        }
        server = http.bindNow(Duration.ofSeconds(30));
        boolean clientCerts = cfg.tls() && cfg.clientCaFile() != null && !cfg.clientCaFile().isBlank();
        log.info("node API of {} listening on {}://{}:{} ({})", ctx.nodeName(),
                cfg.tls() ? "https" : "http", cfg.address(), server.port(), clientCerts
                        ? "callers need a client certificate of " + cfg.clientCaFile() + " with CN in "
                        + (cfg.allowedClientNames().isEmpty() ? "any" : cfg.allowedClientNames())
                        : "unauthenticated");
        return server.port();
    }

    /** The bound port (-1 before start). */
    public int port() {
        DisposableServer s = server;
        return s == null ? -1 : s.port();
    }

    public synchronized void stop() {
        if (server != null) {
            server.disposeNow(Duration.ofSeconds(5));
            server = null;
        }
    }

    private void routes(HttpServerRoutes r) {
        r.get("/healthz", metered("healthz", false, (req, res) -> res.header(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .sendString(Mono.just("ok"))))
                .get("/pods", metered("pods", false, this::pods))
                .get("/containerLogs/{namespace}/{pod}/{container}", metered("containerLogs", true, this::logs))
                .get("/exec/{namespace}/{pod}/{container}", metered("exec", true, (q, s) -> stream(q, s, false)))
                .post("/exec/{namespace}/{pod}/{container}", metered("exec", true, (q, s) -> stream(q, s, false)))
                .get("/attach/{namespace}/{pod}/{container}", metered("attach", true, (q, s) -> stream(q, s, true)))
                .post("/attach/{namespace}/{pod}/{container}", metered("attach", true, (q, s) -> stream(q, s, true)))
                .get("/portForward/{namespace}/{pod}", metered("portForward", true, this::portForward))
                .post("/portForward/{namespace}/{pod}", metered("portForward", true, this::portForward))
                .get("/stats/summary", metered("stats", false, this::summary))
                .get("/metrics", metered("metrics", false, this::metrics))
                .route(req -> true, (req, res) -> error(res, NodeApiException.notFound("the node API does not serve "
                        + req.method() + " " + req.fullPath())));
    }

    // ---------------------------------------------------------------- metrics

    private BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> metered(
            String path, boolean longRunning, BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> h) {
        return (req, res) -> {
            long start = System.nanoTime();
            String method = req.method().name();
            return Mono.defer(() -> Mono.from(h.apply(req, res)))
                    .onErrorResume(e -> error(res, e))
                    .doFinally(s -> record(method, path, longRunning, System.nanoTime() - start));
        };
    }

    private void record(String method, String path, boolean longRunning, long nanos) {
        MeterRegistry m = ctx.meters();
        if (m == null) {
            return;
        }
        String key = method + " " + path;
        counters.computeIfAbsent(key, k -> Counter.builder("kubelet_http_requests")
                .description("Number of the http requests received since the server started")
                .tag("method", method).tag("path", path).tag("server_type", "readwrite")
                .tag("long_running", Boolean.toString(longRunning)).tag("node", ctx.nodeName()).register(m))
                .increment();
        timers.computeIfAbsent(key, k -> Timer.builder("kubelet_http_requests_duration")
                .description("Duration in seconds to serve http requests")
                .tag("method", method).tag("path", path).tag("server_type", "readwrite")
                .tag("long_running", Boolean.toString(longRunning)).tag("node", ctx.nodeName()).register(m))
                .record(Duration.ofNanos(nanos));
    }

    private Mono<Void> metrics(HttpServerRequest req, HttpServerResponse res) {
        PrometheusMeterRegistry prom = prometheus(ctx.meters());
        if (prom == null) {
            return error(res, NodeApiException.notFound("metrics are not kept in Prometheus form by this node agent"));
        }
        return res.header(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
                .sendString(Mono.fromCallable(prom::scrape)).then();
    }

    private static PrometheusMeterRegistry prometheus(MeterRegistry m) {
        if (m instanceof PrometheusMeterRegistry p) {
            return p;
        }
        if (m instanceof CompositeMeterRegistry c) {
            for (MeterRegistry inner : c.getRegistries()) {
                PrometheusMeterRegistry p = prometheus(inner);
                if (p != null) {
                    return p;
                }
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- pods, stats

    private Mono<Void> pods(HttpServerRequest req, HttpServerResponse res) {
        return Mono.fromCallable(() -> new PodListBuilder().withApiVersion("v1").withKind("PodList")
                        .withNewMetadata().endMetadata().withItems(pods.activePods()).build())
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(list -> json(res, 200, Codecs.json().writeValueAsBytes(list)));
    }

    private Mono<Void> summary(HttpServerRequest req, HttpServerResponse res) {
        return Mono.fromCallable(() -> Codecs.json().writeValueAsBytes(stats.summary()))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(b -> json(res, 200, b));
    }

    // ---------------------------------------------------------------- logs

    private Mono<Void> logs(HttpServerRequest req, HttpServerResponse res) {
        Map<String, List<String>> q = query(req);
        boolean previous = flag(q, "previous");
        LogRequest lr = logRequest(q);
        String ns = req.param("namespace");
        String pod = req.param("pod");
        String container = req.param("container");
        return Mono.fromCallable(() -> containers.container(ns, pod, container, previous))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(c -> {
                    AtomicBoolean closed = new AtomicBoolean();
                    StreamHandle[] handle = new StreamHandle[1];
                    OutputBridge<byte[]> bridge = new OutputBridge<>(() -> {
                        closed.set(true);
                        closeQuietly(handle[0]);
                    });
                    OutputSink sink = new OutputSink() {
                        @Override
                        public void stdout(byte[] data) {
                            bridge.emit(data);
                        }

                        @Override
                        public void stderr(byte[] data) {
                            bridge.emit(data);
                        }
                    };
                    return Mono.fromCallable(() -> ctx.runtime().logs(c.id(), lr, sink))
                            .subscribeOn(Schedulers.boundedElastic())
                            .flatMap(h -> {
                                handle[0] = h;
                                if (closed.get()) {
                                    closeQuietly(h);
                                }
                                h.completion().whenComplete((v, e) -> {
                                    if (e == null) {
                                        bridge.complete();
                                    } else {
                                        log.debug("log stream of {} ended with {}", c.id(), e.toString());
                                        bridge.complete();
                                    }
                                });
                                return res.status(200)
                                        .header(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                                        .send(bridge.flux().map(Unpooled::wrappedBuffer), b -> true)
                                        .then()
                                        .doFinally(s -> closeQuietly(h));
                            });
                });
    }

    static LogRequest logRequest(Map<String, List<String>> q) {
        Integer tail = optionalLong(q, "tailLines", 0).map(Long::intValue).orElse(null);
        Long limit = optionalLong(q, "limitBytes", 1).orElse(null);
        Instant since = null;
        Long sinceSeconds = optionalLong(q, "sinceSeconds", 1).orElse(null);
        String sinceTime = one(q, "sinceTime");
        if (sinceSeconds != null && sinceTime != null) {
            throw NodeApiException.badRequest("at most one of sinceTime or sinceSeconds may be specified");
        }
        if (sinceSeconds != null) {
            since = Instant.now().minusSeconds(sinceSeconds);
        } else if (sinceTime != null) {
            try {
                since = OffsetDateTime.parse(sinceTime).toInstant();
            } catch (DateTimeParseException e) {
                throw NodeApiException.badRequest("sinceTime: invalid RFC 3339 time \"" + sinceTime + "\"");
            }
        }
        return new LogRequest(flag(q, "follow"), tail, since, flag(q, "timestamps"), limit);
    }

    // ---------------------------------------------------------------- exec, attach

    private Mono<Void> stream(HttpServerRequest req, HttpServerResponse res, boolean attach) {
        Map<String, List<String>> q = query(req);
        List<String> command = q.getOrDefault("command", List.of());
        boolean stdin = flag(q, "stdin") || flag(q, "input");
        boolean stdout = flag(q, "stdout") || flag(q, "output");
        boolean stderr = flag(q, "stderr") || flag(q, "error");
        boolean tty = flag(q, "tty");
        if (!attach && command.isEmpty()) {
            throw NodeApiException.badRequest("you must specify at least 1 command");
        }
        if (!stdin && !stdout && !stderr) {
            throw NodeApiException.badRequest("you must specify at least one of stdin, stdout, stderr");
        }
        if (tty && stderr) {
            stderr = false; // with a tty stderr is merged into stdout, as the kubelet does
        }
        String protocol = upgradeProtocol(req, List.of(StreamChannels.V5, StreamChannels.V4));
        String ns = req.param("namespace");
        String pod = req.param("pod");
        String container = req.param("container");
        StdinPipe in = stdin ? new StdinPipe() : null;
        AtomicBoolean gone = new AtomicBoolean();
        StreamHandle[] handle = new StreamHandle[1];
        OutputBridge<byte[]> bridge = new OutputBridge<>(() -> {
            gone.set(true);
            closeQuietly(handle[0]);
        });
        OutputSink sink = new OutputSink() {
            @Override
            public void stdout(byte[] data) {
                bridge.emit(StreamChannels.frame(StreamChannels.STDOUT, data));
            }

            @Override
            public void stderr(byte[] data) {
                bridge.emit(StreamChannels.frame(StreamChannels.STDERR, data));
            }
        };
        StreamIo io = new StreamIo(in, sink, stdout, stderr, tty);
        WebsocketServerSpec spec = WebsocketServerSpec.builder().protocols(protocol).maxFramePayloadLength(MAX_MESSAGE).build();
        // The stream starts before the upgrade (its output waits in the bridge until the socket asks for it).
        // A missing or stopped container is still reported after an upgrade, as a Status on the error channel,
        // which is where kubectl (and a relaying apiserver) read it from.
        return Mono.fromCallable(() -> {
                    ContainerStatus c = containers.running(ns, pod, container);
                    return attach ? ctx.runtime().attach(c.id(), io) : ctx.runtime().exec(c.id(), command, io);
                })
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(h -> {
                    handle[0] = h;
                    if (gone.get()) {
                        closeQuietly(h);
                    }
                    h.completion().whenComplete((code, e) -> {
                        Status st = e != null ? StreamChannels.failure(rootMessage(e))
                                : attach ? StreamChannels.exitStatus(0, command)
                                : StreamChannels.exitStatus(code == null ? 0 : code, command);
                        bridge.emitLast(StreamChannels.statusFrame(st));
                        bridge.complete();
                    });
                    // sendWebsocket completes once the upgrade is done; session() releases the stream at its end
                    return res.sendWebsocket((wsIn, wsOut) -> session(wsIn, wsOut, h, in, bridge), spec)
                            .doOnError(e -> {
                                if (in != null) {
                                    in.close();
                                }
                                closeQuietly(h);
                            });
                })
                .onErrorResume(e -> !res.hasSentHeaders(), e -> {
                    Status st = e instanceof NodeApiException n ? n.toStatus() : StreamChannels.failure(rootMessage(e));
                    if (!(e instanceof NodeApiException)) {
                        log.warn("{} failed", attach ? "attach" : "exec", e);
                    }
                    return res.sendWebsocket((wsIn, wsOut) -> wsOut.sendObject(
                                    new BinaryWebSocketFrame(Unpooled.wrappedBuffer(StreamChannels.statusFrame(st)))).then()
                            .then(wsOut.sendClose(1000, "")), spec);
                });
    }

    private Mono<Void> session(WebsocketInbound wsIn, WebsocketOutbound wsOut, StreamHandle h, StdinPipe in,
                               OutputBridge<byte[]> bridge) {
        boolean v5 = StreamChannels.V5.equals(wsIn.selectedSubprotocol());
        Sinks.Empty<Void> outputDone = Sinks.empty();
        Mono<Void> outbound = wsOut.sendObject(bridge.flux().map(b -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(b))),
                        o -> true)
                .then()
                .onErrorResume(e -> Mono.empty())
                .then(Mono.defer(() -> wsOut.sendClose(1000, "")))
                .onErrorResume(e -> Mono.empty())
                .doFinally(s -> outputDone.tryEmitEmpty());
        Mono<Void> inbound = wsIn.aggregateFrames(MAX_MESSAGE).receiveFrames()
                .map(NodeApiServer::bytes)
                // in order, one at a time, off the event loop: a resize is a blocking runtime call
                .concatMap(m -> Mono.fromRunnable(() -> received(m, v5, h, in)).subscribeOn(Schedulers.boundedElastic()), 1)
                .takeUntilOther(outputDone.asMono().then(Mono.delay(Duration.ofSeconds(10))))
                .then()
                .onErrorResume(e -> Mono.empty())
                .doFinally(s -> {
                    // the client went away (or finished): end stdin and the stream
                    if (in != null) {
                        in.closeInput();
                    }
                    closeQuietly(h); // harmless when the stream has ended already
                });
        return Mono.when(outbound, inbound);
    }

    /** One message from the client: stdin data, a terminal resize, or (v5) the end of stdin. */
    private static void received(byte[] m, boolean v5, StreamHandle h, StdinPipe in) {
        int ch = StreamChannels.channel(m);
        if (ch == StreamChannels.STDIN && in != null) {
            in.write(StreamChannels.payload(m));
        } else if (ch == StreamChannels.RESIZE) {
            StreamChannels.resize(StreamChannels.payload(m)).ifPresent(wh -> {
                try {
                    h.resize(wh[0], wh[1]);
                } catch (RuntimeException e) {
                    log.debug("resize failed", e);
                }
            });
        } else if (ch == StreamChannels.CLOSE && v5) {
            byte[] p = StreamChannels.payload(m);
            if (p.length > 0 && p[0] == StreamChannels.STDIN && in != null) {
                in.closeInput();
            }
        }
    }

    // ---------------------------------------------------------------- port-forward

    private Mono<Void> portForward(HttpServerRequest req, HttpServerResponse res) {
        String protocol = upgradeProtocol(req, List.of(StreamChannels.PORT_FORWARD_TUNNEL));
        String ns = req.param("namespace");
        String pod = req.param("pod");
        return Mono.fromCallable(() -> containers.pod(ns, pod))
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(p -> res.sendWebsocket((wsIn, wsOut) -> portForwarder.serve(p, wsIn, wsOut),
                        WebsocketServerSpec.builder().protocols(protocol).maxFramePayloadLength(MAX_MESSAGE).build()));
    }

    // ---------------------------------------------------------------- helpers

    /** The sub-protocol to accept; a request that is not a WebSocket upgrade, or offers none of ours, is a 400. */
    private static String upgradeProtocol(HttpServerRequest req, List<String> supported) {
        String upgrade = req.requestHeaders().get(HttpHeaderNames.UPGRADE);
        if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
            throw NodeApiException.badRequest("Upgrade request required: this node serves " + req.fullPath()
                    + " over WebSocket (" + String.join(", ", supported) + "); SPDY is not supported");
        }
        List<String> offered = StreamChannels.parseProtocols(req.requestHeaders().getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL));
        return supported.stream().filter(offered::contains).findFirst().orElseThrow(() -> NodeApiException.badRequest(
                "no supported WebSocket sub-protocol offered (offered " + offered + ", supported " + supported + ")"));
    }

    static byte[] bytes(WebSocketFrame f) {
        if (f instanceof BinaryWebSocketFrame || f instanceof TextWebSocketFrame) {
            ByteBuf b = f.content();
            return ByteBufUtil.getBytes(b, b.readerIndex(), b.readableBytes());
        }
        return new byte[0];
    }

    static Map<String, List<String>> query(HttpServerRequest req) {
        // ';' is part of a value (a shell command), not a separator
        return new QueryStringDecoder(req.uri(), StandardCharsets.UTF_8, true, 1024, true).parameters();
    }

    static String one(Map<String, List<String>> q, String name) {
        List<String> v = q.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    static boolean flag(Map<String, List<String>> q, String name) {
        String v = one(q, name);
        if (v == null) {
            return false;
        }
        return switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "", "1", "true", "t", "yes" -> true;
            case "0", "false", "f", "no" -> false;
            default -> throw NodeApiException.badRequest(name + ": invalid boolean value \"" + v + "\"");
        };
    }

    static java.util.Optional<Long> optionalLong(Map<String, List<String>> q, String name, long min) {
        String v = one(q, name);
        if (v == null || v.isEmpty()) {
            return java.util.Optional.empty();
        }
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw NodeApiException.badRequest(name + ": invalid integer \"" + v + "\"");
        }
        if (n < min) {
            throw NodeApiException.badRequest(name + ": must be " + (min == 0 ? "non-negative" : "greater than 0"));
        }
        return java.util.Optional.of(n);
    }

    private static Mono<Void> json(HttpServerResponse res, int code, byte[] body) {
        return res.status(code).header(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(body.length))
                .sendByteArray(Mono.just(body)).then();
    }

    private Mono<Void> error(HttpServerResponse res, Throwable e) {
        NodeApiException api = e instanceof NodeApiException n ? n
                : new NodeApiException(500, "InternalError", rootMessage(e));
        if (!(e instanceof NodeApiException)) {
            log.warn("node API request failed", e);
        }
        if (res.hasSentHeaders()) {
            return Mono.empty();
        }
        return json(res, api.code(), Codecs.json().writeValueAsBytes(api.toStatus()))
                .onErrorResume(x -> Mono.empty());
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    static void closeQuietly(StreamHandle h) {
        if (h != null) {
            try {
                h.close();
            } catch (RuntimeException e) {
                log.debug("closing a stream failed", e);
            }
        }
    }
}
