package io.kube4j.cli.api;

import io.kube4j.client.ApiStatusException;
import io.kube4j.client.KubeClient;
import io.kube4j.client.internal.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdyWindowUpdateFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.util.ReferenceCountUtil;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.WebsocketClientSpec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The client side of port-forwarding over a WebSocket that tunnels SPDY/3.1 ({@code SPDY/3.1+portforward.k8s.io},
 * what kubectl 1.30+ speaks): one WebSocket per {@code port-forward} session, and per forwarded TCP connection a pair
 * of SPDY streams (headers {@code streamType} error|data, {@code port}, {@code requestID}). The data stream carries the
 * connection's bytes both ways; text on the error stream is a failure reported to {@code errors}.
 *
 * <p>The SPDY codec and the stream table live on the WebSocket connection's event loop; socket threads hop onto it.
 */
public final class PortForwardTunnel implements AutoCloseable {

    public static final String PROTOCOL = "SPDY/3.1+portforward.k8s.io";

    private final Sinks.Many<byte[]> toServer = Sinks.many().unicast().onBackpressureBuffer();
    private final CompletableFuture<Void> opened = new CompletableFuture<>();
    private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
    private final Consumer<String> errors;
    private final Map<Integer, Forward> byStream = new HashMap<>();
    private volatile Executor loop;
    private EmbeddedChannel spdy;
    private int nextStreamId = 1;
    private int nextRequestId;
    private volatile boolean closed;
    private reactor.core.Disposable connection;

    private PortForwardTunnel(Consumer<String> errors) {
        this.errors = errors;
    }

    /** Opens the tunnel to {@code path} ({@code /api/v1/namespaces/ns/pods/x/portforward}); fails as the server says. */
    public static PortForwardTunnel open(KubeClient client, String path, Consumer<String> errors, Duration timeout) {
        PortForwardTunnel t = new PortForwardTunnel(errors);
        Transport transport = client.raw().transport();
        String url = transport.config().server().replaceFirst("^http", "ws") + path;
        String auth = transport.authorization();
        t.connection = transport.http()
                .headers(h -> {
                    if (auth != null) {
                        h.set("Authorization", auth);
                    }
                })
                .websocket(WebsocketClientSpec.builder().protocols(PROTOCOL).maxFramePayloadLength(16 << 20).build())
                .uri(url)
                .handle((in, out) -> {
                    in.withConnection(c -> t.loop = c.channel().eventLoop());
                    t.loop.execute(() -> {
                        t.spdy = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1), t.new Inbound());
                        t.opened.complete(null);
                    });
                    Mono<Void> receive = in.aggregateFrames(16 << 20).receiveFrames()
                            .filter(f -> f instanceof BinaryWebSocketFrame)
                            .doOnNext(f -> t.received(ByteBufUtil.getBytes(f.content())))
                            .then();
                    Mono<Void> send = out.sendObject(t.toServer.asFlux()
                            .map(b -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(b))), o -> true).then();
                    return Mono.when(receive, send);
                })
                .then()
                .doFinally(s -> t.shutdown())
                .subscribe(v -> { }, e -> {
                    t.opened.completeExceptionally(e);
                    t.closedFuture.complete(null);
                }, () -> t.closedFuture.complete(null));
        try {
            t.opened.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            t.close();
            WebSocketClientHandshakeException hs = cause(e, WebSocketClientHandshakeException.class);
            if (hs != null && hs.response() != null) {
                int code = hs.response().status().code();
                throw new ApiStatusException(code, null, "unable to upgrade connection: " + hs.response().status());
            }
            throw new IllegalStateException("error upgrading connection: " + rootMessage(e), e);
        } catch (java.util.concurrent.TimeoutException e) {
            t.close();
            throw new IllegalStateException("error upgrading connection: no answer within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            t.close();
            throw new IllegalStateException("interrupted");
        }
        return t;
    }

    /** Completes when the WebSocket is gone (the pod went away, the server closed it). */
    public CompletableFuture<Void> closedFuture() {
        return closedFuture;
    }

    /**
     * Carries {@code socket} (an accepted local connection) to {@code port} of the pod until either side closes;
     * returns at once (the copying runs on threads of its own).
     */
    public void forward(Socket socket, int port) {
        Forward f = new Forward(socket, port);
        loop.execute(() -> {
            try {
                f.open();
            } catch (RuntimeException e) {
                errors.accept("an error occurred forwarding " + port + ": " + rootMessage(e));
                f.finish();
                f.closeSocket();
            }
        });
    }

    private void received(byte[] data) {
        if (closed || data.length == 0) {
            return;
        }
        spdy.writeInbound(Unpooled.wrappedBuffer(data));
        flush();
    }

    private void flush() {
        for (Object o; (o = spdy.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            try {
                if (b.isReadable()) {
                    toServer.tryEmitNext(ByteBufUtil.getBytes(b));
                }
            } finally {
                b.release();
            }
        }
    }

    private final class Inbound extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof SpdyDataFrame data) {
                    Forward f = byStream.get(data.streamId());
                    int n = data.content().readableBytes();
                    if (n > 0) {
                        spdy.writeOutbound(new DefaultSpdyWindowUpdateFrame(data.streamId(), n));
                    }
                    if (f != null) {
                        f.fromServer(data.streamId(), ByteBufUtil.getBytes(data.content()), data.isLast());
                    }
                } else if (msg instanceof SpdyRstStreamFrame rst) {
                    Forward f = byStream.get(rst.streamId());
                    if (f != null) {
                        f.finish();
                    }
                } else if (msg instanceof SpdyPingFrame ping) {
                    spdy.writeOutbound(new DefaultSpdyPingFrame(ping.id()));
                } else if (msg instanceof SpdyGoAwayFrame) {
                    shutdown();
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    /** One forwarded local connection: its stream pair and the threads copying its socket. */
    private final class Forward {
        private final Socket socket;
        private final int port;
        private int errorStream;
        private int dataStream;
        private final ByteArrayOutputStream errorText = new ByteArrayOutputStream();
        private final LinkedBlockingQueue<byte[]> toSocket = new LinkedBlockingQueue<>();
        private boolean done;

        Forward(Socket socket, int port) {
            this.socket = socket;
            this.port = port;
        }

        /** On the loop: open the error and data streams, start copying. */
        void open() {
            if (closed) {
                closeSocket();
                return;
            }
            String requestId = Integer.toString(nextRequestId++);
            errorStream = nextStreamId;
            dataStream = nextStreamId + 2;
            nextStreamId += 4;
            for (int id : new int[] {errorStream, dataStream}) {
                DefaultSpdySynStreamFrame syn = new DefaultSpdySynStreamFrame(id, 0, (byte) 0);
                // SPDY header names are lower case (Go's spdystream lower-cases streamType and requestID too)
                syn.headers().set("streamtype", id == errorStream ? "error" : "data");
                syn.headers().set("port", Integer.toString(port));
                syn.headers().set("requestid", requestId);
                if (id == errorStream) {
                    // the client never writes on the error stream
                    syn.setLast(true);
                }
                spdy.writeOutbound(syn);
                byStream.put(id, this);
            }
            flush();
            Thread up = new Thread(this::socketToServer, "k4j-port-forward-up");
            up.setDaemon(true);
            up.start();
            Thread down = new Thread(this::serverToSocket, "k4j-port-forward-down");
            down.setDaemon(true);
            down.start();
        }

        private void socketToServer() {
            byte[] buf = new byte[32 * 1024];
            try (InputStream in = socket.getInputStream()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    if (n > 0) {
                        byte[] chunk = java.util.Arrays.copyOf(buf, n);
                        loop.execute(() -> {
                            if (!done && !closed) {
                                spdy.writeOutbound(new DefaultSpdyDataFrame(dataStream, Unpooled.wrappedBuffer(chunk)));
                                flush();
                            }
                        });
                    }
                }
            } catch (IOException e) {
                // the local side is gone
            }
            loop.execute(() -> {
                if (!done && !closed) {
                    DefaultSpdyDataFrame fin = new DefaultSpdyDataFrame(dataStream);
                    fin.setLast(true);
                    spdy.writeOutbound(fin);
                    flush();
                }
            });
        }

        private void serverToSocket() {
            try (OutputStream out = socket.getOutputStream()) {
                for (byte[] b; (b = toSocket.take()).length > 0; ) {
                    out.write(b);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // the local side is gone
            }
            closeSocket();
        }

        /** On the loop: bytes (and maybe the end) of one of this connection's streams. */
        void fromServer(int stream, byte[] data, boolean last) {
            if (stream == dataStream) {
                if (data.length > 0) {
                    toSocket.add(data);
                }
                if (last) {
                    finish();
                }
            } else if (stream == errorStream) {
                errorText.writeBytes(data);
                if (last) {
                    String text = errorText.toString(StandardCharsets.UTF_8).trim();
                    if (!text.isEmpty()) {
                        errors.accept("an error occurred forwarding " + port + ": " + text);
                        spdy.writeOutbound(new DefaultSpdyRstStreamFrame(dataStream, SpdyStreamStatus.CANCEL));
                        flush();
                        finish();
                    }
                }
            }
        }

        /** On the loop: the connection is over. */
        void finish() {
            if (done) {
                return;
            }
            done = true;
            byStream.remove(errorStream);
            byStream.remove(dataStream);
            toSocket.add(new byte[0]);
        }

        private void closeSocket() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    private void shutdown() {
        if (closed) {
            return;
        }
        closed = true;
        Executor l = loop;
        if (l != null) {
            l.execute(() -> {
                byStream.values().stream().distinct().toList().forEach(Forward::finish);
                if (spdy != null) {
                    spdy.finishAndReleaseAll();
                }
            });
        }
        toServer.tryEmitComplete();
    }

    @Override
    public void close() {
        shutdown();
        if (connection != null) {
            connection.dispose();
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private static <X extends Throwable> X cause(Throwable t, Class<X> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }
}
