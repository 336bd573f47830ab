package io.kube4j.proxy.userspace;

import io.kube4j.proxy.model.ServicePortName;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.NettyInbound;
import reactor.netty.NettyOutbound;
import reactor.netty.NettyPipeline;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP listener of the userspace proxy (kube-proxy's {@code tcpProxySocket}) on Reactor Netty: each accepted
 * connection gets a connection to an endpoint ({@link EndpointDialer}: next endpoint on failure) and bytes are piped
 * both ways with Reactor's back-pressure.
 *
 * <p>Half-close: both sides run with {@code ALLOW_HALF_CLOSURE}; when one side sends FIN the other side's output is
 * shut down once everything read before it has been written, and the other direction keeps flowing. When both
 * directions have ended, or either fails, both connections are closed together. (kube-proxy's {@code copyBytes}
 * closed both sides at the first EOF, which cut off replies to clients that half-close; kube4j forwards the FIN
 * instead.)
 */
final class TcpProxySocket implements ProxySocket {

    private static final Logger log = LoggerFactory.getLogger(TcpProxySocket.class);
    private static final String EOF_HANDLER = "kube4j.userspace.eof";
    /** Put into a connection's inbound stream when its peer half-closed (Reactor Netty 1.3 ignores the event). */
    private static final Object EOF = new Object() {
        @Override
        public String toString() {
            return "EOF";
        }
    };

    private final ServicePortName service;
    private final ProxyContext ctx;
    private final TcpClient backends;
    private final DisposableServer server;

    TcpProxySocket(ServicePortName service, InetSocketAddress bind, ProxyContext ctx) {
        this.service = service;
        this.ctx = ctx;
        this.backends = TcpClient.newConnection()
                .runOn(ctx.loops())
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .doOnChannelInit((observer, channel, remote) -> addEofMarker(channel));
        this.server = TcpServer.create()
                .runOn(ctx.loops())
                .bindAddress(() -> bind)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .doOnChannelInit((observer, channel, remote) -> addEofMarker(channel))
                .handle(this::proxy)
                .bindNow(Duration.ofSeconds(10));
    }

    @Override
    public InetSocketAddress address() {
        return (InetSocketAddress) server.address();
    }

    @Override
    public void close() {
        if (!server.isDisposed()) {
            server.disposeNow(Duration.ofSeconds(5));
        }
    }

    private Publisher<Void> proxy(NettyInbound in, NettyOutbound out) {
        AtomicReference<Connection> clientRef = new AtomicReference<>();
        in.withConnection(clientRef::set);
        Connection client = clientRef.get();
        InetSocketAddress clientAddr = (InetSocketAddress) client.channel().remoteAddress();
        ctx.metrics().tcpActive.incrementAndGet();
        return EndpointDialer.dial(service, clientAddr, ctx, this::connect)
                .flatMap(backend -> {
                    log.trace("service {}: {} -> {}", service, clientAddr, backend.channel().remoteAddress());
                    Mono<Void> up = backend.outbound().send(payload(in)).then().then(shutdownOutput(backend));
                    Mono<Void> down = out.send(payload(backend.inbound())).then().then(shutdownOutput(client));
                    return Mono.when(up, down).doFinally(s -> backend.dispose());
                })
                .onErrorResume(e -> {
                    if (e instanceof LoadBalancerRR.NoEndpointException) {
                        log.debug("refusing {} for {}: {}", clientAddr, service, e.getMessage());
                    } else if (e instanceof EndpointDialer.DialException) {
                        log.warn("{}", e.getMessage());
                    } else {
                        ctx.metrics().ioError();
                        log.debug("service {}: proxying {} failed: {}", service, clientAddr, e.toString());
                    }
                    return Mono.empty();
                })
                .doFinally(s -> {
                    ctx.metrics().tcpActive.decrementAndGet();
                    client.dispose();
                });
    }

    private Mono<Connection> connect(InetSocketAddress endpoint, Duration timeout) {
        return backends.remoteAddress(() -> endpoint)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, timeout.toMillis()))
                .connect().map(c -> c);
    }

    /** The bytes of {@code in} up to its EOF, retained for the write to the other side (which releases them). */
    private static Flux<ByteBuf> payload(NettyInbound in) {
        return in.receiveObject()
                .takeWhile(o -> o != EOF)
                .filter(o -> o instanceof ByteBuf)
                .map(o -> ((ByteBuf) o).retain());
    }

    private static Mono<Void> shutdownOutput(Connection c) {
        return Mono.create(sink -> {
            Channel ch = c.channel();
            if (ch instanceof DuplexChannel d && ch.isActive() && !d.isOutputShutdown()) {
                d.shutdownOutput().addListener(f -> sink.success());
            } else {
                sink.success();
            }
        });
    }

    private static void addEofMarker(Channel channel) {
        channel.pipeline().addBefore(NettyPipeline.ReactiveBridge, EOF_HANDLER, new ChannelDuplexHandler() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
                if (evt == ChannelInputShutdownEvent.INSTANCE) {
                    ctx.fireChannelRead(EOF);
                }
                super.userEventTriggered(ctx, evt);
            }
        });
    }
}
