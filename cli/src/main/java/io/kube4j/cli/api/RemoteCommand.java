package io.kube4j.cli.api;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.kube4j.api.codec.Codecs;
import io.kube4j.client.ApiStatusException;
import io.kube4j.client.KubeClient;
import io.kube4j.client.internal.Transport;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.WebsocketClientSpec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The client side of Kubernetes' remote-command protocol over WebSocket ({@code v5.channel.k8s.io}, falling back to
 * {@code v4.channel.k8s.io}), what {@code exec} and {@code attach} (and {@code cp}, which is tar over exec) speak:
 * binary messages whose first byte is the channel — 0 stdin, 1 stdout, 2 stderr, 3 the final Status, 4 terminal
 * resize, 255 (v5) half-close of a channel. {@link #run} blocks until the server ends the session and returns the
 * remote command's exit code.
 */
public final class RemoteCommand {

    public static final String V5 = "v5.channel.k8s.io";
    public static final String V4 = "v4.channel.k8s.io";
    static final int STDIN = 0;
    static final int STDOUT = 1;
    static final int STDERR = 2;
    static final int ERROR = 3;
    static final int RESIZE = 4;
    static final int CLOSE = 255;
    private static final int MAX_FRAME = 16 << 20;

    private RemoteCommand() {
    }

    /**
     * What a session reads and writes. {@code stdin} null: none is sent. {@code stdinReader} reads stdin (on a thread
     * of its own) and hands chunks to its consumer; null means plain blocking reads of {@code stdin}. {@code resizes}
     * emits {@code [width, height]} for a terminal (null: no terminal).
     */
    public record Streams(InputStream stdin, OutputStream stdout, OutputStream stderr, Flux<int[]> resizes,
                          StdinReader stdinReader) {
        public Streams(InputStream stdin, OutputStream stdout, OutputStream stderr) {
            this(stdin, stdout, stderr, null, null);
        }
    }

    /** Reads stdin until its end or until {@code stopped} says the session is over; hands chunks to {@code sink}. */
    @FunctionalInterface
    public interface StdinReader {
        void read(Consumer<byte[]> sink, java.util.function.BooleanSupplier stopped) throws IOException;
    }

    /** A session that ended with a failure Status that is not an exit code (the command could not run, ...). */
    public static final class RemoteFailure extends RuntimeException {
        public RemoteFailure(String message) {
            super(message);
        }
    }

    /** Opens {@code path} (exec or attach URL with its query) and runs the session; the remote exit code. */
    public static int run(KubeClient client, String path, Streams streams) {
        Transport transport = client.raw().transport();
        String url = transport.config().server().replaceFirst("^http", "ws") + path;
        String auth = transport.authorization();
        Sinks.Many<byte[]> outbound = Sinks.many().unicast().onBackpressureBuffer();
        Sinks.Empty<Void> ended = Sinks.empty();
        ByteArrayOutputStream error = new ByteArrayOutputStream();
        String[] protocol = new String[1];
        Object lock = new Object();
        Consumer<byte[]> send = m -> {
            synchronized (lock) {
                outbound.tryEmitNext(m);
            }
        };
        try {
            transport.http()
                    .headers(h -> {
                        if (auth != null) {
                            h.set("Authorization", auth);
                        }
                    })
                    .websocket(WebsocketClientSpec.builder().protocols(V5 + "," + V4).maxFramePayloadLength(MAX_FRAME)
                            .build())
                    .uri(url)
                    .handle((in, out) -> {
                        protocol[0] = in.selectedSubprotocol();
                        startInput(streams, send, V5.equals(protocol[0]), ended);
                        Mono<Void> receive = in.aggregateFrames(MAX_FRAME).receiveFrames()
                                .doOnNext(f -> {
                                    if (f instanceof BinaryWebSocketFrame || f instanceof TextWebSocketFrame) {
                                        deliver(ByteBufUtil.getBytes(f.content()), streams, error);
                                    }
                                })
                                .then()
                                .doFinally(s -> ended.tryEmitEmpty());
                        Mono<Void> sendAll = out.sendObject(outbound.asFlux().takeUntilOther(ended.asMono())
                                .map(b -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(b))), o -> true).then()
                                .onErrorResume(e -> Mono.empty());
                        return Mono.when(receive, sendAll);
                    })
                    .then()
                    .block();
        } catch (RuntimeException e) {
            WebSocketClientHandshakeException hs = cause(e, WebSocketClientHandshakeException.class);
            if (hs != null) {
                throw handshakeFailure(hs, path);
            }
            throw e;
        } finally {
            ended.tryEmitEmpty();
            flush(streams.stdout());
            flush(streams.stderr());
        }
        return exitCode(error.toByteArray());
    }

    private static void deliver(byte[] m, Streams streams, ByteArrayOutputStream error) {
        if (m.length == 0) {
            return;
        }
        int channel = m[0] & 0xff;
        try {
            switch (channel) {
                case STDOUT -> {
                    streams.stdout().write(m, 1, m.length - 1);
                    streams.stdout().flush();
                }
                case STDERR -> {
                    OutputStream err = streams.stderr() == null ? streams.stdout() : streams.stderr();
                    err.write(m, 1, m.length - 1);
                    err.flush();
                }
                case ERROR -> error.write(m, 1, m.length - 1);
                default -> {
                    // resize echoes and unknown channels carry nothing for us
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void startInput(Streams streams, Consumer<byte[]> send, boolean v5, Sinks.Empty<Void> ended) {
        boolean[] over = new boolean[1];
        ended.asMono().subscribe(null, e -> over[0] = true, () -> over[0] = true);
        if (streams.resizes() != null) {
            streams.resizes().takeUntilOther(ended.asMono()).subscribe(wh -> send.accept(frame(RESIZE,
                    ("{\"Width\":" + wh[0] + ",\"Height\":" + wh[1] + "}").getBytes(StandardCharsets.UTF_8))));
        }
        if (streams.stdin() == null) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                if (streams.stdinReader() != null) {
                    streams.stdinReader().read(b -> send.accept(frame(STDIN, b)), () -> over[0]);
                } else {
                    byte[] buf = new byte[32 * 1024];
                    for (int n; !over[0] && (n = streams.stdin().read(buf)) >= 0; ) {
                        if (n > 0) {
                            send.accept(frame(STDIN, java.util.Arrays.copyOf(buf, n)));
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // stdin is gone: treat it as its end
            }
            if (v5 && !over[0]) {
                send.accept(new byte[] {(byte) CLOSE, STDIN});
            }
        }, "k4j-stdin");
        t.setDaemon(true);
        t.start();
    }

    static byte[] frame(int channel, byte[] data) {
        byte[] out = new byte[data.length + 1];
        out[0] = (byte) channel;
        System.arraycopy(data, 0, out, 1, data.length);
        return out;
    }

    /** The exit code the error channel's Status says (empty: success). */
    public static int exitCode(byte[] statusJson) {
        if (statusJson.length == 0) {
            return 0;
        }
        Status s;
        try {
            s = Codecs.json().readValue(statusJson, Status.class);
        } catch (RuntimeException e) {
            throw new RemoteFailure(new String(statusJson, StandardCharsets.UTF_8).trim());
        }
        if ("Success".equals(s.getStatus())) {
            return 0;
        }
        if ("NonZeroExitCode".equals(s.getReason()) && s.getDetails() != null && s.getDetails().getCauses() != null) {
            for (StatusCause c : s.getDetails().getCauses()) {
                if ("ExitCode".equals(c.getReason())) {
                    try {
                        return Integer.parseInt(c.getMessage().trim());
                    } catch (NumberFormatException e) {
                        break;
                    }
                }
            }
        }
        throw new RemoteFailure(s.getMessage() == null ? "the remote command failed" : s.getMessage());
    }

    private static RuntimeException handshakeFailure(WebSocketClientHandshakeException e, String path) {
        int code = e.response() == null ? 0 : e.response().status().code();
        byte[] body = e.response() instanceof FullHttpResponse full && full.content().refCnt() > 0
                ? ByteBufUtil.getBytes(full.content()) : new byte[0];
        if (code >= 400) {
            try {
                Status s = Codecs.json().readValue(body, Status.class);
                if (s.getMessage() != null) {
                    return new ApiStatusException(code, s, s.getMessage());
                }
            } catch (RuntimeException ignored) {
                // not a Status: say what we know
            }
        }
        String text = new String(body, StandardCharsets.UTF_8).trim();
        return new RemoteFailure("unable to upgrade connection: " + (text.isEmpty() ? e.getMessage() : text));
    }

    private static void flush(OutputStream s) {
        try {
            if (s != null) {
                s.flush();
            }
        } catch (IOException ignored) {
            // nothing more to do at the end
        }
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
