package io.kube4j.gateway.streaming;

import io.kube4j.apiserver.testsupport.TestPki;
import io.kube4j.security.tls.ReloadingPemKeyManager;
import io.kube4j.security.tls.TlsContexts;
import io.kube4j.security.tls.TlsTrust;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.Http11SslContextSpec;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@code pods/exec} session over WebSocket ({@code v5.channel.k8s.io}: binary messages whose first byte is the
 * channel) as a client such as kubectl opens it, with a client certificate, and nothing else on the wire: no pings,
 * so an idle session is really idle. Output of each channel is collected as text.
 */
final class ExecSession implements AutoCloseable {

    static final String V5 = "v5.channel.k8s.io";

    private final Sinks.Many<byte[]> stdin = Sinks.many().unicast().onBackpressureBuffer();
    private final StringBuffer[] channels = {new StringBuffer(), new StringBuffer(), new StringBuffer(), new StringBuffer()};
    private final CompletableFuture<String> protocol = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile Throwable failure;
    private final Disposable connection;

    private ExecSession(HttpClient http, String url) {
        connection = http.websocket(WebsocketClientSpec.builder().protocols(V5).maxFramePayloadLength(1 << 20).build())
                .uri(url)
                .handle((in, out) -> {
                    protocol.complete(in.selectedSubprotocol());
                    Mono<Void> send = out.sendObject(stdin.asFlux()
                            .map(b -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(b)))).then();
                    Mono<Void> receive = in.aggregateFrames(1 << 20).receiveFrames()
                            .filter(f -> f instanceof BinaryWebSocketFrame)
                            .doOnNext(f -> {
                                byte[] m = ByteBufUtil.getBytes(f.content());
                                if (m.length > 0 && (m[0] & 0xff) < channels.length) {
                                    channels[m[0] & 0xff].append(new String(m, 1, m.length - 1, StandardCharsets.UTF_8));
                                }
                            }).then();
                    return Flux.merge(send, receive);
                })
                .doFinally(s -> closed.complete(null))
                .subscribe(x -> { }, e -> {
                    failure = e;
                    protocol.completeExceptionally(e);
                });
    }

    /** Opens {@code path} (an exec URL with its query) on {@code baseUrl} (https) as {@code who}. */
    static ExecSession open(TestPki pki, TestPki.Credential who, String baseUrl, String path) {
        Http11SslContextSpec tls = Http11SslContextSpec.forClient().configure(b -> {
            b.trustManager(TlsContexts.trustManagerFactory(TlsTrust.server(pki.caFile())));
            if (who.hasCertificate()) {
                b.keyManager(TlsContexts.keyManagerFactory(new ReloadingPemKeyManager(who.certFile(), who.keyFile())));
            }
        });
        HttpClient http = HttpClient.newConnection().secure(s -> s.sslContext(tls));
        return new ExecSession(http, baseUrl.replaceFirst("^https", "wss") + path);
    }

    /** The subprotocol the server chose, once the handshake completed. */
    String protocol(Duration timeout) throws Exception {
        return protocol.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stdin(String text) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        byte[] m = new byte[data.length + 1];
        m[0] = 0;
        System.arraycopy(data, 0, m, 1, data.length);
        Sinks.EmitResult r = stdin.tryEmitNext(m);
        if (r.isFailure()) {
            throw new AssertionError("cannot send stdin (" + r + "): closed=" + isClosed() + ", error channel: "
                    + error() + ", stdout: " + stdout(), failure);
        }
    }

    String stdout() {
        return channels[1].toString();
    }

    String error() {
        return channels[3].toString();
    }

    boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public void close() {
        stdin.tryEmitComplete();
        connection.dispose();
    }
}
