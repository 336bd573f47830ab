package io.kube4j.proxy.userspace;

import io.kube4j.proxy.model.ServicePortName;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.NettyPipeline;
import reactor.netty.udp.UdpClient;
import reactor.netty.udp.UdpServer;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A UDP listener of the userspace proxy (kube-proxy's {@code udpProxySocket}) on Reactor Netty: each client address
 * gets a session, a UDP socket connected to the endpoint the load balancer picked for it; datagrams from the client go
 * out on it, datagrams coming back are sent to the client from the listening socket. A session closes after
 * {@link ProxyContext#udpIdleTimeout()} without traffic in either direction (kube-proxy: 250 ms), or when the endpoint
 * answers with an error (ICMP port unreachable), so the client's next datagram picks an endpoint again.
 */
final class UdpProxySocket implements ProxySocket {

    private static final Logger log = LoggerFactory.getLogger(UdpProxySocket.class);

    private final ServicePortName service;
    private final ProxyContext ctx;
    private final Map<InetSocketAddress, Mono<Connection>> sessions = new ConcurrentHashMap<>();
    private final Connection server;

    UdpProxySocket(ServicePortName service, InetSocketAddress bind, ProxyContext ctx) {
        this.service = service;
        this.ctx = ctx;
        this.server = UdpServer.create()
                .runOn(ctx.loops())
                .bindAddress(() -> bind)
                .handle((in, out) -> {
                    AtomicReference<Channel> listening = new AtomicReference<>();
                    in.withConnection(c -> listening.set(c.channel()));
                    return in.receiveObject()
                            .ofType(DatagramPacket.class)
                            .concatMap(p -> forward(p.sender(), p.content().retain(), listening.get()))
                            .then();
                })
                .bindNow(Duration.ofSeconds(10));
    }

    @Override
    public InetSocketAddress address() {
        return (InetSocketAddress) server.address();
    }

    @Override
    public void close() {
        server.disposeNow(Duration.ofSeconds(5));
        // a session whose dial failed has nothing to close; that failure was logged when its datagram was dropped
        sessions.values().forEach(m -> m.subscribe(Connection::dispose, e -> { }));
        sessions.clear();
    }

    private Mono<Void> forward(InetSocketAddress client, ByteBuf data, Channel listening) {
        Mono<Connection> session = sessions.computeIfAbsent(client, c -> open(c, listening));
        return session
                .flatMap(conn -> Mono.<Void>create(sink -> conn.channel().writeAndFlush(data).addListener(f -> {
                    if (!f.isSuccess()) {
                        ctx.metrics().ioError();
                        log.debug("service {}: sending to the endpoint for {} failed: {}", service, client, f.cause().toString());
                    }
                    sink.success();
                })))
                .onErrorResume(e -> {
                    ReferenceCountUtil.safeRelease(data);
                    sessions.remove(client, session);
                    if (!(e instanceof LoadBalancerRR.NoEndpointException)) {
                        log.warn("service {}: dropping a datagram of {}: {}", service, client, e.getMessage());
                    }
                    return Mono.empty();
                });
    }

    private Mono<Connection> open(InetSocketAddress client, Channel listening) {
        AtomicReference<Mono<Connection>> self = new AtomicReference<>();
        Mono<Connection> session = EndpointDialer.dial(service, client, ctx, (endpoint, timeout) -> UdpClient.create()
                        .runOn(ctx.loops())
                        .remoteAddress(() -> endpoint)
                        .doOnChannelInit((observer, channel, remote) -> channel.pipeline()
                                .addBefore(NettyPipeline.ReactiveBridge, "kube4j.userspace.idle",
                                        new IdleStateHandler(0, 0, ctx.udpIdleTimeout().toNanos(), TimeUnit.NANOSECONDS))
                                .addBefore(NettyPipeline.ReactiveBridge, "kube4j.userspace.idleClose", new ChannelDuplexHandler() {
                                    @Override
                                    public void userEventTriggered(ChannelHandlerContext c, Object evt) throws Exception {
                                        if (evt instanceof IdleStateEvent) {
                                            c.close();
                                        }
                                        super.userEventTriggered(c, evt);
                                    }
                                }))
                        .handle((in, out) -> in.receiveObject().doOnNext(o -> {
                            ByteBuf b = o instanceof ByteBufHolder h ? h.content() : o instanceof ByteBuf bb ? bb : null;
                            if (b != null) {
                                listening.writeAndFlush(new DatagramPacket(b.retain(), client));
                            }
                        }).then())
                        .connect().<Connection>map(c -> c).timeout(timeout))
                .doOnNext(conn -> {
                    ctx.metrics().udpActive.incrementAndGet();
                    conn.onDispose(() -> {
                        ctx.metrics().udpActive.decrementAndGet();
                        sessions.remove(client, self.get());
                    });
                })
                .cache();
        self.set(session);
        return session;
    }
}
