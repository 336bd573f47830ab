package io.kube4j.node.server;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;

import io.fabric8.kubernetes.api.model.Pod;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyGoAwayFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.DefaultSpdyWindowUpdateFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyHeaders;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;
import reactor.netty.tcp.TcpClient;

/**
 * Port-forward over a WebSocket that tunnels SPDY/3.1 ({@code SPDY/3.1+portforward.k8s.io}, as kubectl 1.30+
 * speaks it): the WebSocket's binary messages are a byte stream of SPDY frames. The client opens a pair of
 * streams per connection (headers {@code streamType} error|data, {@code port}, {@code requestID}); each data
 * stream is piped to a TCP connection to the pod's IP and port, and failures are written to the error stream.
 *
 * <p>All SPDY state of one session lives on the WebSocket connection's event loop; TCP callbacks hop onto it.
 */
final class PortForwarder {

    private static final Logger log = LoggerFactory.getLogger(PortForwarder.class);

    private final PodContainers containers;

    PortForwarder(PodContainers containers) {
        this.containers = containers;
    }

    Mono<Void> serve(Pod pod, WebsocketInbound wsIn, WebsocketOutbound wsOut) {
        Executor[] loop = new Executor[1];
        wsIn.withConnection(c -> loop[0] = c.channel().eventLoop());
        Sinks.Many<byte[]> toClient = Sinks.many().unicast().onBackpressureBuffer();
        Session session = new Session(pod, loop[0], toClient);
        Mono<Void> inbound = wsIn.aggregateFrames(1 << 20).receiveFrames()
                .doOnNext(f -> session.received(NodeApiServer.bytes(f)))
                .then()
                .onErrorResume(e -> Mono.empty())
                .doFinally(s -> loop[0].execute(session::close));
        Mono<Void> outbound = wsOut.sendObject(toClient.asFlux()
                        .map(b -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(b))), o -> true)
                .then()
                .onErrorResume(e -> Mono.empty());
        return Mono.when(inbound, outbound);
    }

    /** One port-forward connection: the SPDY codec and the stream pairs. Used on one thread only. */
    private final class Session extends ChannelInboundHandlerAdapter {

        private final Pod pod;
        private final Executor loop;
        private final Sinks.Many<byte[]> toClient;
        private final EmbeddedChannel spdy;
        private final Map<String, Pair> pairs = new HashMap<>();
        private final Map<Integer, Pair> byStream = new HashMap<>();
        private boolean closed;

        Session(Pod pod, Executor loop, Sinks.Many<byte[]> toClient) {
            this.pod = pod;
            this.loop = loop;
            this.toClient = toClient;
            this.spdy = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1), this);
        }

        void received(byte[] data) {
            if (closed || data.length == 0) {
                return;
            }
            try {
                spdy.writeInbound(Unpooled.wrappedBuffer(data));
            } catch (RuntimeException e) {
                log.debug("bad SPDY data from the port-forward client", e);
                close();
            }
            flush();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof SpdySynStreamFrame syn) {
                    opened(syn);
                } else if (msg instanceof SpdyDataFrame data) {
                    data(data);
                } else if (msg instanceof SpdyRstStreamFrame rst) {
                    Pair p = byStream.get(rst.streamId());
                    if (p != null) {
                        p.close();
                    }
                } else if (msg instanceof SpdyPingFrame ping) {
                    spdy.writeOutbound(new DefaultSpdyPingFrame(ping.id()));
                } else if (msg instanceof SpdyGoAwayFrame) {
                    close();
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void opened(SpdySynStreamFrame syn) {
            int id = syn.streamId();
            String type = header(syn.headers(), "streamType").orElse("");
            String requestId = header(syn.headers(), "requestID").orElse("");
            String portText = header(syn.headers(), "port").orElse("");
            DefaultSpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(id);
            // Netty writes an empty header block (not even a compressed header count) for no headers, which Go's
            // SPDY framer rejects with a GOAWAY: reply with the stream's type
            reply.headers().set("streamtype", type.isEmpty() ? "unknown" : type);
            spdy.writeOutbound(reply);
            Pair p = pairs.computeIfAbsent(requestId, r -> new Pair(r));
            byStream.put(id, p);
            if (type.equals("error")) {
                p.errorStream = id;
            } else if (type.equals("data")) {
                p.dataStream = id;
            } else {
                spdy.writeOutbound(new DefaultSpdyRstStreamFrame(id, SpdyStreamStatus.PROTOCOL_ERROR));
                return;
            }
            p.portText = portText;
            if (p.errorStream != 0 && p.dataStream != 0) {
                p.connect();
            }
        }

        private void data(SpdyDataFrame f) {
            Pair p = byStream.get(f.streamId());
            if (p == null) {
                return;
            }
            int n = f.content().readableBytes();
            if (n > 0) {
                // the client's spdystream may rely on window updates: give back what we consumed
                spdy.writeOutbound(new DefaultSpdyWindowUpdateFrame(f.streamId(), n));
                if (f.streamId() == p.dataStream) {
                    p.toPod(ByteBufUtil.getBytes(f.content()));
                }
            }
            if (f.isLast() && f.streamId() == p.dataStream) {
                p.podInputDone();
            }
        }

        void flush() {
            for (Object o; (o = spdy.readOutbound()) != null; ) {
                ByteBuf b = (ByteBuf) o;
                try {
                    if (b.isReadable()) {
                        toClient.tryEmitNext(ByteBufUtil.getBytes(b));
                    }
                } finally {
                    b.release();
                }
            }
        }

        void close() {
            if (closed) {
                return;
            }
            closed = true;
            pairs.values().forEach(Pair::close);
            try {
                spdy.writeOutbound(new DefaultSpdyGoAwayFrame(0));
                flush();
            } catch (RuntimeException e) {
                // the channel is going away anyway
            }
            spdy.finishAndReleaseAll();
            toClient.tryEmitComplete();
        }

        /** The error and data streams of one forwarded connection, and its TCP connection to the pod. */
        private final class Pair {
            final String requestId;
            int errorStream;
            int dataStream;
            String portText;
            final Sinks.Many<byte[]> toPod = Sinks.many().unicast().onBackpressureBuffer();
            Disposable tcp;
            volatile Connection connection;
            boolean done;

            Pair(String requestId) {
                this.requestId = requestId;
            }

            void connect() {
                int port;
                try {
                    port = Integer.parseInt(portText);
                    if (port < 1 || port > 65535) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    fail("invalid port \"" + portText + "\"");
                    return;
                }
                String podName = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
                tcp = Mono.fromCallable(() -> containers.podIp(pod))
                        .subscribeOn(Schedulers.boundedElastic())
                        .flatMap(ip -> ip.map(Mono::just).orElseGet(() -> Mono.error(
                                new IllegalStateException("pod " + podName + " has no IP yet"))))
                        .flatMap(ip -> TcpClient.create().host(ip).port(port).noProxy()
                                .handle((in, out) -> {
                                    in.withConnection(c -> connection = c);
                                    Mono<Void> up = out.send(toPod.asFlux().map(Unpooled::wrappedBuffer), b -> true).then()
                                            .doOnSuccess(v -> shutdownOutput());
                                    Mono<Void> down = in.receive().map(ByteBufUtil::getBytes)
                                            .doOnNext(b -> loop.execute(() -> fromPod(b)))
                                            .then();
                                    return Mono.when(up, down);
                                })
                                .connect()
                                .flatMap(Connection::onDispose))
                        .subscribe(v -> { }, e -> loop.execute(() -> fail("error forwarding port " + port + " to pod "
                                + podName + ", uid " + pod.getMetadata().getUid() + ": " + NodeApiServer.rootMessage(e))),
                                () -> loop.execute(this::podClosed));
            }

            private void shutdownOutput() {
                Connection c = connection;
                if (c != null && c.channel() instanceof SocketChannel s && s.isActive()) {
                    s.shutdownOutput();
                }
            }

            void toPod(byte[] data) {
                toPod.tryEmitNext(data);
            }

            void podInputDone() {
                toPod.tryEmitComplete();
            }

            void fromPod(byte[] data) {
                if (closed || done) {
                    return;
                }
                spdy.writeOutbound(new DefaultSpdyDataFrame(dataStream, Unpooled.wrappedBuffer(data)));
                flush();
            }

            void podClosed() {
                if (closed || done) {
                    return;
                }
                done = true;
                DefaultSpdyDataFrame fin = new DefaultSpdyDataFrame(dataStream);
                fin.setLast(true);
                spdy.writeOutbound(fin);
                DefaultSpdyDataFrame errFin = new DefaultSpdyDataFrame(errorStream);
                errFin.setLast(true);
                spdy.writeOutbound(errFin);
                flush();
                forget();
            }

            void fail(String message) {
                if (closed || done) {
                    return;
                }
                done = true;
                log.debug("port-forward {}: {}", requestId, message);
                DefaultSpdyDataFrame err = new DefaultSpdyDataFrame(errorStream,
                        Unpooled.wrappedBuffer(message.getBytes(StandardCharsets.UTF_8)));
                err.setLast(true);
                spdy.writeOutbound(err);
                DefaultSpdyDataFrame fin = new DefaultSpdyDataFrame(dataStream);
                fin.setLast(true);
                spdy.writeOutbound(fin);
                flush();
                close();
                forget();
            }

            void close() {
                toPod.tryEmitComplete();
                Disposable d = tcp;
                if (d != null) {
                    d.dispose();
                }
                Connection c = connection;
                if (c != null) {
                    c.dispose();
                }
            }

            private void forget() {
                pairs.remove(requestId);
                byStream.remove(errorStream);
                byStream.remove(dataStream);
            }
        }
    }

    private static Optional<String> header(SpdyHeaders headers, String name) {
        for (Map.Entry<CharSequence, CharSequence> e : headers) {
            if (e.getKey().toString().equalsIgnoreCase(name)) {
                return Optional.of(e.getValue().toString());
            }
        }
        return Optional.empty();
    }
}
